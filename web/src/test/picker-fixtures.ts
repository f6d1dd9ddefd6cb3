/**
 * Engine data for component tests, made by the engine's own pickers rather than written by hand:
 * a balancer `users` over users-1..3 runs `algorithm` for a few picks, and the test gets what the
 * engine would report: the topology node (targets, next, picker state) and the `request.forwarded`
 * events of those picks.
 */
import { factoryOptions, PICKERS, type PickerId } from '../../../engine/src/balancer/pickers/index.ts';
import { seededRng } from '../../../engine/src/balancer/testing.ts';
import type { Candidate } from '../../../engine/src/balancer/picker.ts';
import type { EngineEvent } from '../../../engine/src/events.ts';
import type { TopologyNode } from '../lib/api-types.ts';

export interface PickerRun {
  node: TopologyNode;
  events: EngineEvent[];
}

export function runPicker(
  algorithm: PickerId,
  {
    picks = 6,
    weights = [5, 1, 1],
    inFlight = [2, 0, 1],
    keys = ['10.0.1.7', '10.0.2.9', '/users/3'],
    options = {} as Record<string, unknown>,
  } = {},
): PickerRun {
  const picker = PICKERS[algorithm](factoryOptions(options));
  const targets: Candidate[] = ['users-1', 'users-2', 'users-3'].map((id, i) => ({
    id,
    weight: weights[i],
    inFlight: inFlight[i],
    eligible: true,
    address: `127.0.0.1:${9001 + i}`,
  }));
  const rng = seededRng(7);
  let now = 1000;
  const events: EngineEvent[] = [];
  for (let n = 0; n < picks; n++) {
    const pick = picker.pick(targets, { now: () => now, rng, key: keys[n % keys.length] });
    if (pick.target === null) throw new Error(pick.reason);
    events.push({
      type: 'request.forwarded',
      seq: n + 1,
      ts: 1_700_000_000_000 + n * 100,
      rid: `r${n}`,
      node: 'users',
      to: pick.target.id,
      decision: pick.decision,
    });
    picker.onSettled?.({ target: pick.target.id, durationMs: 40 + 30 * n, failed: false }, { now: () => now, rng });
    now += 100;
  }
  const node: TopologyNode = {
    id: 'users',
    kind: 'balancer',
    port: 8082,
    state: 'up',
    upstreams: targets.map((t) => ({ to: t.id, weight: t.weight })),
    algorithm,
    next: picker.peek?.(targets),
    targets: targets.map(({ id, weight, inFlight, eligible, address }) => ({
      id,
      weight,
      inFlight,
      eligible,
      address,
      picks: events.filter((e) => e.type === 'request.forwarded' && e.to === id).length,
    })),
    ...(picker.state ? { pickerState: picker.state(targets) } : {}),
  };
  return { node, events };
}
