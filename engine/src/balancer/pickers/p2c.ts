/**
 * Power of two choices, Envoy least-request style: draw two eligible targets at random (with
 * replacement, each draw weighted by weight) and send to the one with fewer requests in flight, the
 * first draw on a tie. O(n) per pick for the weighted draws, no state. Prefer it for many targets or many
 * balancers: it avoids the busiest targets without the herding of a global least-connections.
 * Differs from Envoy with unequal weights, where Envoy switches to EDF over weight / (active + 1).
 */
import type { Candidate, Pick, Picker } from '../picker.ts';
import { drawWeighted } from './random.ts';

const id = 'p2c';

export function p2c(): Picker {
  return {
    id,
    pick(candidates, ctx): Pick {
      const eligible = candidates.filter((c) => c.eligible);
      if (eligible.length === 0) return { target: null, reason: `${id}: no eligible target` };
      const first = eligible[drawWeighted(eligible, ctx.rng)];
      const second = eligible[drawWeighted(eligible, ctx.rng)];
      const target = second.inFlight < first.inFlight ? second : first;
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: id,
          reason: explain(first, second, target),
          candidates: candidates.map((c) => ({
            id: c.id,
            eligible: c.eligible,
            weight: c.weight,
            inFlight: c.inFlight,
            drawn: (c === first ? 1 : 0) + (c === second ? 1 : 0),
            chosen: c === target,
          })),
        },
      };
    },
  };
}

function explain(first: Candidate, second: Candidate, target: Candidate): string {
  if (first === second) return `${id}: drew ${first.id} twice (${first.inFlight} in flight), so ${first.id}`;
  const drew = `${id}: drew ${first.id} (${first.inFlight} in flight) and ${second.id} (${second.inFlight} in flight)`;
  if (first.inFlight === second.inFlight) return `${drew}; a tie goes to the first draw, ${target.id}`;
  return `${drew}; ${target.id} had fewer requests in flight`;
}
