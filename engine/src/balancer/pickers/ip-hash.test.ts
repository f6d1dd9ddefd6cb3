import { describe, expect, it } from 'vitest';
import type { Candidate } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { clientAddress, ipHash } from './ip-hash.ts';

function pickFor(key: string | undefined, c: Candidate[], options: Record<string, unknown> = {}) {
  return ipHash(options).pick(c, context(key === undefined ? {} : { key }));
}

/**
 * Expected targets from nginx's formula, worked independently of the code. For 10.0.0.1:
 * hash = 89; (89·113 + 10) % 6271 = 3796; (3796·113 + 0) % 6271 = 2520; (2520·113 + 0) % 6271 = 2565.
 * With weights 1,1,1: 2565 % 3 = 0 → t1. With weights 5,1,1: 2565 % 7 = 3 < 5 → t1.
 * For 192.168.1.10: (89·113 + 192) % 6271 = 3978; (3978·113 + 168) % 6271 = 4441; (4441·113 + 1) % 6271 = 154;
 * 154 % 3 = 1 → t2; 154 % 7 = 0 → t1. The rest came from the same formula in a separate script.
 */
describe('ip-hash (nginx ip_hash)', () => {
  it.each([
    ['10.0.0.1', 2565, 't1', 't1'],
    ['10.0.0.200', 2565, 't1', 't1'],
    ['192.168.1.10', 154, 't2', 't1'],
    ['172.16.5.4', 3526, 't2', 't2'],
    ['127.0.0.1', 4040, 't3', 't1'],
    ['8.8.8.8', 3023, 't3', 't3'],
    ['::ffff:10.0.0.1', 2565, 't1', 't1'],
    ['2001:db8::1', 2600, 't3', 't1'],
    ['::1', 5945, 't3', 't1'],
  ])('%s hashes to %i: %s with weights 1,1,1 and %s with weights 5,1,1', (address, hash, equal, weighted) => {
    const even = pickFor(address, targets('ooo'));
    expect(even.target?.id).toBe(equal);
    if (even.target) expect(even.decision.candidates?.find((c) => c.chosen)).toMatchObject({ via: 'hash', hash });
    expect(pickFor(address, targets('ooo', [5, 1, 1])).target?.id).toBe(weighted);
  });

  it('sends a whole /24 to one target: 10.0.0.1 and 10.0.0.200 alike, 10.0.1.1 not necessarily', () => {
    const c = targets('ooooo');
    const picker = ipHash();
    const of = (key: string) => picker.pick(c, context({ key })).target?.id;
    for (let last = 0; last < 256; last++) expect(of(`10.0.0.${last}`)).toBe(of('10.0.0.1'));
    expect(of('10.0.0.200')).toBe(of('10.0.0.1'));
  });

  it('fullAddress mixes all four octets, so 10.0.0.1 and 10.0.0.200 may part', () => {
    // 10.0.0.1 → 1380 → 1380 % 3 = 0 → t1; 10.0.0.200 → 1579 → 1 → t2.
    expect(pickFor('10.0.0.1', targets('ooo'), { fullAddress: true }).target?.id).toBe('t1');
    expect(pickFor('10.0.0.200', targets('ooo'), { fullAddress: true }).target?.id).toBe('t2');
  });

  it('keeps mixing from the current hash past an ineligible target', () => {
    // 10.0.0.1: 2565 → t1 (not eligible); mixing 10,0,0 again from 2565 gives 1753, 1753 % 3 = 1 → t2.
    const pick = pickFor('10.0.0.1', targets('xoo'));
    expect(pick.target?.id).toBe('t2');
    if (pick.target) {
      expect(pick.decision.reason).toBe(
        "ip-hash: 10.0.0.x hashes to 1753, and 1753 % 3 = 1 falls in t2's share after rehashing past t1 (not eligible)",
      );
      expect(pick.decision.candidates?.[0]).toMatchObject({ id: 't1', eligible: false, skipped: 1, chosen: false });
    }
    // 192.168.1.10: 154 → t2 (not eligible); then 5654 → t3.
    expect(pickFor('192.168.1.10', targets('oxo')).target?.id).toBe('t3');
  });

  it('falls back to round robin after 21 hashes land on ineligible targets', () => {
    // Weights 1 and 100 with the heavy t2 down: every one of the 21 hashes of 10.0.0.x lands in t2's share.
    const pick = pickFor('10.0.0.1', targets('ox', [1, 100]));
    expect(pick.target?.id).toBe('t1');
    if (pick.target) {
      expect(pick.decision.reason).toBe("ip-hash: 21 hashes of 10.0.0.x all landed on ineligible targets, so nginx's round robin chose t1");
      expect(pick.decision.candidates?.[0]).toMatchObject({ via: 'round-robin' });
    }
  });

  it('goes to round robin without a client address, and says so', () => {
    const picker = ipHash();
    const c = targets('ooo');
    const picks = Array.from({ length: 4 }, () => picker.pick(c, context()));
    expect(picks.map((p) => p.target?.id)).toEqual(['t1', 't2', 't3', 't1']);
    if (picks[0].target)
      expect(picks[0].decision.reason).toBe("ip-hash: the request has no client address to hash, so nginx's round robin chose t1");
  });

  it('does not hash with a single target (nginx skips to round robin)', () => {
    expect(pickFor('10.0.0.1', targets('o')).target?.id).toBe('t1');
    expect(pickFor('10.0.0.1', targets('x'))).toEqual({ target: null, reason: 'ip-hash: no eligible target' });
  });

  it("hashes a key that is not an IP address as nginx's pseudo-address 0.0.0", () => {
    // 0.0.0: 89 → 3786 → 1390 → 295; 295 % 3 = 1 → t2, for every such key.
    expect(pickFor('not-an-ip', targets('ooo')).target?.id).toBe('t2');
    expect(pickFor('unix:', targets('ooo')).target?.id).toBe('t2');
  });

  it('returns none, never throws, when nothing is eligible', () => {
    expect(pickFor('10.0.0.1', targets('xxx'))).toEqual({ target: null, reason: 'ip-hash: no eligible target' });
    expect(pickFor('10.0.0.1', [])).toEqual({ target: null, reason: 'ip-hash: no eligible target' });
  });

  it('rejects a fullAddress that is not a boolean', () => {
    expect(() => ipHash({ fullAddress: 'yes' })).toThrow(/fullAddress must be true or false/);
  });

  it("shows each target's share of hash % total weight", () => {
    expect(ipHash().state?.(targets('oxo', [5, 1, 1]))).toEqual({
      fullAddress: false,
      totalWeight: 7,
      shares: [
        { id: 't1', weight: 5, eligible: true, wFrom: 0, wTo: 5 },
        { id: 't2', weight: 1, eligible: false, wFrom: 5, wTo: 6 },
        { id: 't3', weight: 1, eligible: true, wFrom: 6, wTo: 7 },
      ],
    });
  });
});

describe('clientAddress', () => {
  it.each([
    ['10.0.0.1', 'ipv4', [10, 0, 0, 1]],
    ['::ffff:10.0.0.1', 'ipv4', [10, 0, 0, 1]],
    ['::ffff:a00:1', 'ipv4', [10, 0, 0, 1]],
    ['[::1]', 'ipv6', [...new Array(15).fill(0), 1]],
    ['fe80::1%eth0', 'ipv6', [0xfe, 0x80, ...new Array(13).fill(0), 1]],
    ['2001:db8:0:0:0:0:0:1', 'ipv6', [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
    ['256.0.0.1', 'other', [0, 0, 0]],
    ['1::2::3', 'other', [0, 0, 0]],
    ['', 'other', [0, 0, 0]],
  ])('%j is %s %j', (key, family, bytes) => {
    expect(clientAddress(key)).toEqual({ family, bytes });
  });
});
