/** Properties every hash picker keeps, for any targets and any key. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candidate, Pick, Picker } from '../picker.ts';
import { context } from '../testing.ts';
import { consistentHash } from './consistent-hash.ts';
import { ipHash } from './ip-hash.ts';
import { maglev } from './maglev.ts';

const PICKERS: Array<[string, () => Picker]> = [
  ['ip-hash', () => ipHash()],
  ['ip-hash fullAddress', () => ipHash({ fullAddress: true })],
  ['consistent-hash ring', () => consistentHash()],
  ['consistent-hash nginx', () => consistentHash({ mode: 'nginx' })],
  ['consistent-hash ring, bounded 125', () => consistentHash({ balanceFactor: 125 })],
  ['consistent-hash nginx, bounded 150', () => consistentHash({ mode: 'nginx', balanceFactor: 150 })],
  ['maglev', () => maglev()],
  ['maglev, fewer slots than targets', () => maglev({ tableSize: 5 })],
];

const candidateList = fc
  .array(fc.record({ eligible: fc.boolean(), weight: fc.integer({ min: 1, max: 5 }), inFlight: fc.integer({ min: 0, max: 6 }) }), {
    maxLength: 8,
  })
  .map((specs): Candidate[] => specs.map((s, i) => ({ id: `t${i + 1}`, address: `127.0.0.1:${9001 + i}`, ...s })));

/** Client addresses for ip-hash, and anything at all for the others; sometimes no key. */
const hashKey = fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 })), { nil: undefined });

const keyed = (key: string | undefined) => context(key === undefined ? {} : { key });
const via = (pick: Pick): unknown => (pick.target ? pick.decision.candidates?.find((c) => c.chosen)?.via : undefined);

describe.each(PICKERS)('%s', (_, make) => {
  it('never picks an ineligible target while an eligible one exists, and none only when nothing is eligible', () => {
    fc.assert(
      fc.property(candidateList, hashKey, (candidates, key) => {
        const pick = make().pick(candidates, keyed(key));
        if (candidates.some((c) => c.eligible)) {
          expect(pick.target).not.toBeNull();
          expect(pick.target?.eligible).toBe(true);
          expect(candidates).toContain(pick.target);
        } else {
          expect(pick.target).toBeNull();
        }
      }),
    );
  });

  it('sends the same key to the same target while the targets are unchanged', () => {
    fc.assert(
      fc.property(candidateList, hashKey, (candidates, key) => {
        const picker = make();
        const first = picker.pick(candidates, keyed(key));
        // Round robin (nginx's fallbacks) and a random hash (no key) are not meant to stick.
        fc.pre(via(first) === 'hash');
        for (let i = 0; i < 3; i++) expect(picker.pick(candidates, keyed(key)).target).toBe(first.target);
      }),
    );
  });
});

describe.each(PICKERS.filter(([name]) => !name.startsWith('maglev') && !name.includes('bounded')))('%s', (_, make) => {
  // A walk (ring) or a rehash (ip_hash) reaches the chosen target only past ineligible ones, so ruling
  // out another target never moves a key. Maglev rebuilds its table instead and may move a few.
  it('keeps a key on its target when another target becomes ineligible', () => {
    fc.assert(
      fc.property(candidateList, hashKey, fc.nat(), (candidates, key, which) => {
        const picker = make();
        const first = picker.pick(candidates, keyed(key));
        fc.pre(via(first) === 'hash');
        const others = candidates.filter((c) => c !== first.target && c.eligible);
        fc.pre(others.length > 0);
        const ruledOut = others[which % others.length];
        const after = candidates.map((c) => (c === ruledOut ? { ...c, eligible: false } : c));
        const second = picker.pick(after, keyed(key));
        fc.pre(via(second) === 'hash');
        expect(second.target?.id).toBe(first.target?.id);
      }),
    );
  });
});
