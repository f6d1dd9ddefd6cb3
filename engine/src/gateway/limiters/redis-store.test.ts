/**
 * The Redis-backed limits against a real redis-server (Debian's package), started here on a free loopback
 * port without persistence, and stopped mid-run. Skipped, with the reason in the title, where
 * redis-server is not installed (CI installs it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { freePort, rawHttp, rawUpstream, startEngine, waitFor } from '../../testing/harness.ts';
import { compileLimits } from './limit-set.ts';
import { TTL_GRACE_MS } from './redis-script.ts';
import { RedisLimitStore, storeScope, type LimitStoreEvent } from './redis-store.ts';

const REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
const missing = REDIS.status === 0 ? undefined : 'redis-server not found: install it (Debian: apt-get install -y redis-server; CI does)';
if (missing) process.stderr.write(`[redis-store] SKIPPED: ${missing}\n`);

/** A redis-server on 127.0.0.1:`port`, nothing written to disk; resolves once it accepts commands. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
  // Refused while redis-server starts: expected, and retried below.
  probe.on('error', () => {});
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        return child;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const BASE = 1_765_000_000_000; // an epoch time: the precision a real Date.now() needs
const HEADERS = {};

describe.skipIf(missing)(missing ? `redis store: SKIPPED, did not run: ${missing}` : 'limits shared through Redis', () => {
  let port: number;
  let server: ChildProcess | undefined;
  const stores: RedisLimitStore[] = [];
  // A generous timeout unless a test is about timeouts: a loaded machine must not turn a slow answer
  // into a store failure where the test compares decisions.
  const open = (options: Partial<ConstructorParameters<typeof RedisLimitStore>[0]> = {}) => {
    const store = new RedisLimitStore({ url: `redis://127.0.0.1:${port}`, onStoreError: 'open', timeoutMs: 2000, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });
  afterAll(() => stopRedis(server));

  it('decides exactly as the in-memory limiters, limit by limit and all-or-nothing', async () => {
    const store = open();
    await store.ready();
    const spec: fc.Arbitrary<LimitSpec> = fc.oneof(
      fc.record({
        algorithm: fc.constant('token-bucket' as const),
        rate: fc.constantFrom(1, 3, 10, 0.5),
        burst: fc.integer({ min: 1, max: 6 }),
        key: fc.constant('ip'),
      }),
      fc.record({
        algorithm: fc.constant('leaky-bucket' as const),
        rate: fc.constantFrom(1, 3, 10, 0.5, 1.5),
        burst: fc.integer({ min: 0, max: 5 }),
        delay: fc.integer({ min: 0, max: 3 }),
        key: fc.constant('ip'),
      }),
      fc.record({
        algorithm: fc.constant('leaky-bucket' as const),
        rate: fc.constantFrom(2, 10),
        burst: fc.integer({ min: 0, max: 5 }),
        nodelay: fc.constant(true),
        key: fc.constant('ip'),
      }),
      fc.record({
        algorithm: fc.constantFrom('fixed-window' as const, 'sliding-window-counter' as const),
        limit: fc.integer({ min: 1, max: 6 }),
        window: fc.constantFrom(100, 1000, 3000),
        key: fc.constant('ip'),
      }),
      fc.record({
        algorithm: fc.constant('gcra' as const),
        rate: fc.constantFrom(1, 3, 10, 7),
        burst: fc.integer({ min: 0, max: 5 }),
        key: fc.constant('ip'),
      }),
    );
    const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 50, noNaN: true })), {
      minLength: 1,
      maxLength: 40,
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 3 }), gaps, async (specs, g) => {
        const named = specs.map((s, i) => ({ spec: s, name: `p${i}` }));
        const memory = compileLimits(named);
        const scope = `equivalence-${run++}`;
        const shared = store.limitSet(named.map((limit) => ({ ...limit, scope })));
        let now = BASE;
        for (const gap of g) {
          now += gap;
          const expected = memory.decide('127.0.0.1', undefined, HEADERS, 0, now);
          const actual = await shared.decide('127.0.0.1', undefined, HEADERS, 0, now);
          expect(actual).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('two gateway instances share one limit', async () => {
    const [a, b] = [open(), open()];
    await Promise.all([a.ready(), b.ready()]);
    const perMinute: LimitSpec = { algorithm: 'fixed-window', limit: 5, window: 60_000, key: 'consumer' };
    const limit = { spec: perMinute, name: 'per-minute', scope: 'route-0' };
    const [onA, onB] = [a.limitSet([limit]), b.limitSet([limit])];
    const verdicts: boolean[] = [];
    for (let i = 0; i < 8; i++) verdicts.push((await (i % 2 ? onB : onA).decide('127.0.0.1', 'mobile', HEADERS, 0, BASE + i)).allowed);
    expect(verdicts).toEqual([true, true, true, true, true, false, false, false]);
    // Another scope (another route's limit) counts apart.
    expect((await b.limitSet([{ ...limit, scope: 'route-1' }]).decide('127.0.0.1', 'mobile', HEADERS, 1, BASE)).allowed).toBe(true);
  });

  it('each instance counts the decisions it carried out, for its inspector: the count itself stays shared', async () => {
    const [a, b] = [open(), open()];
    await Promise.all([a.ready(), b.ready()]);
    const perMinute = {
      spec: { algorithm: 'fixed-window', limit: 5, window: 60_000, key: 'consumer' } as LimitSpec,
      name: 'per-minute',
      scope: storeScope(null),
    };
    const perRoute = {
      spec: { algorithm: 'fixed-window', limit: 2, window: 60_000, key: 'consumer' } as LimitSpec,
      name: 'r',
      scope: storeScope(0),
    };
    // The gateway's limit sits in both routes' sets of instance a: one tally for it all the same.
    const [route0, route1, onB] = [a.limitSet([perMinute, perRoute]), a.limitSet([perMinute]), b.limitSet([perMinute])];
    const verdicts: boolean[] = [];
    verdicts.push((await route0.decide('127.0.0.1', 'mobile', HEADERS, 0, BASE)).allowed);
    verdicts.push((await route0.decide('127.0.0.1', 'mobile', HEADERS, 0, BASE + 1)).allowed);
    // Refused by the route's limit alone: the gateway's limit spent nothing, and counts nothing.
    verdicts.push((await route0.decide('127.0.0.1', 'mobile', HEADERS, 0, BASE + 2)).allowed);
    verdicts.push((await route1.decide('127.0.0.1', 'mobile', HEADERS, 1, BASE + 3)).allowed);
    verdicts.push((await onB.decide('127.0.0.1', 'mobile', HEADERS, 1, BASE + 4)).allowed);
    verdicts.push((await onB.decide('127.0.0.1', 'mobile', HEADERS, 1, BASE + 5)).allowed);
    verdicts.push((await route1.decide('127.0.0.1', 'scraper', HEADERS, 1, BASE + 6)).allowed);
    verdicts.push((await route1.decide('127.0.0.1', 'mobile', HEADERS, 1, BASE + 7)).allowed);
    expect(verdicts).toEqual([true, true, false, true, true, true, true, false]);

    expect(a.inspect('gateway', 'per-minute', 3)).toEqual({
      name: 'per-minute',
      limiter: 'fixed-window',
      keys: 2,
      maxKeys: 10_000,
      allowed: 4,
      rejected: 1,
      delayed: 0,
      evictedIdle: 0,
      evictedForced: 0,
      topByUse: [
        { key: 'consumer mobile', used: 3, rejected: 1 },
        { key: 'consumer scraper', used: 1, rejected: 0 },
      ],
      topByRejections: [{ key: 'consumer mobile', used: 3, rejected: 1 }],
    });
    expect(a.inspect('route-0', 'r', 3)).toMatchObject({
      allowed: 2,
      rejected: 1,
      topByRejections: [{ key: 'consumer mobile', rejected: 1 }],
    });
    expect(b.inspect('gateway', 'per-minute', 3)).toMatchObject({ allowed: 2, rejected: 0, keys: 1 });
    expect(b.inspect('route-0', 'r', 3)).toBeUndefined();
  });

  it("the gateway's inspector lists this instance's decisions for a limit kept in Redis, beside no shared totals", async () => {
    const users = await rawUpstream((_req, res) => res.end('ok'));
    const running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          store: { redis: `redis://127.0.0.1:${port}` },
          routes: [{ match: { path: '/*' }, to: users.url, rateLimit: { algorithm: 'fixed-window', limit: 3, window: '1m', key: 'ip' } }],
        },
      ],
    });
    try {
      // The gateway builds its stages (and connects its store) on first use: the inspector's read is one.
      running.engine.topology();
      await waitFor(() => running.events.find((e) => e.type === 'limiter.store' && e.state === 'up'), 5000, 'the store to connect');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await rawHttp(running.port('api'), 'GET /x HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n', '127.0.9.7')).status,
        );
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const [limit] = running.engine.topology().find((n) => n.id === 'api')!.gateway!.limits;
      expect(limit.inspection).toBeUndefined();
      expect(limit.local).toMatchObject({ allowed: 3, rejected: 2, topByRejections: [{ key: 'ip 127.0.9.7', used: 3, rejected: 2 }] });
    } finally {
      await running.stop();
      await users.close();
    }
  });

  it('a limit given another algorithm under the same name starts from new, never reading the state the other left', async () => {
    const store = open();
    await store.ready();
    const as = (spec: LimitSpec) => store.limitSet([{ spec, name: 'switched', scope: 'gateway' }]);
    const window: LimitSpec = { algorithm: 'fixed-window', limit: 5, window: 60_000, key: 'global' };
    for (let i = 0; i < 3; i++) await as(window).decide('127.0.0.1', undefined, HEADERS, 0, BASE + i);
    // The learner switches the limiter in the inspector: the key of the fixed window held fields the
    // sliding window reads as its own (its Lua failed on them, so every request was a store failure).
    for (const spec of [
      { algorithm: 'sliding-window-counter', limit: 5, window: 60_000, key: 'global' },
      { algorithm: 'gcra', rate: 1, burst: 4, key: 'global' },
      { algorithm: 'token-bucket', rate: 1, burst: 5, key: 'global' },
      { algorithm: 'leaky-bucket', rate: 1, burst: 4, nodelay: true, key: 'global' },
    ] as LimitSpec[]) {
      const outcome = await as(spec).decide('127.0.0.1', undefined, HEADERS, 0, BASE + 10);
      expect([spec.algorithm, outcome.storeError, outcome.allowed, outcome.decisions[0].remaining]).toEqual([
        spec.algorithm,
        undefined,
        true,
        4,
      ]);
    }
    expect((await as(window).decide('127.0.0.1', undefined, HEADERS, 0, BASE + 20)).decisions[0].remaining).toBe(1);
  });

  it('a key expires in Redis once its state is back to new', async () => {
    const store = open({ keyPrefix: 'ttl-test:' });
    await store.ready();
    const set = store.limitSet([{ spec: { algorithm: 'token-bucket', rate: 10, burst: 20, key: 'ip' }, name: 'b', scope: 'g' }]);
    for (let i = 0; i < 5; i++) await set.decide('127.0.0.9', undefined, HEADERS, 0, BASE);
    const client = new Redis({ port, host: '127.0.0.1' });
    try {
      // 5 tokens used at 10 a second: full again in 500 ms, kept TTL_GRACE_MS longer.
      const ttl = await client.pttl('ttl-test:g:b:token-bucket:127.0.0.9');
      expect(ttl).toBeGreaterThan(TTL_GRACE_MS);
      expect(ttl).toBeLessThanOrEqual(500 + TTL_GRACE_MS);
    } finally {
      client.disconnect();
    }
  });

  it('Redis stopped mid-run: the failure policy answers at once, an event says so, and the limits come back with it', async () => {
    const events: LimitStoreEvent[] = [];
    const openStore = open({ onState: (event) => events.push(event) });
    const closedStore = open({ onStoreError: 'closed' });
    await Promise.all([openStore.ready(), closedStore.ready()]);
    const spec: LimitSpec = { algorithm: 'gcra', rate: 1, burst: 1, key: 'ip' };
    const whenOpen = openStore.limitSet([{ spec, name: 'g', scope: 'outage' }]);
    const whenClosed = closedStore.limitSet([{ spec, name: 'g', scope: 'outage' }]);
    expect((await whenOpen.decide('127.0.0.2', undefined, HEADERS, 0, BASE)).storeError).toBeUndefined();

    await stopRedis(server);
    await waitFor(() => (openStore.up ? undefined : true), 5000, 'the store to notice Redis went away');
    const passed = await whenOpen.decide('127.0.0.2', undefined, HEADERS, 0, BASE + 10);
    expect(passed).toMatchObject({ allowed: true, refusedBy: -1 });
    expect(passed.storeError).toMatch(
      /^the limit store redis:\/\/127\.0\.0\.1:\d+ did not answer \(.+\); onStoreError open lets requests pass$/,
    );
    expect(whenOpen.fields(passed)).toEqual({ 'ratelimit-policy': '"g";q=2;w=2' });
    expect(whenOpen.report(passed, 1).reasons[0]).toMatch(/^gcra: ip 127\.0\.0\.2 not counted: the limit store .* -> pass$/);
    const refused = await whenClosed.decide('127.0.0.2', undefined, HEADERS, 0, BASE + 10);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 0, retryAfterMs: 1000 });
    expect(whenClosed.fields(refused)).toEqual({ 'ratelimit-policy': '"g";q=2;w=2', 'retry-after': '1' });
    expect(events).toEqual([
      { state: 'up', store: `redis://127.0.0.1:${port}`, onStoreError: 'open' },
      { state: 'down', store: `redis://127.0.0.1:${port}`, reason: expect.any(String), onStoreError: 'open' },
    ]);

    server = await startRedis(port);
    expect(await openStore.ready(10_000)).toBe(true);
    expect(events.at(-1)).toEqual({ state: 'up', store: `redis://127.0.0.1:${port}`, onStoreError: 'open' });
    const back = await whenOpen.decide('127.0.0.2', undefined, HEADERS, 0, BASE + 20);
    // A new Redis (no persistence): the key starts again as new.
    expect(back.allowed).toBe(true);
    expect(back.decisions[0]).toMatchObject({ allowed: true, remaining: 1 });
    expect(back.storeError).toBeUndefined();
  });

  it('a Redis that stops answering (SIGSTOP) costs a request the timeout, never a hang', async () => {
    const store = open({ timeoutMs: 50 });
    await store.ready();
    const set = store.limitSet([{ spec: { algorithm: 'fixed-window', limit: 3, window: 1000, key: 'ip' }, name: 'w', scope: 'stalled' }]);
    server!.kill('SIGSTOP');
    try {
      const started = performance.now();
      const outcome = await set.decide('127.0.0.3', undefined, HEADERS, 0, BASE);
      expect(outcome.storeError).toMatch(/timed out/i);
      expect(outcome.allowed).toBe(true);
      // Generous: the point is that it returns (50 ms timeout), not how fast.
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      server!.kill('SIGCONT');
    }
  });
});
