import { describe, expect, it } from 'vitest';
import { clientAddressReader, isTrustEntry } from './real-ip.ts';

describe('clientAddressReader (nginx realip, recursive)', () => {
  const behindEdge = clientAddressReader(['127.0.0.1', '10.0.0.0/8']);

  it.each([
    ['an untrusted peer is the client, whatever the header says', '203.0.113.5', '1.2.3.4', '203.0.113.5'],
    ['a trusted peer without the header', '127.0.0.1', undefined, '127.0.0.1'],
    ['the right-most untrusted entry', '127.0.0.1', '198.51.100.1, 127.0.3.1', '127.0.3.1'],
    ['trusted entries are skipped', '127.0.0.1', '198.51.100.1, 127.0.3.1, 10.1.2.3, 127.0.0.1', '127.0.3.1'],
    ['all trusted: the left-most', '127.0.0.1', '10.0.0.1, 127.0.0.1', '10.0.0.1'],
    ['garbage stops the walk', '127.0.0.1', 'evil, 10.0.0.9', '10.0.0.9'],
  ])('%s', (_what, peer, header, expected) => {
    expect(behindEdge(peer, header)).toBe(expected);
  });

  it('trusts nobody by default', () => {
    expect(clientAddressReader([])('127.0.0.1', '1.2.3.4')).toBe('127.0.0.1');
  });

  it.each([
    ['127.0.0.1', true],
    ['10.0.0.0/8', true],
    ['::1', true],
    ['2001:db8::/32', true],
    ['10.0.0.0/33', false],
    ['localhost', false],
    ['10.0.0.0/8/1', false],
  ])('%s is %s as a trust entry', (entry, ok) => {
    expect(isTrustEntry(entry)).toBe(ok);
  });
});
