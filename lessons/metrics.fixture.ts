/** Synthetic metric snapshots for the checker and machine tests: only the numbers a test cares about. */
import type { ClientMetrics, ConsumerMetrics, KeyMetrics, NodeMetrics, TlsMetrics, XCacheWord } from '../engine/src/events.ts';
import type { MetricsByNode } from './format.ts';

export interface NodeNumbers {
  kind?: NodeMetrics['kind'];
  requests?: number;
  inFlight?: number;
  errors?: number;
  ratePerSecond?: number;
  statusClasses?: Partial<NodeMetrics['statusClasses']>;
  errorCodes?: NodeMetrics['errorCodes'];
  latency?: Partial<NodeMetrics['latency']>;
  /** The last seconds' requests and latency (`recent`); none by default. */
  recent?: { requests?: number; latency?: Partial<NodeMetrics['latency']> };
  /** A gateway's per-consumer counts: `{ abuser: { requests: 9, statusClasses: { '4xx': 4 }, errorCodes: { EDGE_RATE_LIMITED: 4 } } }` */
  consumers?: Record<string, ConsumerNumbers>;
  /** A caching proxy's X-Cache counts: `{ HIT: 30, MISS: 10 }` (the other words 0). */
  cache?: Partial<Record<XCacheWord, number>>;
  /** A TLS proxy's counts: `{ handshakes: 4, requests: { h2: 90 } }` (the others 0). */
  tls?: { handshakes?: number; failed?: number; resumed?: number; requests?: Partial<TlsMetrics['requests']> };
  /** A flow's first entry: its clients' outcomes `{ requests: 200, '2xx': 199, lost: 1 }` (the others 0). */
  clients?: Partial<ClientMetrics>;
  /** A balancer's returning keys `{ stayed: 40, moved: 2 }` (the others 0). */
  keys?: Partial<KeyMetrics>;
  /** Faults active on it now (absent: none). */
  activeFaults?: number;
  /** Of those, the ones a scenario started (absent: none). */
  scenarioFaults?: number;
}

export interface ConsumerNumbers {
  requests?: number;
  statusClasses?: Partial<NodeMetrics['statusClasses']>;
  errorCodes?: NodeMetrics['errorCodes'];
}

export function nodeMetrics(n: NodeNumbers = {}): NodeMetrics {
  return {
    kind: n.kind ?? 'service',
    requests: n.requests ?? 0,
    inFlight: n.inFlight ?? 0,
    errors: n.errors ?? 0,
    ratePerSecond: n.ratePerSecond ?? 0,
    statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, ...n.statusClasses },
    errorCodes: { ...n.errorCodes },
    latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0, ...n.latency },
    recent: { seconds: 5, requests: n.recent?.requests ?? 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0, ...n.recent?.latency } },
    ...(n.cache && { cache: { HIT: 0, MISS: 0, STALE: 0, REVALIDATED: 0, BYPASS: 0, COLLAPSED: 0, ...n.cache } }),
    ...(n.tls && { tls: tlsMetrics(n.tls) }),
    ...(n.clients && { clients: { requests: 0, '2xx': 0, lost: 0, failedOver: 0, ...n.clients } }),
    ...(n.keys && { keys: { stayed: 0, moved: 0, rehomed: 0, ...n.keys } }),
    ...(n.activeFaults !== undefined && { activeFaults: n.activeFaults }),
    ...(n.scenarioFaults !== undefined && { scenarioFaults: n.scenarioFaults }),
    ...(n.consumers && { consumers: Object.fromEntries(Object.entries(n.consumers).map(([name, c]) => [name, consumerMetrics(c)])) }),
  };
}

function tlsMetrics(t: NonNullable<NodeNumbers['tls']>): TlsMetrics {
  return {
    handshakes: t.handshakes ?? 0,
    failed: t.failed ?? 0,
    resumed: t.resumed ?? 0,
    protocols: { h2: 0, 'http/1.1': 0 },
    requests: { h2: 0, 'http/1.1': 0, ...t.requests },
    handshakeMs: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
  };
}

function consumerMetrics(c: ConsumerNumbers): ConsumerMetrics {
  return {
    requests: c.requests ?? 0,
    statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, ...c.statusClasses },
    errorCodes: { ...c.errorCodes },
  };
}

/** `snapshot({ 'users-1': { statusClasses: { '2xx': 5 } } })` */
export function snapshot(nodes: Record<string, NodeNumbers>): MetricsByNode {
  return Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, nodeMetrics(n)]));
}

/** Three services that have each answered `ok` requests with 2xx. */
export function usersAnswered(ok: [number, number, number]): MetricsByNode {
  return snapshot({
    'users-1': { requests: ok[0], statusClasses: { '2xx': ok[0] } },
    'users-2': { requests: ok[1], statusClasses: { '2xx': ok[1] } },
    'users-3': { requests: ok[2], statusClasses: { '2xx': ok[2] } },
  });
}
