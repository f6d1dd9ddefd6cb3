/** Body sizes: parsing `2kb`, and padding a JSON body to an exact byte count that stays valid JSON. */
import { describe, expect, it } from 'vitest';
import { bodyText, padJson, parseByteSize } from './service-body.ts';

describe('parseByteSize', () => {
  it.each<[number | string, number | undefined]>([
    [0, 0],
    [2048, 2048],
    ['512b', 512],
    ['2kb', 2048],
    ['2 KB', 2048],
    ['1.5mb', 1.5 * 1024 * 1024],
    ['0.5kb', 512],
    [-1, undefined],
    [1.5, undefined],
    // nginx's sizes (k, m, g) and the binary units mean the same here: 1kb is 1024 bytes.
    ['2k', 2048],
    ['64MB', 64 * 1024 * 1024],
    ['64MiB', 64 * 1024 * 1024],
    ['1g', 1024 ** 3],
    ['1gb', 1024 ** 3],
    ['2kbb', undefined],
    ['2 k b', undefined],
    ['lots', undefined],
  ])('%j is %j bytes', (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });
});

describe('padJson', () => {
  const json = JSON.stringify({ node: 's1', path: '/é', status: 200 });
  const natural = Buffer.byteLength(json);

  it('pads to every size from the natural one upwards, exactly, as valid JSON with the same fields', () => {
    for (let size = natural; size < natural + 40; size++) {
      const text = bodyText(padJson(json, size));
      expect(Buffer.byteLength(text)).toBe(size);
      expect(JSON.parse(text)).toMatchObject({ node: 's1', path: '/é', status: 200 });
    }
  });

  it('a large size gets a padding member spanning many chunks', () => {
    const size = 1024 * 1024 + 7;
    const body = padJson(json, size);
    expect(body.length).toBe(size);
    const text = bodyText(body);
    expect(Buffer.byteLength(text)).toBe(size);
    expect(JSON.parse(text).padding).toMatch(/^x+$/);
  });

  it('without a size, or one smaller than the fields, the body is the fields as they are', () => {
    expect(bodyText(padJson(json, undefined))).toBe(json);
    expect(bodyText(padJson(json, 10))).toBe(json);
  });
});
