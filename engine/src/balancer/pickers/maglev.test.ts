import { describe, expect, it } from 'vitest';
import type { Candidate } from '../picker.ts';
import { candidates as targets, context } from '../testing.ts';
import { buildMaglevTable, isPrime, maglev } from './maglev.ts';

const owners = (c: Candidate[], size: number): string[] => {
  const table = buildMaglevTable(c, size);
  return Array.from(table.slots, (host) => table.hosts[host].id);
};

function slotCounts(c: Candidate[], size: number): number[] {
  const table = buildMaglevTable(c, size);
  return table.hosts.map((h) => h.slots);
}

/**
 * Expected tables come from a separate port of Envoy's OriginalMaglevTable in Python calling the
 * reference xxHash library (libxxhash XXH64, seeds 0 and 1) on the addresses 127.0.0.1:9001..9003.
 * For M = 13: offsets/skips are 4/10, 1/5 and 2/8.
 */
describe('maglev (Envoy maglev_lb)', () => {
  it.each([
    [[1, 1, 1], 't2 t2 t3 t2 t1 t3 t2 t1 t1 t3 t3 t1 t1'],
    [[1, 2, 1], 't2 t2 t3 t2 t1 t3 t2 t2 t1 t2 t3 t1 t1'],
  ])('fills a 13-slot table for weights %j exactly as Envoy does: %s', (weights, expected) => {
    expect(owners(targets('ooo', weights), 13).join(' ')).toBe(expected);
    expect(buildMaglevTable(targets('ooo', weights), 13).hosts.map(({ offset, skip }) => [offset, skip])).toEqual([
      [4, 10],
      [1, 5],
      [2, 8],
    ]);
  });

  it.each([
    ['alice', 30656, 't1'],
    ['bob', 34101, 't1'],
    ['carol', 27292, 't1'],
    ['dave', 27756, 't3'],
    ['/users/42', 41024, 't3'],
  ])('sends %j to slot %i of 65537, owned by %s', (key, slot, id) => {
    const pick = maglev().pick(targets('ooo'), context({ key }));
    expect(pick.target?.id).toBe(id);
    if (pick.target) expect(pick.decision.candidates?.find((c) => c.chosen)).toMatchObject({ via: 'hash', slot });
  });

  it('explains the pick with the key hash, the slot and who was left out', () => {
    const pick = maglev().pick(targets('oox'), context({ key: 'alice' }));
    if (!pick.target) throw new Error('expected a target');
    expect(pick.decision.reason).toMatch(
      new RegExp(
        `^maglev: key "alice" hashes \\(xxHash64\\) to 0x73a3ea485f2e6049, slot 30656 of 65537, belongs to t[12] in the table of the 2 eligible targets \\(left out: t3\\)$`,
      ),
    );
    expect(pick.decision.candidates?.[2]).toMatchObject({ id: 't3', eligible: false, skipped: 'not eligible', slots: 0 });
  });

  it('fills every one of the 65537 slots, equal weights within one slot of each other', () => {
    const c = targets('oooooooooo');
    const table = buildMaglevTable(c, 65537);
    const counted = new Array<number>(c.length).fill(0);
    for (const host of table.slots) counted[host]++;
    expect(counted).toEqual(table.hosts.map((h) => h.slots));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(65537);
    // Measured: 6554 × 7 and 6553 × 3. Each round gives every host one slot, so counts differ by at most one.
    expect(Math.max(...counted) - Math.min(...counted)).toBeLessThanOrEqual(1);
  });

  it('gives slots in proportion to weight', () => {
    // Measured for weights 1,2,3,4: 6554, 13108, 19661, 26214 slots, i.e. 1.00005 : 2.0001 : 2.99998 : 3.9999.
    const counts = slotCounts(targets('oooo', [1, 2, 3, 4]), 65537);
    counts.forEach((slots, i) => expect(slots / (65537 / 10)).toBeCloseTo(i + 1, 2));
  });

  it('removing one of 10 targets moves its keys and only a few others', () => {
    const before = targets('oooooooooo');
    const after = before.filter((c) => c.id !== 't5');
    const sample = Array.from({ length: 20_000 }, (_, i) => `key-${i}`);
    const a = maglev();
    const b = maglev();
    const was = sample.map((key) => a.pick(before, context({ key })).target?.id);
    const now = sample.map((key) => b.pick(after, context({ key })).target?.id);
    const moved = was.filter((id, i) => id !== now[i]).length;
    const ofRemoved = was.filter((id) => id === 't5').length;
    // Measured: 2058 of 20000 keys moved (10.3%): the 2000 on t5 plus 58 others (0.29%); 6729 of
    // 65537 slots (10.3%) changed owner. A ring moves exactly the removed target's keys; Maglev
    // trades a little of that for its balance. The bound allows 1% of keys moving needlessly.
    expect(was.filter((id, i) => id === 't5' && now[i] === 't5')).toHaveLength(0);
    expect(moved - ofRemoved).toBeGreaterThan(0);
    expect((moved - ofRemoved) / sample.length).toBeLessThan(0.01);
  });

  it('balances 300 targets to within one slot (its build time is measured by npm run bench)', () => {
    const c = targets('o'.repeat(300));
    const counts = slotCounts(c, 65537);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('builds the table over eligible targets only, as Envoy does over healthy hosts, and caches it', () => {
    const picker = maglev();
    const state = (c: Candidate[]) => picker.state?.(c) as { builds: number; hosts: Array<{ id: string }>; excluded: string[] };
    const onlyEligible = maglev();
    const sample = Array.from({ length: 500 }, (_, i) => `key-${i}`);
    for (const key of sample) {
      const withoutT2 = targets('ooo').filter((c) => c.id !== 't2');
      expect(picker.pick(targets('oxo'), context({ key })).target?.id).toBe(onlyEligible.pick(withoutT2, context({ key })).target?.id);
    }
    expect(state(targets('oxo'))).toMatchObject({ builds: 1, hosts: [{ id: 't1' }, { id: 't3' }], excluded: ['t2'] });
    picker.pick(targets('ooo'), context({ key: 'a' }));
    picker.pick(targets('oxo'), context({ key: 'a' }));
    picker.pick(targets('ooo'), context({ key: 'a' }));
    expect(state(targets('ooo')).builds).toBe(2);
    picker.pick(targets('ooo', [2, 1, 1]), context({ key: 'a' }));
    expect(state(targets('ooo', [2, 1, 1])).builds).toBe(3);
  });

  it('without a key takes a random slot from the injected rng, as Envoy does without a hash', () => {
    const picker = maglev({ tableSize: 13 });
    const pick = picker.pick(targets('ooo'), context({ seed: 3 }));
    const again = picker.pick(targets('ooo'), context({ seed: 3 }));
    expect(pick.target?.id).toBe(again.target?.id);
    if (pick.target) {
      expect(pick.decision.reason).toMatch(/^maglev: no hash key, so a random slot, \d+ of 13, belongs to t\d$/);
      expect(pick.decision.candidates?.find((c) => c.chosen)).toMatchObject({ via: 'random' });
    }
  });

  it('returns none, never throws, when nothing is eligible', () => {
    expect(maglev().pick(targets('xx'), context({ key: 'a' }))).toEqual({ target: null, reason: 'maglev: no eligible target' });
    expect(maglev().pick([], context({ key: 'a' }))).toEqual({ target: null, reason: 'maglev: no eligible target' });
  });

  it('summarises the table for the inspector: slots per host and a strip of 256 samples', () => {
    const s = maglev().state?.(targets('oox', [1, 3, 1])) as {
      tableSize: number;
      hosts: Array<{ id: string; slots: number; share: number }>;
      strip: string[];
      excluded: string[];
    };
    expect(s.tableSize).toBe(65537);
    expect(s.hosts.map((h) => h.slots)).toEqual([16385, 49152]);
    expect(s.hosts[1].share).toBeCloseTo(0.75, 3);
    expect(s.strip).toHaveLength(256);
    expect(s.excluded).toEqual(['t3']);
  });

  it.each([65536, 1, 0, 131_072, 262_139, 5_000_011, 'big', 1.5])('rejects tableSize %j (must be a prime up to 131071)', (tableSize) => {
    expect(() => maglev({ tableSize })).toThrow(/tableSize must be a prime/);
  });

  it('accepts prime table sizes', () => {
    expect(isPrime(65537)).toBe(true);
    expect(isPrime(5_000_011)).toBe(true);
    expect(() => maglev({ tableSize: 251 })).not.toThrow();
    expect(() => maglev({ tableSize: 131_071 })).not.toThrow();
  });
});
