/**
 * Key affinity on real sockets: each request's first pick says where its key went last, and the
 * balancer's `keys` metrics count the keys that stayed, moved while their last target was still in
 * the pool, or were rehomed because it left. Clients send from their own loopback addresses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import type { EventOf, KeyMetrics } from '../events.ts';
import { rawHttp, startEngine, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i + 1}`);

/** `lb` in front of its targets, each a service (a target `{ to, drain }` too). */
function config(balancer: Record<string, unknown>, targets: Array<string | { to: string; drain: boolean }> = ids(4)) {
  const services = targets.map((t) => ({ id: typeof t === 'string' ? t : t.to, kind: 'service' }));
  return { version: 1, nodes: [{ id: 'lb', kind: 'balancer', targets, ...balancer }, ...services] };
}

async function apply(input: unknown): Promise<void> {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  await running!.engine.apply(result.config, input);
}

/** One request from each of `clients` addresses (127.0.1.1, 127.0.2.1, ...), in turn; the node that answered each. */
async function round(clients: number): Promise<string[]> {
  const served: string[] = [];
  for (let n = 1; n <= clients; n++) {
    const res = await rawHttp(running!.port('lb'), 'GET /cart HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n', `127.0.${n}.1`);
    served.push((JSON.parse(res.body) as { node: string }).node);
  }
  return served;
}

const keys = (): KeyMetrics | undefined => running!.engine.metrics.snapshot().lb?.keys;
const affinities = () =>
  running!.events.filter((e): e is EventOf<'request.forwarded'> => e.type === 'request.forwarded').map((e) => e.decision.affinity);

describe('key affinity', () => {
  it('round robin sends a returning client elsewhere; ip-hash keeps it', async () => {
    running = await startEngine(config({ algorithm: 'round-robin' }, ids(3)));
    for (let i = 0; i < 3; i++) await round(4);
    expect(keys()!.moved).toBeGreaterThan(0);
    expect(keys()!.moved + keys()!.stayed).toBe(8);
    expect(affinities().slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => ({ key: `127.0.${n}.1`, outcome: 'new' })));

    await apply(config({ algorithm: 'ip-hash' }, ids(3)));
    running.engine.metrics.reset();
    for (let i = 0; i < 3; i++) await round(4);
    // A new algorithm starts the memory afresh: the first round is new, the next two stayed.
    expect(keys()).toEqual({ stayed: 8, moved: 0, rehomed: 0 });
  });

  it.each([
    { algorithm: 'consistent-hash', movesOthers: false },
    { algorithm: 'ip-hash', movesOthers: true },
  ])('$algorithm: when a target leaves, its keys are rehomed; other keys move only with a modulo hash', async ({ algorithm, movesOthers }) => {
    running = await startEngine(config({ algorithm }));
    const before = await round(40);
    await apply(config({ algorithm }, ids(3)));
    running.engine.metrics.reset();
    const after = await round(40);
    const leftS4 = before.filter((t) => t === 's4').length;
    const movedNeedlessly = before.filter((t, i) => t !== 's4' && after[i] !== t).length;
    expect(leftS4).toBeGreaterThan(0);
    expect(keys()).toEqual({ stayed: 40 - leftS4 - movedNeedlessly, moved: movedNeedlessly, rehomed: leftS4 });
    expect(movedNeedlessly > 0).toBe(movesOthers);
    const moved = affinities().find((a) => a?.outcome === 'rehomed');
    expect(moved).toMatchObject({ previous: 's4' });
  });

  it('a target that cannot take requests (draining) rehomes its keys; coming back, it takes keys from the others', async () => {
    running = await startEngine(config({ algorithm: 'consistent-hash' }, ids(3)));
    const before = await round(30);
    const onS2 = before.filter((t) => t === 's2').length;
    await apply(config({ algorithm: 'consistent-hash' }, ['s1', { to: 's2', drain: true }, 's3']));
    running.engine.metrics.reset();
    await round(30);
    expect(keys()).toEqual({ stayed: 30 - onS2, moved: 0, rehomed: onS2 });
    await apply(config({ algorithm: 'consistent-hash' }, ids(3)));
    running.engine.metrics.reset();
    await round(30);
    expect(keys()).toEqual({ stayed: 30 - onS2, moved: onS2, rehomed: 0 });
  });
});
