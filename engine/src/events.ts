/**
 * Every event the engine emits, declared once. The web app imports these types; logging, metrics and
 * the SSE stream subscribe to the bus instead of being sprinkled through stages.
 *
 * Per-request events (`request.*`) may be sampled for a slow SSE consumer; every other event
 * (`metrics.tick`, `metrics.reset`, `node.state`, `traffic.*`, `config.applied`, `fault.*`,
 * `target.health`, `circuit.state`) never is.
 */
import type { EdgeErrorCode } from './errors.ts';
import type { NodeKind } from './config/node-kinds.ts';
import type { FaultSource, FaultSpec } from './faults/spec.ts';

/** The why of a forwarding decision: which stage chose, and the numbers that decided it. */
export interface Decision {
  /**
   * The stage that decided: `proxy` forwards to its one upstream, `route` is a gateway route match,
   * `pick` a balancer pick, `auth`, `rate-limit`, `transform`, `aggregate` the gateway's policies.
   */
  stage: StageName;
  /** Picker id for `pick` (for example `round-robin`), the matched route index for `route`. */
  algorithm?: string;
  route?: number;
  /** One sentence a learner can read: "round-robin: users-2 is next in rotation (position 1 of 3)". */
  reason: string;
  /** The candidates considered, with whatever numbers the algorithm compared. */
  candidates?: Array<{ id: string; eligible: boolean; [score: string]: unknown }>;
  /** An l7 balancer's first pick for a request: where the request's key went last (balancer/key-memory.ts). */
  affinity?: KeyAffinity;
}

/**
 * How one request's first pick compares with where its key went last:
 * - `new`: the key is not remembered (first seen, or forgotten by the bounded memory);
 * - `stayed`: the same target as last time;
 * - `moved`: another target, though the last one is still in the pool and could take it: a broken
 *   session, or a key a change of the pool did not have to move (a target added takes keys this way);
 * - `rehomed`: another target, because the last one left the pool or cannot take requests now (down,
 *   ejected, circuit open, draining).
 * A new algorithm, new options or a new `hashKey` start the memory afresh: what a change of mapping
 * moves is not counted, what a change of the pool moves is.
 */
export type KeyOutcome = 'new' | 'stayed' | 'moved' | 'rehomed';

/** The key (the hashed key, or the client address for a picker that hashes none), its outcome, and its last target when it changed. */
export interface KeyAffinity {
  key: string;
  outcome: KeyOutcome;
  previous?: string;
}

/**
 * The stages a node may run, by the name the trace, the events and the UI use. A service's: `body`
 * (reads the request body), `capacity` (a slot or the queue), `fault` (its injected errors), `latency`,
 * `cache` (its cache headers, 304 to a current copy) and `answer` (its JSON body). A proxy's `compression`
 * decides on the way out, so its step follows the answer's in the trace.
 */
export type StageName =
  | 'proxy'
  | 'route'
  | 'pick'
  | 'auth'
  | 'rate-limit'
  | 'transform'
  | 'aggregate'
  | 'forward'
  | 'body'
  | 'capacity'
  | 'fault'
  | 'latency'
  | 'cache'
  | 'answer'
  | 'filter'
  | 'compression';

/** One limit's decision on one request, as a rate-limit stage's step carries it (the inspector draws from these; its sentence is the step's reason). */
export interface LimitDecisionView {
  /** The policy name (the RateLimit item). */
  name: string;
  /** The limiter's algorithm id (`token-bucket`, ...). */
  limiter: string;
  /** Whose count it was, in words: `consumer mobile`, `ip 127.0.0.5 (no consumer)`. */
  key: string;
  allowed: boolean;
  delayMs: number;
  quota: number;
  /** What could still pass now, after this request. */
  remaining: number;
  /** Until at least one more request's quota is back, ms. */
  resetMs: number;
  retryAfterMs: number;
  /** The algorithm's own level after the decision (tokens, excess, count, TAT ahead of now...). */
  level: number;
  /**
   * The config the limit was compiled under (`config.applied`'s generation): each config starts its
   * limits empty, so a drawing keeps only the decisions of the newest, whichever event comes first.
   */
  generation: number;
  /**
   * A concurrency limit's: the key's requests still in flight once this request ended and gave its slot
   * back, which it did as its response closed, just before its `request.completed` (the event's `ts`).
   */
  inFlightAfter?: number;
}

