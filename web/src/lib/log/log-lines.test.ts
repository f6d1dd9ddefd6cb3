import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../../../engine/src/events.ts';
import type { Fault } from '../api-types.ts';
import { cacheHitPath, happyPath, refreshPath, refusedPath, retriedPath, revalidatedPath } from '../traces/fixtures.ts';
import { TraceStore, type RequestEvent } from '../traces/trace-store.ts';
import {
  aroundConsumer,
  cachePurgedEntry,
  circuitEntry,
  connectionEntry,
  faultEntry,
  healthEntry,
  LogBuffer,
  nodeStateEntry,
  refreshEntry,
  requestEntry,
  spanOf,
  tlsCertificateEntry,
  tlsConnectionEntry,
  flowStoppedEntry,
  trafficEntry,
} from './log-lines.ts';

function traceOf(events: RequestEvent[]) {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return store.get(events[0].rid)!;
}

describe('log lines', () => {
  it('say what the proxy’s cache said (X-Cache), and the origin’s 304 when it revalidated', () => {
    expect(requestEntry(traceOf(cacheHitPath())).text).toBe('GET /orders/3 → 200 via edge in 0.4 ms · X-Cache HIT');
    expect(requestEntry(traceOf(revalidatedPath())).text).toBe('GET /orders/3 → 200 via edge→api→orders-1 in 28 ms · X-Cache REVALIDATED (origin 304)');
  });

  it('call a background refresh one, from the proxy that sent it', () => {
    const { events, settled } = refreshPath();
    const store = new TraceStore();
    for (const event of events) store.apply(event);
    expect(store.get('f1')!.done).toBe(false);
    const trace = store.refreshed(settled);
    expect(trace.done).toBe(true);
    expect(refreshEntry(trace)).toMatchObject({
      kind: 'request',
      rid: 'f1',
      outcome: 'redirect',
      text: 'background refresh GET /orders/3 → 304 via edge→api→orders-1 in 27 ms · X-Cache REVALIDATED',
    });
  });

  it('say what a purge dropped', () => {
    const event = { type: 'cache.purged', seq: 1, ts: 1, node: 'edge', prefix: '/orders/', entries: 7 } as EventOf<'cache.purged'>;
    expect(cachePurgedEntry(event).text).toBe('cache of edge purged: 7 stored responses dropped (everything under /orders/)');
    expect(cachePurgedEntry({ ...event, prefix: undefined, url: '/orders/3', entries: 1 }).text).toBe('cache of edge purged: 1 stored response dropped (/orders/3)');
  });

  it('spell out a completed request with its route and the entry node’s duration', () => {
    expect(requestEntry(traceOf(happyPath()))).toMatchObject({
      kind: 'request',
      rid: 'r1',
      outcome: 'ok',
      text: 'GET /users/7 → 200 via edge→api→users→users-2 in 45 ms',
      target: 'users-2',
    });
  });

  it('name the error code and the target that never answered', () => {
    expect(requestEntry(traceOf(refusedPath()))).toMatchObject({
      outcome: 'edge-error',
      text: 'GET /users/7 → 502 EDGE_UPSTREAM_REFUSED via edge→api→users→users-1 ✕ in 5.0 ms',
      target: 'users-1',
    });
  });

  it('name the consumer a gateway found, and a throttled request as throttled', () => {
    const events = happyPath().map((e) =>
      e.type === 'request.completed' && e.node === 'edge'
        ? { ...e, status: 429, error: 'EDGE_RATE_LIMITED' as const }
        : e.type === 'request.completed' && e.node === 'api'
          ? { ...e, consumer: 'mobile' }
          : e,
    );
    const line = requestEntry(traceOf(events));
    expect(line).toMatchObject({ outcome: 'throttled', consumer: 'mobile', text: expect.stringMatching(/^GET \/users\/7 as mobile → 429 EDGE_RATE_LIMITED/) });
    // The log shows the name in its colour, between the words around it.
    const around = aroundConsumer(line)!;
    expect(around.before).toBe('GET /users/7 as ');
    expect(around.after).toMatch(/^ → 429 EDGE_RATE_LIMITED via edge→api→users→users-2 in /);
    expect(aroundConsumer(requestEntry(traceOf(happyPath())))).toBeUndefined();
    expect(requestEntry(traceOf(happyPath()))).not.toHaveProperty('consumer');
  });

  it('describe node state changes', () => {
    const event = {
      type: 'node.state',
      seq: 1,
      ts: 1,
      node: 'users-1',
      kind: 'service',
      state: 'stopped',
      port: null,
      reason: 'fault: down',
    } as const;
    expect(nodeStateEntry(event, 'up').text).toBe('users-1 (service) up → stopped: fault: down');
    expect(nodeStateEntry({ ...event, state: 'up', port: 9001, reason: undefined }, 'stopped').text).toBe(
      'users-1 (service) stopped → up on :9001',
    );
  });

  it('describe faults', () => {
    const fault: Fault = { id: 'f1', target: 'users-1', type: 'down', source: 'api', startedAt: 1 };
    expect(faultEntry({ type: 'fault.started', seq: 1, ts: 1, fault }).text).toBe(
      'fault f1 injected: users-1 down: its listener is closed, connections are refused',
    );
    expect(faultEntry({ type: 'fault.ended', seq: 2, ts: 2, fault, reason: 'cleared' }).text).toBe(
      'fault f1 cleared: users-1 down: it listens again',
    );
  });

  it('say what each fault type does, with its parameters', () => {
    const latency: Fault = { id: 'f2', target: 'users-1', type: 'latency', ms: 300, jitter: 50, source: 'api', startedAt: 1 };
    expect(faultEntry({ type: 'fault.started', seq: 1, ts: 1, fault: latency }).text).toBe(
      'fault f2 injected: users-1 latency: each request waits before it is handled (300 ms ± 50 ms added to each request)',
    );
    const partition: Fault = {
      id: 'f3',
      target: 'api->users',
      type: 'partition',
      mode: 'drop',
      source: 'scenario',
      startedAt: 1,
      scenario: 0,
    };
    expect(faultEntry({ type: 'fault.started', seq: 1, ts: 1, fault: partition }).text).toBe(
      'fault f3 injected by the scenario: api->users partition: connections on this edge fail; other edges are untouched (drop: connects hang until the connect timeout)',
    );
    expect(faultEntry({ type: 'fault.ended', seq: 2, ts: 2, fault: partition, reason: 'expired' }).text).toBe(
      'fault f3 ended (its scenario time was up): api->users partition: connections on the edge work again',
    );
    const errors: Fault = { id: 'f4', target: 'users-1', type: 'errors', rate: 1, status: 503, source: 'api', startedAt: 1 };
    expect(faultEntry({ type: 'fault.ended', seq: 2, ts: 2, fault: errors, reason: 'cleared' }).text).toBe(
      'fault f4 cleared: users-1 errors: requests are handled normally again',
    );
  });

  it('describe traffic changes', () => {
    const event: EventOf<'traffic.state'> = {
      type: 'traffic.state',
      seq: 1,
      ts: 1,
      running: true,
      sent: 0,
      flows: [{ name: 'browse', to: 'edge', rate: 4, clients: 6 }],
    };
    expect(trafficEntry(event).text).toBe('traffic running: browse 4 req/s → edge');
    expect(trafficEntry({ ...event, running: false }).text).toBe('traffic paused');
    const stopped: EventOf<'traffic.flow-stopped'> = {
      type: 'traffic.flow-stopped',
      seq: 2,
      ts: 2,
      flow: 'abuser',
      node: 'api',
      reason: 'entry-removed',
      message: 'flow "abuser" stopped: it enters at "api", which the config applied removed',
    };
    expect(flowStoppedEntry(stopped)).toEqual({ kind: 'traffic', ts: 2, text: 'flow "abuser" stopped: it enters at "api", which the config applied removed' });
  });
});

