import { describe, expect, it } from 'vitest';
import { clientAddress, compilePath, usesKey } from './paths.ts';

const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

describe('compilePath', () => {
  it.each([
    ['/users/{1..50}', [0], '/users/1'],
    ['/users/{1..50}', [0.999], '/users/50'],
    ['/users/{1..50}/orders/{3..3}', [0.5, 0.2], '/users/26/orders/3'],
    ['/{a,b,c}', [0.4], '/b'],
    ['/plain', [0.9], '/plain'],
  ])('%s with draws %j gives %s', (template, draws, expected) => {
    expect(compilePath(template)(seq(...draws))).toBe(expected);
  });

  it('fills {key} from the key sampler it is given, and says so when there is none', () => {
    const template = compilePath('/items/{key}/v{1..2}');
    expect(template(seq(0.7), () => 42)).toBe('/items/42/v2');
    expect(() => template(seq(0))).toThrow('{key} needs the flow');
    expect([usesKey('/items/{key}'), usesKey('/items/{ key }'), usesKey('/items/{1..3}'), usesKey('/keys')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it.each(['/x/{9..1}', '/x/{}', '/x/{a}', '/x/{a,,b}'])('rejects %s with a message naming it', (template) => {
    expect(() => compilePath(template)).toThrow(template);
  });

  it.each([
    ['/a b', 'cannot hold a space'],
    ['/a\r\nHost: evil', 'cannot hold CR'],
    ['/a\nb', 'cannot hold LF'],
    ['/a\tb', 'cannot hold U+0009'],
    ['/nul\u0000', 'cannot hold NUL'],
    ['/del\u007f', 'cannot hold DEL'],
    ['/café', 'cannot hold U+00E9 "é"; percent-encode it'],
    ['/page#top', 'cannot hold "#"'],
    ['/{a b,c}', 'cannot hold a space'],
    ['/{a,b\u0000c}', 'cannot hold NUL'],
  ])('refuses %j, which could not be sent as a request-target: %s', (template, message) => {
    expect(() => compilePath(template)).toThrow(message);
    expect(() => compilePath(template)).toThrow(JSON.stringify(template));
  });

  it('accepts every visible ASCII character a request-target may carry, percent-escapes included', () => {
    const template = "/a-z_0.9~!$&'()*+,;=:@/%C3%A9?q=1&r=/x?y";
    expect(compilePath(template)(seq(0))).toBe(template);
  });
});

describe('clientAddress', () => {
  it('spreads the first clients over distinct /24 networks', () => {
    expect([0, 1, 249, 250, 251].map((i) => clientAddress(i))).toEqual(['127.0.1.1', '127.0.2.1', '127.0.250.1', '127.0.1.2', '127.0.2.2']);
    // Another flow's clients never share an address with the first flow's.
    expect([0, 1].map((i) => clientAddress(i, 1))).toEqual(['127.1.1.1', '127.1.2.1']);
  });
});