/** One stage a request passed at one node, in the `request.completed` trace. */
export interface StageStep {
  stage: StageName;
  /** What the stage did: went on, answered by itself (an error, its own response, or one it streams), or forwarded. */
  verdict: 'continue' | 'respond' | 'answer' | 'forward' | 'handled';
  /** Time the stage took, in ms (an async stage's includes its wait, such as a JWKS fetch or a limiter's delay). */
  ms: number;
  /** The one sentence a learner reads; left out when the stage had nothing to say, and for a forward (its `request.forwarded` says why). */
  reason?: string;
  /** A rate-limit stage's decision per limit, with the numbers behind it. */
  limits?: LimitDecisionView[];
}

/** What a proxy's cache said in `X-Cache`. */
export type XCacheWord = 'HIT' | 'MISS' | 'STALE' | 'REVALIDATED' | 'BYPASS' | 'COLLAPSED';

/** What a proxy's cache did with one request, in its `request.completed` event (proxy/cache/ makes it). */
export interface CacheView {
  readonly xCache: XCacheWord;
  /** This cache's Cache-Status member. */
  readonly cacheStatus: string;
  /** One sentence for the trace: `cache: fresh for 42 s more (s-maxage=60, age 18 s) -> HIT`. */
  readonly reason: string;
  /** The configured key's parts, readable (`GET example.com /a ?b=1`); undefined when bypassed before a key. */
  readonly key: string | undefined;
  /** The response was stored (or its stored headers updated). */
  readonly stored: boolean;
  /** The request waited on another's upstream fetch and was answered from its result. */
  readonly collapsed: boolean;
  /** Seconds of freshness left (negative when stale), when a stored response was involved. */
  readonly ttl: number | undefined;
  /** The Age sent, when served from the store. */
  readonly age: number | undefined;
  /** The status the origin answered with, when forwarded. */
  readonly fwdStatus: number | undefined;
}