describe('health and circuit lines', () => {
  const health = (
    change: EventOf<'target.health'>['change'],
    source: 'active' | 'passive',
    healthy: boolean,
    reason: string,
    detail: EventOf<'target.health'>['detail'],
  ): EventOf<'target.health'> => ({
    type: 'target.health',
    seq: 1,
    ts: 10,
    node: 'users',
    target: 'users-2',
    source,
    change,
    healthy,
    reason,
    detail,
  });

  it('describe an ejection by passive outlier detection, with the engine’s sentence as detail', () => {
    const reason =
      '5 consecutive failures reached the threshold of 5 (last: EDGE_UPSTREAM_REFUSED): ejected for 30000 ms (ejection 1: 30000 ms × 1, at most 300000 ms)';
    const entry = healthEntry(
      health('ejected', 'passive', false, reason, {
        consecutiveFailures: 5,
        threshold: 5,
        ejectionMs: 30000,
        timesEjected: 1,
        ejectedTargets: 1,
        targets: 3,
        maxEjectionPercent: 50,
      }),
    );
    expect(entry).toMatchObject({ kind: 'health', ts: 10, detail: reason });
    expect(entry.text).toBe('users-2 ejected for 30 s after 5 consecutive failures (balancer users, ejection 1, 1 of 3 targets out)');
    const rate = health('ejected', 'passive', false, 'failure rate ...', {
      failures: 3,
      requests: 4,
      failurePercent: 75,
      thresholdPercent: 50,
      windowMs: 1000,
      ejectionMs: 60000,
      timesEjected: 2,
      ejectedTargets: 1,
      targets: 3,
      maxEjectionPercent: 50,
    });
    expect(healthEntry(rate).text).toBe(
      'users-2 ejected for 60 s after a 75% failure rate (3 of 4 requests in 1 s) (balancer users, ejection 2, 1 of 3 targets out)',
    );
  });

  it('describe a return, and an ejection the max share forbade', () => {
    expect(healthEntry(health('returned', 'passive', true, 'the ejection time is over: back in rotation', { timesEjected: 1 })).text).toBe(
      'users-2 returned to rotation: its ejection time is over (balancer users)',
    );
    const skipped = health(
      'ejection-skipped',
      'passive',
      true,
      '5 consecutive failures reached the threshold of 5, but 1 of 3 targets are already ejected (max 50%)',
      {
        consecutiveFailures: 5,
        threshold: 5,
        ejectedTargets: 1,
        targets: 3,
        maxEjectionPercent: 50,
      },
    );
    expect(healthEntry(skipped).text).toBe(
      'users-2 not ejected despite 5 consecutive failures: 1 of 3 targets are already ejected (at most 50% may be) (balancer users)',
    );
  });

  it('describe active health checks: each check against its threshold, then down and up', () => {
    const failed = health('check-failed', 'active', true, 'check failed: status 503 (1 of 3 failures in a row take it out)', {
      streak: 1,
      rise: 2,
      fall: 3,
      durationMs: 4.2,
      status: 503,
    });
    expect(healthEntry(failed).text).toBe(
      'users-2 failed a health check (status 503 in 4.2 ms): 1 of 3 failures in a row mark it down (balancer users)',
    );
    const passed = health('check-passed', 'active', false, 'check passed: status 200 (1 of 2 passes in a row bring it back)', {
      streak: 1,
      rise: 2,
      fall: 3,
      durationMs: 3,
      status: 200,
    });
    expect(healthEntry(passed).text).toBe(
      'users-2 passed a health check (status 200 in 3.0 ms): 1 of 2 passes in a row bring it back (balancer users)',
    );
    const down = health(
      'down',
      'active',
      false,
      '3 checks failed in a row (last: connection refused); back after 2 checks passed in a row',
      { streak: 3, rise: 2, fall: 3, durationMs: 1 },
    );
    expect(healthEntry(down)).toMatchObject({
      text: 'users-2 is down: 3 health checks failed in a row, no new requests go to it until 2 checks pass in a row (balancer users)',
      detail: '3 checks failed in a row (last: connection refused); back after 2 checks passed in a row',
    });
    const up = health('up', 'active', true, '2 checks passed in a row: back in rotation', {
      streak: 2,
      rise: 2,
      fall: 3,
      durationMs: 2,
      status: 200,
    });
    expect(healthEntry(up).text).toBe('users-2 is up again: 2 health checks passed in a row, back in rotation (balancer users)');
  });

  it('describe each circuit breaker transition', () => {
    const base = { type: 'circuit.state', seq: 1, ts: 20, node: 'users', target: 'users-2' } as const;
    const detail = { consecutiveFailures: 5, coolDownMs: 10000, trialRequests: 1 };
    const open: EventOf<'circuit.state'> = {
      ...base,
      from: 'closed',
      to: 'open',
      reason: '5 consecutive failures reached the threshold of 5 (last: status 503)',
      detail: { ...detail, failures: 5 },
    };
    expect(circuitEntry(open)).toMatchObject({
      kind: 'circuit',
      ts: 20,
      text: 'circuit to users-2 closed → open: after 5 consecutive failures, requests skip users-2 for 10 s (balancer users)',
      detail: '5 consecutive failures reached the threshold of 5 (last: status 503)',
    });
    const half: EventOf<'circuit.state'> = {
      ...base,
      from: 'open',
      to: 'half-open',
      reason: 'the 10000 ms cool-down is over: admitting 1 trial request',
      detail,
    };
    expect(circuitEntry(half).text).toBe(
      'circuit to users-2 open → half-open: the cool-down is over, 1 trial request may test users-2 (balancer users)',
    );
    const closed: EventOf<'circuit.state'> = {
      ...base,
      from: 'half-open',
      to: 'closed',
      reason: '1 of 1 trial requests succeeded',
      detail: { ...detail, trialSuccesses: 1 },
    };
    expect(circuitEntry(closed).text).toBe(
      'circuit to users-2 half-open → closed: 1 trial request succeeded, users-2 takes requests again (balancer users)',
    );
    const reopened: EventOf<'circuit.state'> = {
      ...base,
      from: 'half-open',
      to: 'open',
      reason: 'a trial request failed (status 503)',
      detail: { ...detail, trialSuccesses: 0 },
    };
    expect(circuitEntry(reopened).text).toBe(
      'circuit to users-2 half-open → open: after a trial request failed, requests skip users-2 for 10 s (balancer users)',
    );
  });

  it('say spans of time as a person does', () => {
    expect([spanOf(30000), spanOf(1500), spanOf(250), spanOf(12345)]).toEqual(['30 s', '1.5 s', '250 ms', '12.3 s']);
  });

  it('spell a retried request’s route with the try that never arrived', () => {
    expect(requestEntry(traceOf(retriedPath())).text).toBe('GET /users/7 → 200 via edge→api→users→users-2 ✕→users-3 in 26 ms');
    expect(requestEntry(traceOf(retriedPath())).target).toBe('users-3');
  });
});

