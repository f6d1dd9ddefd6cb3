/**
 * Every event the engine emits, declared once. The web app imports these types; logging, metrics and
 * the SSE stream subscribe to the bus instead of being sprinkled through stages.
 *
 * Per-request events (`request.*`) may be sampled for a slow SSE consumer; every other event
 * (`metrics.tick`, `node.state`, `traffic.state`, `config.applied`, `fault.*`, `target.health`,
 * `circuit.state`) never is.
 */
import type { EdgeErrorCode } from './errors.ts';
import type { NodeKind } from './config/schema.ts';

/** The why of a forwarding decision: which stage chose, and the numbers that decided it. */
export interface Decision {
  /** `proxy` forwards to its one upstream, `route` is a gateway route match, `pick` a balancer pick. */
  stage: 'proxy' | 'route' | 'pick';
  /** Picker id for `pick` (for example `round-robin`), the matched route index for `route`. */
  algorithm?: string;
  route?: number;
  /** One sentence a learner can read: "round-robin: users-2 is next in rotation (position 1 of 3)". */
  reason: string;
  /** The candidates considered, with whatever numbers the algorithm compared. */
  candidates?: Array<{ id: string; eligible: boolean; [score: string]: unknown }>;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The live counts of one node, as `/api/metrics` and `metrics.tick` report them. Latencies in ms. */
export interface NodeMetrics {
  kind: NodeKind;
  requests: number;
  inFlight: number;
  errors: number;
  statusClasses: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
  /** Counts per stable error code (`EDGE_UPSTREAM_REFUSED`, ...). */
  errorCodes: Record<string, number>;
  latency: LatencySummary;
  /** Requests that completed in the last second: a rate a person can read. */
  ratePerSecond: number;
}

/** An injected fault as the API lists it: `{ id, target, type }` plus the type's parameters. */
export interface FaultInfo {
  id: string;
  /** A node id, or an edge `from->to`. */
  target: string;
  type: string;
  [parameter: string]: unknown;
}

export type NodeState = 'starting' | 'up' | 'stopped' | 'failed';

/** A balancer's circuit breaker for one target. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * What changed in a balancer's view of a target's health. Active checks: a check that failed or
 * passed against the current state (counting towards `fall` or `rise`), then `down` or `up`.
 * Passive outlier detection: `ejected`, `returned` when the ejection time is over, and
 * `ejection-skipped` when the share of targets already ejected forbids another.
 */
export type HealthChange = 'check-failed' | 'check-passed' | 'down' | 'up' | 'ejected' | 'returned' | 'ejection-skipped';

interface Stamp {
  /** Monotonic sequence number, the SSE `id:`. */
  seq: number;
  /** Wall-clock milliseconds since the epoch (fractional: performance.timeOrigin + now()). */
  ts: number;
}

export type EngineEventBody =
  | {
      type: 'request.received';
      rid: string;
      node: string;
      /** `client` when it came from outside the topology, else the id of the node that sent it. */
      from: string;
      method: string;
      path: string;
      /** The socket peer address as this node saw it. */
      peer: string;
    }
  | {
      type: 'request.forwarded';
      rid: string;
      node: string;
      to: string;
      decision: Decision;
      /** A balancer's try number for this request: 1, then 2, 3... for each retry. */
      try?: number;
    }
  | {
      /** A try at a balancer failed before anything reached the client: whether it is tried again, and why. */
      type: 'request.retry';
      rid: string;
      node: string;
      /** The try that failed (1 for the first). */
      try: number;
      /** The target that failed, and how (`EDGE_UPSTREAM_REFUSED`, `status 503`...). */
      target: string;
      failure: string;
      retrying: boolean;
      /** Where the next try goes, when retrying. */
      to?: string;
      reason: string;
      /** The retry budget as it stood: retries in flight at this balancer, the limit, and the requests active. */
      budget: { retries: number; limit: number; active: number };
    }
  | {
      type: 'request.completed';
      rid: string;
      node: string;
      status: number;
      durationMs: number;
      /** Set when the node itself produced the status (502/503/504/...), or a service injected an error. */
      error?: EdgeErrorCode;
      /** The upstream that answered, when the node forwarded. */
      upstream?: string;
      /** Why the node answered by itself without forwarding (no route, no eligible target). */
      decision?: Decision;
    }
  | { type: 'node.state'; node: string; kind: NodeKind; state: NodeState; port: number | null; reason?: string }
  | { type: 'metrics.tick'; nodes: Record<string, NodeMetrics> }
  | {
      type: 'traffic.state';
      running: boolean;
      /** The configured traffic entries now being sent (name, target and rate). */
      flows: Array<{ name: string; to: string; rate: number; clients: number }>;
      sent: number;
    }
  | { type: 'config.applied'; name: string; nodes: number }
  | { type: 'fault.started'; fault: FaultInfo }
  | { type: 'fault.ended'; fault: FaultInfo }
  | {
      type: 'target.health';
      /** The balancer whose view changed. */
      node: string;
      target: string;
      /** `active`: the balancer's health checks; `passive`: outlier detection on live traffic. */
      source: 'active' | 'passive';
      change: HealthChange;
      /** Whether this source now lets the target take requests. */
      healthy: boolean;
      reason: string;
      /** The numbers that decided: counts against their thresholds, ejection times, shares ejected. */
      detail: Record<string, number | string | boolean>;
    }
  | {
      type: 'circuit.state';
      /** The balancer that keeps the circuit. */
      node: string;
      target: string;
      from: CircuitState;
      to: CircuitState;
      reason: string;
      detail: Record<string, number>;
    }
  | { type: 'engine.error'; message: string; node?: string };

export type EngineEventType = EngineEventBody['type'];
export type EngineEvent = EngineEventBody & Stamp;
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;

/** Only per-request events may be sampled away for a slow consumer. */
export function isPerRequestEvent(event: EngineEventBody): boolean {
  return event.type.startsWith('request.');
}

/** A stream-only notice: the client was sent a sample and missed `dropped` per-request events. */
export interface DroppedNotice {
  type: 'stream.dropped';
  dropped: number;
  total: number;
}