/** What a proxy's compression did to one answer's body, in its `request.completed` event. */
export interface CompressionView {
  readonly coding: 'br' | 'gzip';
  /** The body's bytes as the upstream (or the cache) gave them, and as they went to the client. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** A TLS proxy's certificate and protocols, as the topology and `tls.certificate` show them. */
export interface TlsView {
  /** SHA-256 of the certificate, `AB:CD:...` (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint256: string;
  /** A file holding the certificate, for a client to trust: `curl --cacert FILE`. */
  certFile: string;
  selfSigned: boolean;
  /** The names it is valid for: `DNS:localhost, IP Address:127.0.0.1, ...`. */
  subjectAltName?: string;
  /** ISO 8601. */
  validTo: string;
  /** What ALPN offers, in order: `['h2', 'http/1.1']`, or `['http/1.1']` with `http2: false`. */
  protocols: Array<'h2' | 'http/1.1'>;
  /** The plain-HTTP port answered with 308 to https, when `redirectHttp` is set. */
  redirectPort?: number;
  /** Problems that do not stop it (expired, not yet valid). */
  warnings?: string[];
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The requests a node completed in its last few seconds (the current second and the ones before it,
 * `seconds` in all) and their latency: what changes now, where the running totals change slowly.
 */
export interface RecentWindow {
  seconds: number;
  requests: number;
  latency: LatencySummary;
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
  /** The last few seconds alone: their requests and latency (charts, goals over a window). */
  recent: RecentWindow;
  /** Requests that completed in the last second: a rate a person can read. */
  ratePerSecond: number;
  /** An l4 balancer's connections: it never sees requests, so these are its counts. */
  connections?: { opened: number; open: number; failed: number };
  /** A gateway's counts per consumer its authentication named (absent until one is named). */
  consumers?: Record<string, ConsumerMetrics>;
  /** A TLS proxy's handshakes (absent until its first). */
  tls?: TlsMetrics;
  /** A caching proxy's requests per `X-Cache` word (absent until its cache has decided one). */
  cache?: Record<XCacheWord, number>;
  /** A gateway's aggregate answers that went out partial, without an upstream that failed (absent until the first). */
  partial?: number;
  /** A balancer's completed requests by the target that answered them (absent until the first): its share per target. */
  targets?: Record<string, number>;
  /** What the lab's own traffic saw of the flows that enter here first (`to`), failover included (absent until the first). */
  clients?: ClientMetrics;
  /** An l7 balancer's first picks whose key it remembered, by how they compare with the key's last target (absent until the first). */
  keys?: KeyMetrics;
  /**
   * Faults active now on this node or on an edge into it (API or scenario; absent when none): a gauge, so
   * a lesson can tell an incident still playing from one whose faults were cleared.
   */
  activeFaults?: number;
  /**
   * Of those, the ones a config's `scenario` started (absent when none): a fault injected through the API
   * does not count, so a lesson can tell its scripted problem still playing from a stand-in put there.
   */
  scenarioFaults?: number;
}

/** A balancer's first picks of keys it had seen before (`KeyOutcome`, new keys left out). */
export type KeyMetrics = Record<Exclude<KeyOutcome, 'new'>, number>;

/**
 * The client side of a node that is a flow's first entry: the flows' requests as their clients saw them,
 * wherever a failover list sent them. The only way to count the requests that never reached any node.
 */
export interface ClientMetrics {
  /** Requests settled: answered with a status, or lost. */
  requests: number;
  /** Answered with a 2xx. */
  '2xx': number;
  /** No entry answered: every connection tried was refused, reset or timed out (or the client could not make the request). */
  lost: number;
  /** Sent on to another entry of the flow's failover list after a failed connection (answered there or not). */
  failedOver: number;
}

/** The TLS handshakes of one proxy, and the requests that came over them. */
export interface TlsMetrics {
  handshakes: number;
  failed: number;
  resumed: number;
  /** Established connections by the protocol ALPN chose. */
  protocols: { h2: number; 'http/1.1': number };
  /**
   * Requests received over TLS, by their connection's protocol: beside `handshakes`, how many requests
   * each handshake carried (keep-alive and HTTP/2 carry many); beside the node's `requests`, how much of
   * its traffic came encrypted. Counted when a request arrives (`requests` counts it when it completes).
   */
  requests: { h2: number; 'http/1.1': number };
  /**
   * HTTP/2 streams reset before the node saw them (past the concurrent stream limit, or a malformed head),
   * as `engine.error` events report them; absent until the first.
   */
  refusedStreams?: number;
  /** Time to the end of a handshake, ms. */
  handshakeMs: LatencySummary;
}

/** What one consumer's requests came to at a gateway. */
export interface ConsumerMetrics {
  requests: number;
  statusClasses: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
  errorCodes: Record<string, number>;
}

/**
 * An injected fault as the API lists it and the `fault.*` events carry: its spec (one variant per
 * type, faults/spec.ts) with every default filled in and durations in ms, its id, and where it came from.
 */
export type FaultInfo = FaultSpec & {
  id: string;
  source: FaultSource;
  /** Wall-clock ms since the epoch when it started. */
  startedAt: number;
  /** A scenario fault's index in the config's `scenario:`. */
  scenario?: number;
  /** When a scenario fault with a `for` ends (wall-clock ms). */
  endsAt?: number;
};

/** Why a fault ended: cleared (API), its scenario time was up, its node or edge left the config, or a new config restarted the scenario. */
export type FaultEndReason = 'cleared' | 'expired' | 'target-removed' | 'scenario-restarted';

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

/**
 * One traffic flow as `traffic.state` shows it: what it is set to do. These fields change only when
 * traffic starts or stops, a rate or users count is set, or a phase begins; the live numbers are in `live`.
 */
export interface TrafficFlowState {
  name: string;
  to: string;
  /** Open loop: the current phase's `rate` (the constant rate, a ramp's start, a spike's base); 0 in a closed-loop phase. */
  rate: number;
  clients: number;
  /** The fields below are always sent by the engine; optional so earlier fixtures stay valid. */
  loop?: 'open' | 'closed';
  /** The current phase's shape: constant, poisson, ramp, spike, bursts or closed. */
  shape?: string;
  /** The current phase: its index, the number of phases, its name and length (null: until stopped). */
  phase?: { index: number; of: number; name: string; forMs: number | null };
  /** Closed loop: the virtual users. */
  users?: number;
  /** Set when the flow speaks HTTP/2 (`http2: true`). */
  http2?: true;
  /** Set when the flow opens a new connection per HTTP/1.1 request (`keepAlive: false`). */
  keepAlive?: false;
  /** The flow's further entries, tried in order when a connection to the one in use fails (`failover`). */
  failover?: string[];
}

/** One flow's live numbers, as of the event (the generator sends one about every second while running). */
export interface TrafficFlowLive {
  name: string;
  sent: number;
  completed: number;
  /** Intended sends skipped because too many requests were outstanding: the generator could not keep up. */
  skipped: number;
  outstanding: number;
  /** Requests sent conditional (the flow's `conditional`) and answers 304; always sent by the engine, optional so earlier fixtures stay valid. */
  conditional?: number;
  notModified?: number;
  /** Open loop: what the schedule asks for now, req/s; null for closed loop. */
  targetRate: number | null;
  /** completed / elapsed since the flow started, req/s. */
  achievedRate: number;
  /** Completed in the last second or so, req/s. */
  ratePerSecond: number;
  /** ms, from the intended send time (open loop) or the actual send (closed loop). */
  latency: LatencySummary;
  running: boolean;
  finished: boolean;
  /** With a `failover` list (traffic/entries.ts): the entry in use now, the requests retried at another entry, and each entry's tries. */
  entry?: string;
  failovers?: number;
  entries?: EntryCounts[];
}

/** What one entry of a flow with a failover list saw (`traffic.state`, `GET /api/traffic`). */
export interface EntryCounts {
  to: string;
  /** Tries sent here (first tries and failover retries). */
  sent: number;
  /** Tries answered with any HTTP status. */
  answered: number;
  /** Tries whose connection was refused, reset or timed out. */
  unreached: number;
}

/** The body of `traffic.state`, also `GET /api/traffic` (which adds the full `stats`). */
export interface TrafficStateBody {
  running: boolean;
  /** The flows now being sent, or when stopped the config's flows. */
  flows: TrafficFlowState[];
  sent: number;
  /** The totals over every flow; always sent by the engine, optional so earlier fixtures stay valid. */
  completed?: number;
  skipped?: number;
  outstanding?: number;
  /** The sum of the open-loop flows' current target rates, req/s. */
  targetRate?: number;
  achievedRate?: number;
  ratePerSecond?: number;
  live?: TrafficFlowLive[];
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
      /**
       * Set when the request rode a connection an l4 balancer opened: that balancer never saw the
       * request (it only relays bytes), so `from` is the HTTP sender and this names the hop in between.
       */
      via?: { node: string; connection: string };
      /** Over TLS (a TLS proxy's listener): the protocol ALPN chose for its connection. Absent for plain HTTP. */
      protocol?: 'h2' | 'http/1.1';
      tls?: true;
    }
  | {
      /**
       * A TLS proxy's connection once its handshake is over: what it negotiated and how long the
       * handshake took (from the TCP accept), or why it failed (a client that does not trust the
       * certificate, plain HTTP on the TLS port). Never sampled, as an l4 balancer's connections are not.
       */
      type: 'tls.connection';
      node: string;
      peer: string;
      outcome: 'established' | 'failed';
      /** To the end of the handshake, or to its failure, in ms. */
      handshakeMs: number;
      protocol?: 'h2' | 'http/1.1';
      /** `TLSv1.3`, `TLSv1.2`. */
      tlsVersion?: string;
      cipher?: string;
      resumed?: boolean;
      /** Why it failed, as Node names it (`ECONNRESET`, `ERR_SSL_HTTP_REQUEST`...). */
      reason?: string;
    }
  | {
      /** A TLS proxy's certificate, once made or loaded at start: what a client trusts it by. */
      type: 'tls.certificate';
      node: string;
      tls: TlsView;
    }
  | {
      type: 'connection.opened';
      /** The l4 balancer. */
      node: string;
      connection: string;
      /** `address:port` of the client connecting to the balancer. */
      peer: string;
      /** The target picked for the connection's whole life; absent when none was eligible. */
      to?: string;
      decision: Decision;
    }
  | {
      type: 'connection.closed';
      node: string;
      connection: string;
      to?: string;
      durationMs: number;
      /** Bytes relayed from the client to the target, and back. */
      bytesUp: number;
      bytesDown: number;
      /** HTTP requests the target received on this connection (the lab counts them; the balancer cannot). */
      requests: number;
      /** Why it ended badly: the target refused or timed out the connect, or none was eligible. */
      error?: EdgeErrorCode;
    }
  | {
      type: 'request.forwarded';
      rid: string;
      node: string;
      to: string;
      decision: Decision;
      /** The try number for this request: 1, then 2, 3... for each retry. */
      try?: number;
      /** The consumer a gateway's authentication found, when there is one: known on the way up, not only at the answer. */
      consumer?: string;
    }
  | {
      /** A try failed before anything reached the client: whether the node tries again, and why. */
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
      /** The retry budget as it stood: retries in flight at this node, the limit, and the tries active. */
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
      /** The stages the request passed at this node, in order (forwarding nodes). */
      stages?: StageStep[];
      /** The consumer authentication found, when there is one. */
      consumer?: string;
      /** What the proxy's cache did (a HIT never went upstream), when the node caches. */
      cache?: CacheView;
      /** What the proxy's compression did to the body, when it coded it. */
      compression?: CompressionView;
      /** A gateway's aggregate answered 200 without these upstreams (policy `partial`): what is missing. */
      partial?: string[];
    }
  | {
      /** A proxy's background refresh (stale-while-revalidate) went upstream after a stale answer, and settled. */
      type: 'cache.refresh';
      node: string;
      /** The refresh's own request id (the hops behind it see this one). */
      rid: string;
      /** The request answered stale that started it. */
      for: string;
      /** The origin's status; absent when it gave none (`error` says why). */
      status?: number;
      error?: EdgeErrorCode;
      /** What the cache made of the origin's answer (REVALIDATED, a new response stored, or not). */
      cache?: CacheView;
      durationMs: number;
    }
  | {
      /** Stored responses dropped on request (the page's purge, `DELETE /api/cache/:node`). */
      type: 'cache.purged';
      node: string;
      /** The path prefix purged (`/` for everything), or the one URL. */
      prefix?: string;
      url?: string;
      entries: number;
    }
  | { type: 'node.state'; node: string; kind: NodeKind; state: NodeState; port: number | null; reason?: string }
  | { type: 'metrics.tick'; nodes: Record<string, NodeMetrics> }
  | {
      /**
       * Every node's counts were set back to zero on request (`POST /api/metrics/reset`; a lesson does it
       * as it starts): `nodes` is the snapshot right after, so a page drops what it drew from the counts
       * before and starts again from these. In-flight requests stay in the gauge; one that began before the
       * reset leaves it as it ends and counts nothing, so every count after a reset is of requests begun after it.
       * The counts nodes keep for their inspectors (`GET /api/topology`: route hits, limiter tallies, cache and
       * compression totals, capacity refusals, picks) were zeroed too: a page reads them again.
       */
      type: 'metrics.reset';
      nodes: Record<string, NodeMetrics>;
    }
  | ({
      type: 'traffic.state';
    } & TrafficStateBody)
  | {
      /**
       * A running flow was stopped by a config applied: `entry-removed`, the config took away a node it
       * enters at (its `to` or a `failover` entry), so every request of it would have failed, and the other
       * flows run on; `traffic-replaced`, the config came with traffic of its own that has no flow of this
       * name (a flow added through the API or the traffic panel), and its own flows run instead.
       */
      type: 'traffic.flow-stopped';
      flow: string;
      /** entry-removed: the node the flow entered at that the new config no longer has; traffic-replaced: the node it entered at. */
      node: string;
      reason: 'entry-removed' | 'traffic-replaced';
      /** One sentence a learner can read. */
      message: string;
    }
  | {
      type: 'config.applied';
      name: string;
      nodes: number;
      /** 1 for the engine's first config, one more for each applied after it (LimitDecisionView.generation). */
      generation: number;
    }
  | {
      /** A gateway's shared limit store (Redis) went down or came back; while down, `onStoreError` decides. */
      type: 'limiter.store';
      node: string;
      state: 'down' | 'up';
      store: string;
      reason?: string;
      onStoreError: 'open' | 'closed';
    }
  | { type: 'fault.started'; fault: FaultInfo }
  | { type: 'fault.ended'; fault: FaultInfo; reason: FaultEndReason }
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
  | {
      type: 'engine.error';
      message: string;
      node?: string;
      /** HTTP/2 streams a TLS proxy's listener reset before the node saw them (counted in its `tls.refusedStreams`). */
      h2RefusedStreams?: number;
    };

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