describe('LogBuffer', () => {
  it('keeps the newest lines first, within its capacity, with stable ids', () => {
    const log = new LogBuffer(3);
    log.push([1, 2].map((n) => ({ kind: 'config' as const, ts: n, text: `line ${n}` })));
    log.push([3, 4].map((n) => ({ kind: 'config' as const, ts: n, text: `line ${n}` })));
    expect(log.lines.map((l) => [l.id, l.text])).toEqual([
      [4, 'line 4'],
      [3, 'line 3'],
      [2, 'line 2'],
    ]);
  });

  it('hands out a new array after a change and the same one otherwise', () => {
    const log = new LogBuffer();
    const before = log.lines;
    log.push([]);
    expect(log.lines).toBe(before);
    log.push([{ kind: 'config', ts: 1, text: 'x' }]);
    expect(log.lines).not.toBe(before);
  });
});

describe('connection lines (l4 balancer)', () => {
  const decision = { stage: 'pick' as const, algorithm: 'round-robin', reason: 'round-robin: s2 is next in rotation (position 2 of 3)' };
  const base = { seq: 1, ts: 5, node: 'lb', connection: 'c7' };

  it('says one pick serves every request the connection will carry, with the pick as detail', () => {
    const entry = connectionEntry({ type: 'connection.opened', ...base, peer: '127.0.0.1:50000', to: 's2', decision });
    expect(entry).toMatchObject({ kind: 'connection', detail: decision.reason });
    expect(entry.text).toBe('connection c7 from 127.0.0.1:50000 → s2: one pick for every request it will carry (l4 balancer lb)');
  });

  it('tells what rode a closed connection, and a failed connect with its code', () => {
    const closed = { type: 'connection.closed' as const, ...base, to: 's2', durationMs: 2500, bytesUp: 900, bytesDown: 4096, requests: 12 };
    expect(connectionEntry(closed).text).toBe(
      'connection c7 → s2 closed after 2.5 s; carried 12 requests, 900 B up, 4.0 kB down (l4 balancer lb)',
    );
    const failed = connectionEntry({ ...closed, durationMs: 1.2, bytesUp: 0, bytesDown: 0, requests: 0, error: 'EDGE_UPSTREAM_REFUSED' });
    expect(failed.text).toMatch(/^connection c7 → s2 failed \(EDGE_UPSTREAM_REFUSED\) after .*; carried 0 requests/);
  });
});

