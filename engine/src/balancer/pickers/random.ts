/**
 * Weighted random: each request goes to an eligible target drawn with probability weight / total
 * weight, using the context's rng. O(n) per pick, no state. Prefer it when many balancers share the
 * same targets and coordinating a rotation is not worth it; over a few requests it is lumpier than
 * round robin, over many it follows the weights (nginx `random` without `two`).
 */
import type { Candidate, Pick, Picker } from '../picker.ts';

const id = 'random';

export function random(): Picker {
  return {
    id,
    pick(candidates, ctx): Pick {
      const eligible = candidates.filter((c) => c.eligible);
      if (eligible.length === 0) return { target: null, reason: `${id}: no eligible target` };
      const target = eligible[drawWeighted(eligible, ctx.rng)];
      const total = totalWeight(eligible);
      const chance = (c: Candidate) => (total > 0 ? Math.max(0, c.weight) / total : 1 / eligible.length);
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: id,
          reason: `${id}: drew ${target.id}, which had a ${percent(chance(target))} chance (weight ${target.weight} of ${total})`,
          candidates: candidates.map((c) => ({
            id: c.id,
            eligible: c.eligible,
            weight: c.weight,
            chance: c.eligible ? chance(c) : 0,
            chosen: c === target,
          })),
        },
      };
    },
  };
}

/**
 * The index of one of `peers` drawn with probability weight / total weight, from one rng() value.
 * `peers` must not be empty. Should every weight be 0, the draw is uniform rather than failing.
 */
export function drawWeighted(peers: readonly Candidate[], rng: () => number): number {
  const total = totalWeight(peers);
  if (total <= 0) return Math.min(peers.length - 1, Math.floor(rng() * peers.length));
  let remaining = rng() * total;
  let last = 0;
  for (let i = 0; i < peers.length; i++) {
    const weight = Math.max(0, peers[i].weight);
    if (weight === 0) continue;
    last = i;
    remaining -= weight;
    if (remaining < 0) return i;
  }
  return last;
}

function totalWeight(peers: readonly Candidate[]): number {
  return peers.reduce((sum, c) => sum + Math.max(0, c.weight), 0);
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
