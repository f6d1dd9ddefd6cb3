/**
 * Round robin: each request goes to the next target in a fixed rotation, skipping targets that are
 * not eligible. O(n) in the worst case (all but one skipped), O(1) usually. Prefer it when targets
 * are alike and requests cost about the same; it ignores weights (see weighted-round-robin) and load.
 * With equal weights it gives the same order as nginx and HAProxy.
 */
import type { Candidate, Pick, Picker } from '../picker.ts';

export function roundRobin(): Picker {
  let next = 0;
  const advance = (candidates: readonly Candidate[]): number => {
    const n = candidates.length;
    for (let step = 0; step < n; step++) {
      const index = (next + step) % n;
      if (candidates[index].eligible) return index;
    }
    return -1;
  };
  return {
    id: 'round-robin',
    pick(candidates): Pick {
      const index = advance(candidates);
      if (index === -1) return { target: null, reason: 'round-robin: no eligible target' };
      const skipped = candidates.length === 0 ? [] : skippedBetween(candidates, next % candidates.length, index);
      next = (index + 1) % candidates.length;
      const target = candidates[index];
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: 'round-robin',
          reason:
            `round-robin: ${target.id} is next in rotation (position ${index + 1} of ${candidates.length})` +
            (skipped.length > 0 ? `; skipped ${skipped.join(', ')} (not eligible)` : ''),
          candidates: candidates.map((c, i) => ({ id: c.id, eligible: c.eligible, position: i + 1, chosen: i === index })),
        },
      };
    },
    peek(candidates) {
      const index = advance(candidates);
      return index === -1 ? undefined : candidates[index].id;
    },
  };
}

function skippedBetween(candidates: readonly Candidate[], from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i !== to; i = (i + 1) % candidates.length) out.push(candidates[i].id);
  return out;
}