describe('TLS lines', () => {
  it('says where a TLS proxy’s certificate is and how to trust it, with its whole fingerprint in the detail', () => {
    const fingerprint256 = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
    const entry = tlsCertificateEntry({
      type: 'tls.certificate',
      seq: 1,
      ts: 10,
      node: 'edge',
      tls: { fingerprint256, certFile: '/tmp/edgelab-tls/edge.pem', selfSigned: true, validTo: '2026-12-13T00:00:00.000Z', protocols: ['h2', 'http/1.1'] },
    });
    expect(entry.text).toBe(
      'edge: TLS with a self-signed certificate /tmp/edgelab-tls/edge.pem (SHA-256 AB:CD:EF:01:23:45:67:89…); trust it with curl --cacert /tmp/edgelab-tls/edge.pem',
    );
    expect(entry.detail).toBe(`SHA-256 ${fingerprint256}; h2 and http/1.1 by ALPN`);
  });

  it('gives each handshake its protocol and time, or why it failed', () => {
    const base = { type: 'tls.connection', seq: 2, ts: 11, node: 'edge', peer: '127.0.1.1' } as const;
    const established: EventOf<'tls.connection'> = { ...base, outcome: 'established', protocol: 'h2', tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', handshakeMs: 3.14, resumed: true };
    expect(tlsConnectionEntry(established).text).toBe('edge: TLS connection from 127.0.1.1: h2, TLSv1.3 TLS_AES_128_GCM_SHA256, handshake 3.1 ms (resumed)');
    expect(tlsConnectionEntry({ ...base, outcome: 'failed', handshakeMs: 0.5, reason: 'ERR_SSL_HTTP_REQUEST' }).text).toBe(
      'edge: TLS handshake from 127.0.1.1 failed after 0.5 ms: ERR_SSL_HTTP_REQUEST',
    );
  });
});
