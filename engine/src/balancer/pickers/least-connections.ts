/**
 * Least connections, as nginx least_conn: send to the eligible target with the fewest requests in
 * flight per unit of weight; targets tied for fewest share the traffic by the smooth weighted
 * round-robin step over just them. O(n) per pick. Prefer it when request costs vary or targets slow
 * down: under sequential traffic it looks exactly like weighted round robin, under concurrency it steers
 * away from busy targets. Failure feedback through onSettled as in weighted-round-robin (option maxFails).
 */
import type { Candidate, Pick, Picker } from '../picker.ts';
import { smoothWeights, type SmoothStep } from './smooth-weighted.ts';

const id = 'least-connections';

/** Options: `maxFails` (whole number >= 0, default 1 as in nginx; 0 turns failure feedback off). */
export function leastConnections(options: Record<string, unknown> = {}): Picker {
  const maxFails = options.maxFails ?? 1;
  if (typeof maxFails !== 'number' || !Number.isInteger(maxFails) || maxFails < 0) {
    throw new RangeError(`${id}: maxFails must be a whole number >= 0, got ${String(maxFails)}`);
  }
  const weights = smoothWeights();

  /** The eligible targets with the least inFlight/weight, compared as nginx does, without division. */
  const fewest = (candidates: readonly Candidate[]): Candidate[] => {
    let tied: Candidate[] = [];
    for (const c of candidates) {
      if (!c.eligible) continue;
      const best = tied[0];
      if (!best || c.inFlight * best.weight < best.inFlight * c.weight) tied = [c];
      else if (c.inFlight * best.weight === best.inFlight * c.weight) tied.push(c);
    }
    return tied;
  };

  /** nginx runs the smooth step only when several targets tie; a lone winner leaves the weights alone. */
  const choose = (tied: Candidate[], commit: boolean): { target: Candidate; round?: SmoothStep } => {
    if (tied.length === 1) return { target: tied[0] };
    const round = weights.step(tied, { commit });
    return { target: tied[round.index], round };
  };

  return {
    id,
    pick(candidates): Pick {
      weights.retain(candidates);
      const tied = fewest(candidates);
      if (tied.length === 0) return { target: null, reason: `${id}: no eligible target` };
      const { target, round } = choose(tied, true);
      const compared = new Map(round?.compared.map((peer) => [peer.id, peer]));
      const isTied = tied.length > 1 ? new Set(tied) : undefined;
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: id,
          reason: explain(candidates, tied, target, round),
          candidates: candidates.map((c) => {
            const peer = compared.get(c.id);
            return {
              id: c.id,
              eligible: c.eligible,
              inFlight: c.inFlight,
              weight: c.weight,
              tied: isTied?.has(c) ?? false,
              current: peer?.current,
              effective: peer?.effective,
              chosen: c === target,
            };
          }),
        },
      };
    },
    peek(candidates) {
      const tied = fewest(candidates);
      return tied.length === 0 ? undefined : choose(tied, false).target.id;
    },
    onSettled(outcome) {
      if (outcome.failed && maxFails > 0) weights.fail(outcome.target, maxFails);
    },
    state(candidates) {
      return weights.of(candidates).map((peer, i) => ({ ...peer, inFlight: candidates[i].inFlight }));
    },
  };
}

/** "least-connections: t2 had 1 in flight, t1 had 3"; weights are named only when they differ. */
function explain(candidates: readonly Candidate[], tied: Candidate[], target: Candidate, round: SmoothStep | undefined): string {
  const eligible = candidates.filter((c) => c.eligible);
  const weighted = eligible.some((c) => c.weight !== eligible[0].weight);
  const load = (c: Candidate, first: boolean) => `${c.inFlight}${first ? ' in flight' : ''}${weighted ? ` at weight ${c.weight}` : ''}`;
  const isTied = new Set(tied);
  const others = eligible.filter((c) => !isTied.has(c));
  // The three next-least-loaded are enough to see why; a sentence naming 300 targets explains nothing.
  const rest = leastLoaded(others, 3).map((c) => `${c.id} had ${load(c, false)}`);
  if (others.length > 3) rest.push(`${others.length - 3} more had more`);
  if (!round) return [`${id}: ${target.id} had ${load(target, true)}`, ...rest].join(', ');
  const winner = round.compared[round.index];
  const level =
    weighted && target.inFlight > 0
      ? `${round2(target.inFlight / target.weight)} in flight per unit of weight`
      : `${target.inFlight} in flight`;
  return (
    `${id}: ${tied.map((c) => c.id).join(', ')} tied at ${level}` +
    (rest.length > 0 ? ` (${rest.join(', ')})` : '') +
    `; smooth weighted round robin chose ${target.id}, current weight ${winner.current} of total ${round.total}`
  );
}

/** The `n` least loaded (in flight per unit of weight), in order: a partial selection, not a full sort. */
function leastLoaded(peers: readonly Candidate[], n: number): Candidate[] {
  const lighter = (a: Candidate, b: Candidate) => a.inFlight * b.weight < b.inFlight * a.weight;
  const out: Candidate[] = [];
  for (const peer of peers) {
    let at = out.length;
    while (at > 0 && lighter(peer, out[at - 1])) at--;
    if (at < n) {
      out.splice(at, 0, peer);
      if (out.length > n) out.pop();
    }
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
