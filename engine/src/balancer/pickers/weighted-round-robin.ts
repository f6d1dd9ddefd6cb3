/**
 * Weighted round robin, nginx's smooth variant exactly: every eligible target adds its effective weight
 * to a running current weight and the highest wins, giving back the total, so weights 5,1,1 interleave as
 * a a b a c a a. O(n) per pick. Prefer it when targets differ in capacity but requests cost about the same.
 * A failure reported to onSettled lowers effective weight by weight / maxFails (it climbs back 1 per round);
 * nginx's ban after maxFails failures is health filtering and stays in the balancer.
 */
import type { Candidate, Pick, Picker } from '../picker.ts';
import { smoothWeights } from './smooth-weighted.ts';

const id = 'weighted-round-robin';

/** Options: `maxFails` (whole number >= 0, default 1 as in nginx; 0 turns failure feedback off). */
export function weightedRoundRobin(options: Record<string, unknown> = {}): Picker {
  const maxFails = options.maxFails ?? 1;
  if (typeof maxFails !== 'number' || !Number.isInteger(maxFails) || maxFails < 0) {
    throw new RangeError(`${id}: maxFails must be a whole number >= 0, got ${String(maxFails)}`);
  }
  const weights = smoothWeights();
  const eligibleOf = (candidates: readonly Candidate[]) => candidates.filter((c) => c.eligible);

  return {
    id,
    pick(candidates): Pick {
      weights.retain(candidates);
      const eligible = eligibleOf(candidates);
      if (eligible.length === 0) return { target: null, reason: `${id}: no eligible target` };
      const round = weights.step(eligible);
      const target = eligible[round.index];
      const compared = new Map(round.compared.map((peer) => [peer.id, peer]));
      const skipped = candidates.filter((c) => !c.eligible).map((c) => c.id);
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: id,
          reason:
            `${id}: ${target.id} had the highest current weight ${compared.get(target.id)!.current} of total ${round.total}` +
            (skipped.length > 0 ? `; skipped ${skipped.join(', ')} (not eligible)` : ''),
          candidates: candidates.map((c, i) => {
            const peer = compared.get(c.id) ?? weights.of([c])[0];
            return {
              id: c.id,
              eligible: c.eligible,
              weight: c.weight,
              effective: peer.effective,
              current: peer.current,
              chosen: c === target,
              position: i + 1,
            };
          }),
        },
      };
    },
    peek(candidates) {
      const eligible = eligibleOf(candidates);
      const round = weights.step(eligible, { commit: false });
      return round.index === -1 ? undefined : eligible[round.index].id;
    },
    onSettled(outcome) {
      if (outcome.failed && maxFails > 0) weights.fail(outcome.target, maxFails);
    },
    state(candidates) {
      return weights.of(candidates);
    },
  };
}
