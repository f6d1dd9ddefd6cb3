/**
 * Health and resilience on real sockets: active health checks, outlier ejection, circuit breakers,
 * retries, backups, draining, slow start, and failover under traffic. Intervals are short so the
 * tests are quick, and every wait is for an event, never a fixed sleep, so a loaded machine is slower
 * but not flaky. Health-check timeouts stay generous (a loaded 2-core machine can take tens of ms to
 * answer a probe on loopback) wherever a healthy target must stay healthy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import type { EngineEvent, EventOf } from '../events.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let upstream: RawUpstream | undefined;
afterEach(async () => {
  await running?.stop();
  await upstream?.close();
  running = undefined;
  upstream = undefined;
});

const services = (extra: Record<string, Record<string, unknown>> = {}) =>
  ['s1', 's2', 's3'].map((id) => ({ id, kind: 'service', ...extra[id] }));
const config = (lb: Record<string, unknown>, extra: Record<string, Record<string, unknown>> = {}) => ({
  version: 1,
  nodes: [{ id: 'lb', kind: 'balancer', targets: ['s1', 's2', 's3'], ...lb }, ...services(extra)],
  traffic: [{ to: 'lb', rate: 1 }],
});

interface Answer {
  status: number;
  node: string | undefined;
  error: string | null;
  rid: string | null;
  retryAfter: string | null;
}

async function send(path = '/x', init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(running!.url('lb', path), init);
  const text = await res.text();
  let node: string | undefined;
  try {
    node = (JSON.parse(text) as { node?: string }).node;
  } catch {
    node = undefined;
  }
  return {
    status: res.status,
    node,
    error: res.headers.get('x-edgelab-error'),
    rid: res.headers.get('x-request-id'),
    retryAfter: res.headers.get('retry-after'),
  };
}

async function sendMany(n: number, path = '/x', init: RequestInit = {}): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) answers.push(await send(path, init));
  return answers;
}

function eventsOf<T extends EngineEvent['type']>(type: T): Array<EventOf<T>> {
  return running!.events.filter((e): e is EventOf<T> => e.type === type);
}

function waitForEvent<T extends EngineEvent['type']>(
  type: T,
  match: (e: EventOf<T>) => boolean,
  what: string,
  after = 0,
  timeoutMs = 10_000,
): Promise<EventOf<T>> {
  return waitFor(() => eventsOf(type).find((e) => e.seq > after && match(e)), timeoutMs, what);
}

function targetView(id: string): Record<string, unknown> {
  const lb = running!.engine.topology().find((n) => n.id === 'lb');
  return lb?.targets?.find((t) => t.id === id) as unknown as Record<string, unknown>;
}

async function apply(input: unknown): Promise<void> {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  await running!.engine.apply(result.config, input);
}

describe('active health checks', () => {
  it('take a dead target out after `fall` failed checks and bring it back after `rise` passed ones', async () => {
    running = await startEngine(config({ healthCheck: { interval: '250ms', timeout: '250ms', rise: 2, fall: 2 } }));
    const fault = await running.engine.injectFault({ target: 's2', type: 'down' });
    const down = await waitForEvent('target.health', (e) => e.target === 's2' && e.change === 'down', 's2 down');
    expect(down).toMatchObject({ node: 'lb', source: 'active', healthy: false, detail: { fall: 2, rise: 2 } });
    expect(down.reason).toMatch(/^2 checks failed in a row \(last: connection refused\)/);
    expect(eventsOf('target.health').some((e) => e.target === 's2' && e.change === 'check-failed' && e.seq < down.seq)).toBe(true);
    expect(targetView('s2')).toMatchObject({ eligible: false, health: { state: 'unhealthy', rise: 2, fall: 2 } });

    const answers = await sendMany(9);
    expect(answers.every((a) => a.status === 200 && a.node !== 's2')).toBe(true);
    const decision = eventsOf('request.forwarded').at(-1)!.decision;
    expect(decision.candidates?.find((c) => c.id === 's2')).toMatchObject({
      eligible: false,
      excluded: expect.stringMatching(/^health check failing \(connection refused\)/),
    });

    await running.engine.clearFault(fault.id);
    const up = await waitForEvent('target.health', (e) => e.target === 's2' && e.change === 'up', 's2 up', down.seq);
    expect(up).toMatchObject({ source: 'active', healthy: true });
    const after = await sendMany(6);
    expect(after.filter((a) => a.node === 's2').length).toBe(2);
  });

  it('a health path that answers 404 fails the check, and the event says why', async () => {
    upstream = await rawUpstream((req, res) => {
      res.writeHead(req.url === '/health' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ node: 'external' }));
    });
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'lb',
          kind: 'balancer',
          targets: [upstream.url, 's1'],
          healthCheck: { interval: '500ms', timeout: '500ms', rise: 1, fall: 1 },
        },
        { id: 's1', kind: 'service' },
      ],
      traffic: [{ to: 'lb', rate: 1 }],
    });
    const down = await waitForEvent('target.health', (e) => e.target === upstream!.url && e.change === 'down', 'external down');
    expect(down.reason).toBe(
      '1 check failed in a row (last: GET /health answered 404 (the target does not serve this path)); back after 1 check passed in a row',
    );
    expect(down.detail).toMatchObject({ status: 404 });
    expect((await sendMany(4)).map((a) => a.node)).toEqual(['s1', 's1', 's1', 's1']);
  });

  it('with every target failing its checks, the balancer answers 503 EDGE_NO_TARGET and says who was skipped and why', async () => {
    running = await startEngine({
      version: 1,
      nodes: [
        { id: 'lb', kind: 'balancer', targets: ['s1'], healthCheck: { interval: '50ms', timeout: '40ms', rise: 1, fall: 1 } },
        { id: 's1', kind: 'service' },
      ],
      traffic: [{ to: 'lb', rate: 1 }],
    });
    await running.engine.injectFault({ target: 's1', type: 'down' });
    await waitForEvent('target.health', (e) => e.target === 's1' && e.change === 'down', 's1 down');
    const answer = await send();
    expect(answer).toMatchObject({ status: 503, error: 'EDGE_NO_TARGET', retryAfter: '1' });
    const completed = eventsOf('request.completed').find((e) => e.rid === answer.rid)!;
    expect(completed.decision?.reason).toMatch(/^no eligible target: s1 health check failing \(connection refused\)$/);
  });
});

describe('outlier detection', () => {
  it('ejects a target after consecutive failures, for the base time, and it returns by itself', async () => {
    running = await startEngine(
      config({ outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '300ms', maxEjectionPercent: 50 } }, { s2: { errorRate: 1 } }),
    );
    const answers = await sendMany(9);
    expect(answers.filter((a) => a.status === 500).length).toBe(3);
    const ejected = await waitForEvent('target.health', (e) => e.change === 'ejected', 's2 ejected');
    expect(ejected).toMatchObject({
      target: 's2',
      source: 'passive',
      healthy: false,
      detail: { consecutiveFailures: 3, threshold: 3, ejectionMs: 300, timesEjected: 1 },
    });
    expect(ejected.reason).toMatch(/^3 consecutive failures reached the threshold of 3 \(last: status 500\): ejected for 300 ms/);
    // The third failure ejected it before the next pick: no more 500s while it is out.
    expect(answers.slice(-1)[0].status).toBe(200);
    expect(targetView('s2')).toMatchObject({ eligible: false, ejection: { ejected: true, timesEjected: 1 } });
    const returned = await waitForEvent('target.health', (e) => e.change === 'returned', 's2 returned', ejected.seq);
    expect(returned).toMatchObject({ target: 's2', healthy: true });
    // Failing again soon after: the second ejection lasts twice as long.
    await sendMany(9);
    const again = await waitForEvent('target.health', (e) => e.change === 'ejected', 'second ejection', returned.seq);
    expect(again.detail).toMatchObject({ timesEjected: 2, ejectionMs: 600 });
  });

  it('never ejects more than the share allowed, beyond the one target that may always be', async () => {
    running = await startEngine(
      config(
        { outlierDetection: { consecutiveFailures: 2, baseEjectionTime: '10s', maxEjectionPercent: 10 } },
        { s2: { errorRate: 1 }, s3: { errorRate: 1 } },
      ),
    );
    await sendMany(9);
    const changes = eventsOf('target.health').map((e) => `${e.target} ${e.change}`);
    expect(changes).toEqual(['s2 ejected', 's3 ejection-skipped']);
    const skipped = eventsOf('target.health')[1];
    expect(skipped.reason).toMatch(/but 1 of 3 targets are already ejected \(max 10%\)$/);
    expect(skipped.detail).toMatchObject({ ejectedTargets: 1, targets: 3, maxEjectionPercent: 10 });
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, half-opens after the cool-down, and closes when the trial succeeds', async () => {
    running = await startEngine(config({ circuitBreaker: { consecutiveFailures: 2, coolDown: '300ms', trialRequests: 1 } }));
    const fault = await running.engine.injectFault({ target: 's2', type: 'down' });
    const answers = await sendMany(6);
    expect(answers.filter((a) => a.status === 502).length).toBe(2);
    const opened = await waitForEvent('circuit.state', (e) => e.to === 'open', 'open');
    expect(opened).toMatchObject({
      node: 'lb',
      target: 's2',
      from: 'closed',
      detail: { failures: 2, consecutiveFailures: 2, coolDownMs: 300 },
    });
    expect(opened.reason).toBe('2 consecutive failures reached the threshold of 2 (last: EDGE_UPSTREAM_REFUSED)');
    expect(targetView('s2')).toMatchObject({ eligible: false, circuit: { state: 'open' } });
    const halfOpen = await waitForEvent('circuit.state', (e) => e.to === 'half-open', 'half-open', opened.seq);
    expect(halfOpen.reason).toBe('the 300 ms cool-down is over: admitting 1 trial request');
    await running.engine.clearFault(fault.id);
    await sendMany(3);
    const closed = await waitForEvent('circuit.state', (e) => e.to === 'closed', 'closed', halfOpen.seq);
    expect(closed).toMatchObject({ from: 'half-open', reason: '1 of 1 trial requests succeeded' });
    expect(eventsOf('circuit.state').map((e) => `${e.from}->${e.to}`)).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });
});

describe('no eligible target', () => {
  it('the 503 says when a target may be back: the end of an ejection or of a cool-down', async () => {
    const single = (lb: Record<string, unknown>) => ({
      version: 1,
      nodes: [
        { id: 'lb', kind: 'balancer', targets: ['s1'], ...lb },
        { id: 's1', kind: 'service' },
      ],
      traffic: [{ to: 'lb', rate: 1 }],
    });
    running = await startEngine(single({ outlierDetection: { consecutiveFailures: 1, baseEjectionTime: '2500ms' } }));
    await running.engine.injectFault({ target: 's1', type: 'down' });
    expect(await send()).toMatchObject({ status: 502, error: 'EDGE_UPSTREAM_REFUSED' });
    const ejected = await send();
    expect(ejected).toMatchObject({ status: 503, error: 'EDGE_NO_TARGET' });
    // 2.5 s of ejection left, rounded up to whole seconds (2 on a machine slow enough to lose half a second).
    expect(['2', '3']).toContain(ejected.retryAfter);
    expect(eventsOf('request.completed').find((e) => e.rid === ejected.rid)!.decision?.reason).toMatch(
      /^no eligible target: s1 ejected for \d+ ms more \(ejection 1\)$/,
    );
    await running.stop();

    running = await startEngine(single({ circuitBreaker: { consecutiveFailures: 1, coolDown: '4s' } }));
    await running.engine.injectFault({ target: 's1', type: 'down' });
    expect((await send()).status).toBe(502);
    const open = await send();
    expect(open).toMatchObject({ status: 503, error: 'EDGE_NO_TARGET' });
    expect(['3', '4']).toContain(open.retryAfter);
    expect(eventsOf('request.completed').find((e) => e.rid === open.rid)!.decision?.reason).toMatch(
      /^no eligible target: s1 circuit open \(\d+ ms of cool-down left\)$/,
    );
  });
});

describe('retries', () => {
  it('a refused GET is retried at another target: the client never sees the failure, the trace shows both tries', async () => {
    running = await startEngine(config({ retries: { tries: 2 } }));
    await running.engine.injectFault({ target: 's2', type: 'down' });
    const answers = await sendMany(6);
    expect(answers.every((a) => a.status === 200 && a.node !== 's2')).toBe(true);
    const retried = eventsOf('request.retry');
    // Every first try that met s2 was retried (a retry's pick advances the rotation, as in nginx).
    expect(retried.length).toBe(eventsOf('request.forwarded').filter((e) => e.to === 's2' && e.try === 1).length);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried[0]).toMatchObject({
      node: 'lb',
      try: 1,
      target: 's2',
      failure: 'EDGE_UPSTREAM_REFUSED',
      retrying: true,
      budget: { retries: 0, limit: 3 },
    });
    expect(retried[0].reason).toMatch(/^connect-error on try 1 of 2/);
    const tries = eventsOf('request.forwarded').filter((e) => e.rid === retried[0].rid);
    expect(tries.map((e) => [e.try, e.to])).toEqual([
      [1, 's2'],
      [2, retried[0].to],
    ]);
    expect(tries[1].decision.reason).toMatch(/left out: s2 already tried/);
  });

  it('a 5xx is retried for an idempotent method, and passed through for a POST', async () => {
    running = await startEngine(config({ retries: { tries: 3 } }, { s1: { errorRate: 1 } }));
    const gets = await sendMany(3);
    expect(gets.map((a) => a.status)).toEqual([200, 200, 200]);
    const posts = await sendMany(3, '/x', { method: 'POST' });
    expect(posts.map((a) => a.status).sort()).toEqual([200, 200, 500]);
    const refused = eventsOf('request.retry').find((e) => !e.retrying)!;
    expect(refused).toMatchObject({ failure: 'status 500', target: 's1' });
    expect(refused.reason).toMatch(/^POST is not retried once the request may have reached the target/);
  });

  it('a request with a body is not retried, even after a connect error', async () => {
    running = await startEngine(config({ retries: { tries: 3 } }));
    await running.engine.injectFault({ target: 's1', type: 'down' });
    const answer = await send('/x', { method: 'PUT', body: 'hello' });
    expect(answer).toMatchObject({ status: 502, error: 'EDGE_UPSTREAM_REFUSED' });
    expect(eventsOf('request.retry')[0]).toMatchObject({
      retrying: false,
      reason: 'the request has a body, and only requests without one are replayed',
    });
  });

  it('a try that exceeds the per-try timeout is retried at a faster target', async () => {
    running = await startEngine(
      config({ algorithm: 'round-robin', retries: { tries: 2, perTryTimeout: '150ms' } }, { s1: { latency: '2s' } }),
    );
    const answer = await send();
    expect(answer).toMatchObject({ status: 200, node: 's2' });
    expect(eventsOf('request.retry')[0]).toMatchObject({ target: 's1', failure: 'EDGE_UPSTREAM_TIMEOUT', retrying: true, to: 's2' });
  });

  it('an empty retry budget allows no retry, and says so with its numbers', async () => {
    running = await startEngine(config({ retries: { tries: 3, budget: { percent: 0, minConcurrent: 0 } } }));
    await running.engine.injectFault({ target: 's1', type: 'down' });
    const answer = await send();
    expect(answer.status).toBe(502);
    expect(eventsOf('request.retry')[0]).toMatchObject({
      retrying: false,
      reason: 'retry budget spent: 0 retries in flight, limit max(0, 0% of 1 active) = 0',
      budget: { retries: 0, limit: 0, active: 1 },
    });
  });
});

describe('backups and draining', () => {
  it('backups take traffic only when no primary is eligible; a draining target finishes what it has', async () => {
    const targets = (drain: boolean) => [
      { to: 's1', drain },
      { to: 's2', drain },
      { to: 's3', backup: true },
    ];
    const input = (drain: boolean) => config({ targets: targets(drain) }, { s1: { latency: '300ms' } });
    running = await startEngine(input(false));
    const primaries = await sendMany(4);
    expect(new Set(primaries.map((a) => a.node))).toEqual(new Set(['s1', 's2']));
    expect(eventsOf('request.forwarded').at(-1)!.decision.reason).toMatch(/s3 backup \(used only when no primary is eligible\)/);

    // A slow request is in flight on s1 when both primaries start draining: it still finishes there.
    const inFlight = send();
    await waitFor(() => targetView('s1').inFlight === 1, 5_000, 'a request in flight on s1');
    await apply(input(true));
    expect(targetView('s1')).toMatchObject({ draining: true, eligible: false, excluded: 'draining' });
    expect(await inFlight).toMatchObject({ status: 200, node: 's1' });
    expect((await sendMany(3)).map((a) => a.node)).toEqual(['s3', 's3', 's3']);
  });

  it('with every target draining, the 503 names each one', async () => {
    running = await startEngine(config({ targets: ['s1', 's2', 's3'].map((to) => ({ to, drain: true })) }));
    const answer = await send();
    expect(answer).toMatchObject({ status: 503, error: 'EDGE_NO_TARGET', retryAfter: '1' });
    const completed = eventsOf('request.completed').find((e) => e.rid === answer.rid)!;
    expect(completed.decision).toMatchObject({
      reason: 'no eligible target: s1 draining; s2 draining; s3 draining',
      candidates: ['s1', 's2', 's3'].map((id) => ({ id, eligible: false, excluded: 'draining' })),
    });
  });
});

describe('defaults', () => {
  it('without health settings a dead target still gets its share and fails (the round-robin lesson relies on it)', async () => {
    running = await startEngine(config({}));
    await running.engine.injectFault({ target: 's2', type: 'down' });
    const answers = await sendMany(6);
    expect(answers.filter((a) => a.error === 'EDGE_UPSTREAM_REFUSED').length).toBe(2);
    expect(eventsOf('request.retry')).toEqual([]);
    expect(targetView('s2')).toEqual({
      id: 's2',
      weight: 1,
      inFlight: 0,
      picks: expect.any(Number),
      eligible: true,
      address: expect.any(String),
    });
  });
});

describe('failover under traffic', () => {
  /** Keep `clients` loops of GETs going until stopped; every answer is kept with when it was sent. */
  function traffic(clients: number) {
    const answers: Array<Answer & { sentAt: number }> = [];
    let stopped = false;
    const loops = Array.from({ length: clients }, async () => {
      while (!stopped) {
        const sentAt = performance.timeOrigin + performance.now();
        // A connection the balancer cut would reject the fetch: that counts as a lost request.
        const answer = await send().catch((error: Error) => ({
          status: 0,
          node: undefined,
          error: error.message,
          rid: null,
          retryAfter: null,
        }));
        answers.push({ ...answer, sentAt });
      }
    });
    return {
      answers,
      count: () => answers.length,
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
      },
    };
  }

  it('a target killed under traffic is taken out, no idempotent request is lost, and it comes back through slow start', async () => {
    running = await startEngine(
      config(
        {
          healthCheck: { interval: '200ms', timeout: '200ms', rise: 2, fall: 3 },
          outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '500ms', maxEjectionPercent: 34 },
          // Four clients can have at most four retries at once: the budget never refuses one here.
          retries: { tries: 3, budget: { minConcurrent: 4 } },
          slowStart: { window: '3s', minWeightPercent: 10 },
        },
        { s1: { latency: '5ms' }, s2: { latency: '5ms' }, s3: { latency: '5ms' } },
      ),
    );
    const load = traffic(4);
    await waitFor(() => load.count() > 40, 10_000, 'traffic before the kill');
    const fault = await running.engine.injectFault({ target: 's2', type: 'down' });
    // Passive detection usually ejects it first (three refusals come fast); the checks then hold it out.
    const down = await waitForEvent('target.health', (e) => e.target === 's2' && e.change === 'down', 's2 failing its checks');
    const atDown = load.count();
    await waitFor(() => load.count() > atDown + 40, 10_000, 'traffic while s2 is out');
    await running.engine.clearFault(fault.id);
    const up = await waitForEvent('target.health', (e) => e.target === 's2' && e.change === 'up', 's2 healthy again', down.seq);
    expect(up.reason).toMatch(/warming up over 3000 ms from 10% of its weight$/);
    const atUp = load.count();
    await waitFor(() => load.answers.slice(atUp).some((a) => a.node === 's2'), 10_000, 's2 serving again');
    // Slow start shows in the decisions: s2 was held back at least once while warming.
    await waitFor(
      () => eventsOf('request.forwarded').some((e) => /s2 slow start \(at \d+% of its weight/.test(e.decision.reason)),
      10_000,
      'a slow-start exclusion',
    );
    await load.stop();

    // Retries recovered every request that met the dead target: refused ones and those cut in flight.
    expect(load.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(eventsOf('request.retry').filter((e) => e.target === 's2' && e.retrying).length).toBeGreaterThan(0);
    // Once its checks failed, and until it came back, nothing was sent to s2.
    expect(eventsOf('request.forwarded').filter((e) => e.to === 's2' && e.seq > down.seq && e.seq < up.seq)).toEqual([]);
    expect(targetView('s2')).toMatchObject({ health: { state: 'healthy' } });
  });

  it('without retries only the requests that met the dead target before detection fail', async () => {
    running = await startEngine(
      config(
        { outlierDetection: { consecutiveFailures: 2, baseEjectionTime: '30s', maxEjectionPercent: 34 } },
        { s1: { latency: '5ms' }, s2: { latency: '5ms' }, s3: { latency: '5ms' } },
      ),
    );
    const load = traffic(4);
    await waitFor(() => load.count() > 40, 10_000, 'traffic before the kill');
    await running.engine.injectFault({ target: 's2', type: 'down' });
    const ejected = await waitForEvent('target.health', (e) => e.target === 's2' && e.change === 'ejected', 's2 ejected');
    const atOut = load.count();
    await waitFor(() => load.count() > atOut + 60, 10_000, 'traffic after the ejection');
    await load.stop();
    const failed = load.answers.filter((a) => a.status !== 200);
    // Two consecutive failures eject, plus whatever was in flight to s2 at that moment (at most one per client).
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.length).toBeLessThanOrEqual(2 + 4);
    expect(failed.every((a) => a.sentAt < ejected.ts)).toBe(true);
  });
});

describe('topology', () => {
  it('shows each target with its health, ejection and circuit state', async () => {
    running = await startEngine(
      config({
        healthCheck: { interval: '500ms', timeout: '500ms' },
        outlierDetection: {},
        circuitBreaker: {},
        targets: ['s1', 's2', { to: 's3', backup: true }],
      }),
    );
    await waitFor(() => (targetView('s1').health as { lastCheck?: unknown } | undefined)?.lastCheck, 5_000, 'a first check');
    expect(targetView('s1')).toMatchObject({
      id: 's1',
      eligible: true,
      health: { state: 'healthy', rise: 2, fall: 3, lastCheck: { passed: true, reason: 'GET /health answered 200' } },
      ejection: { ejected: false, timesEjected: 0, consecutiveFailures: 0 },
      circuit: { state: 'closed', failures: 0 },
    });
    expect(targetView('s3')).toMatchObject({ backup: true, eligible: false, excluded: 'backup (used only when no primary is eligible)' });
  });
});
