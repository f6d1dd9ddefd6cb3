/**
 * Joins the per-request events into one trace per request id: the hops in the order the nodes
 * received the request, each with its forwards (the decision and the target) and its completion.
 * Bounded: the oldest traces are forgotten first. Events may be missing (a slow consumer is sent a
 * sample), so a completion without its `request.received` still makes a hop, marked `estimated`.
 *
 * An l4 balancer never sees requests: the node behind it names the connection a request rode (`via`
 * on its `request.received`), and the trace gains a relay hop for the balancer, whose one forward is
 * the pick the connection made when it opened (from `connection.opened`, when it was seen).
 *
 * A caching proxy's background refresh (stale-while-revalidate) has its own request id, first seen at
 * the hop behind the proxy; its `cache.refresh` ends it (`refresh` on the trace).
 */
import type { CacheView, Decision, EventOf, StageStep } from '../../../../engine/src/events.ts';

export type RequestEvent =
  EventOf<'request.received'> | EventOf<'request.forwarded'> | EventOf<'request.retry'> | EventOf<'request.completed'>;

/** `from` of a hop that the clients box sent (the engine's spelling). */
export const CLIENT = 'client';

export interface Forward {
  ts: number;
  to: string;
  decision: Decision;
  /** A balancer's try number (1, then 2, 3... for each retry). */
  try?: number;
}

/** A try at a balancer that failed before anything reached the client, and whether it was tried again. */
export interface RetryNote {
  ts: number;
  /** The try that failed (1 for the first). */
  try: number;
  target: string;
  /** How it failed: an error code (`EDGE_UPSTREAM_REFUSED`) or `status 503`. */
  failure: string;
  retrying: boolean;
  /** Where the next try went, when retrying. */
  to?: string;
  reason: string;
  budget: { retries: number; limit: number; active: number };
}

/** One try at a balancer: its forward and, when it failed, what happened next. Either may be missing from a sample. */
export interface Try {
  try: number;
  forward?: Forward;
  retry?: RetryNote;
}

export interface Hop {
  node: string;
  /** `client`, the id of the node that sent it, or `?` when the receipt was not seen. */
  from: string;
  receivedTs: number;
  /** The receipt was not seen; `receivedTs` is the completion time minus the node's own duration. */
  estimated: boolean;
  forwards: Forward[];
  /** Failed tries at a balancer (`request.retry`), in the order they were reported. */
  retries?: RetryNote[];
  completedTs?: number;
  status?: number;
  durationMs?: number;
  error?: string;
  upstream?: string;
  /** Why the node answered by itself without forwarding (no route, no eligible target). */
  answer?: Decision;
  /** An l4 balancer's hop: it relayed the bytes of this connection and saw no request. */
  relay?: { connection: string };
  /** The stages the request passed at this node, in order, with their times and reasons. */
  stages?: StageStep[];
  /** The consumer the node's authentication found (from its forward, or else its answer). */
  consumer?: string;
  /** What a caching proxy's cache did with the request (X-Cache, its sentence, the origin's status). */
  cache?: CacheView;
}

/** A proxy's background refresh, as its `cache.refresh` settled it. */
export type RefreshNote = Omit<EventOf<'cache.refresh'>, 'type' | 'seq' | 'rid'>;

/** How many connections' picks are kept to explain the requests that ride them. */
const CONNECTIONS_KEPT = 500;

export interface Trace {
  rid: string;
  method: string;
  path: string;
  peer: string;
  hops: Hop[];
  /** The hop that answered the client has completed: the request is over. */
  done: boolean;
  /** Set when the request was a caching proxy's background refresh, not a client's. */
  refresh?: RefreshNote;
}

function isEntry(hop: Hop): boolean {
  return hop.from === CLIENT;
}

export class TraceStore {
  readonly #traces = new Map<string, Trace>();
  readonly #capacity: number;
  /** The pick of each recent l4 connection, by `node/connection`. */
  readonly #connections = new Map<string, EventOf<'connection.opened'>>();

  constructor(capacity = 2000) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#traces.size;
  }

  get(rid: string): Trace | undefined {
    return this.#traces.get(rid);
  }

  clear(): void {
    this.#traces.clear();
    this.#connections.clear();
  }

  /** Remembers an l4 connection's pick, to explain the requests that ride it. */
  connectionOpened(event: EventOf<'connection.opened'>): void {
    this.#connections.set(`${event.node}/${event.connection}`, event);
    if (this.#connections.size > CONNECTIONS_KEPT) this.#connections.delete(this.#connections.keys().next().value as string);
  }

  /** Folds one request event into its trace and returns that trace. */
  apply(event: RequestEvent): Trace {
    const trace = this.#traceFor(event.rid);
    switch (event.type) {
      case 'request.received': {
        if (trace.hops.length === 0 || event.from === CLIENT) {
          trace.method = event.method;
          trace.path = event.path;
          trace.peer = event.peer;
        }
        let from = event.from;
        if (event.via !== undefined) {
          const { node, connection } = event.via;
          insertByTime(trace.hops, {
            node,
            from,
            receivedTs: event.ts,
            estimated: false,
            relay: { connection },
            forwards: [{ ts: event.ts, to: event.node, decision: this.#relayDecision(node, connection, event.node) }],
          });
          from = node;
        }
        insertByTime(trace.hops, { node: event.node, from, receivedTs: event.ts, estimated: false, forwards: [] });
        break;
      }
      case 'request.forwarded': {
        const hop = openHop(trace, event.node) ?? this.#estimatedHop(trace, event.node, event.ts);
        hop.forwards.push({ ts: event.ts, to: event.to, decision: event.decision, ...(event.try === undefined ? {} : { try: event.try }) });
        if (event.consumer !== undefined) hop.consumer = event.consumer;
        break;
      }
      case 'request.retry': {
        const hop = openHop(trace, event.node) ?? this.#estimatedHop(trace, event.node, event.ts);
        const { ts, try: tryNumber, target, failure, retrying, to, reason, budget } = event;
        (hop.retries ??= []).push({ ts, try: tryNumber, target, failure, retrying, ...(to === undefined ? {} : { to }), reason, budget });
        break;
      }
      case 'request.completed': {
        const hop = openHop(trace, event.node) ?? this.#estimatedHop(trace, event.node, event.ts - event.durationMs);
        hop.completedTs = event.ts;
        hop.status = event.status;
        hop.durationMs = event.durationMs;
        hop.error = event.error;
        hop.upstream = event.upstream;
        hop.answer = event.decision;
        hop.stages = event.stages;
        hop.consumer = event.consumer ?? hop.consumer;
        hop.cache = event.cache;
        if (hop.from !== CLIENT) completeRelay(trace, hop);
        if (isEntry(hop) || (hop.estimated && !trace.hops.some((h) => h.forwards.some((f) => f.to === hop.node)))) trace.done = true;
        break;
      }
    }
    return trace;
  }

  /** A caching proxy's background refresh settled: its trace (begun at the hop behind the proxy) is over. */
  refreshed(event: EventOf<'cache.refresh'>): Trace {
    const trace = this.#traceFor(event.rid);
    const { type: _type, seq: _seq, rid: _rid, ...refresh } = event;
    trace.refresh = refresh;
    trace.done = true;
    return trace;
  }

  #traceFor(rid: string): Trace {
    let trace = this.#traces.get(rid);
    if (trace === undefined) {
      trace = { rid, method: '', path: '', peer: '', hops: [], done: false };
      this.#traces.set(rid, trace);
      if (this.#traces.size > this.#capacity) {
        const oldest = this.#traces.keys().next().value as string;
        this.#traces.delete(oldest);
      }
    }
    return trace;
  }

  /** The forward of a relay hop: the connection's pick, said as what it means for this request. */
  #relayDecision(node: string, connection: string, to: string): Decision {
    const opened = this.#connections.get(`${node}/${connection}`);
    const picked = opened?.decision.algorithm ? `${opened.decision.algorithm} picked ${to}` : `the balancer picked ${to}`;
    return {
      stage: 'pick',
      ...(opened?.decision.algorithm ? { algorithm: opened.decision.algorithm } : {}),
      reason: `l4: rode connection ${connection}; ${picked} once, when the connection opened${opened ? ` (${opened.decision.reason})` : ''}, and never saw this request`,
    };
  }

  #estimatedHop(trace: Trace, node: string, receivedTs: number): Hop {
    const sender = trace.hops.findLast((h) => h.forwards.some((f) => f.to === node));
    const hop: Hop = { node, from: sender?.node ?? (trace.hops.length === 0 ? CLIENT : '?'), receivedTs, estimated: true, forwards: [] };
    insertByTime(trace.hops, hop);
    return hop;
  }
}

/** A relay hop ends when the node behind it answers: the bytes came back the same way. */
function completeRelay(trace: Trace, hop: Hop): void {
  const relay = trace.hops.findLast((h) => h.relay !== undefined && h.node === hop.from && h.completedTs === undefined);
  if (relay === undefined) return;
  relay.completedTs = hop.completedTs;
  relay.status = hop.status;
  relay.durationMs = hop.durationMs;
  relay.error = hop.error;
  relay.upstream = hop.node;
}

/** The latest hop at `node` that has not completed yet. */
function openHop(trace: Trace, node: string): Hop | undefined {
  return trace.hops.findLast((h) => h.node === node && h.completedTs === undefined);
}

function insertByTime(hops: Hop[], hop: Hop): void {
  let i = hops.length;
  while (i > 0 && hops[i - 1].receivedTs > hop.receivedTs) i--;
  hops.splice(i, 0, hop);
}

/**
 * A balancer hop's tries, in order, each joining its forward (`try: n`) with the `request.retry` that
 * reported its failure. Empty when the hop made a single try and nothing failed (no retry policy, or
 * the first try answered), so the plain forward list tells it all.
 */
export function triesOf(hop: Hop): Try[] {
  const retries = hop.retries ?? [];
  const numbered = hop.forwards.filter((f) => f.try !== undefined);
  if (retries.length === 0 && !numbered.some((f) => (f.try as number) > 1)) return [];
  const byTry = new Map<number, Try>();
  const entry = (n: number): Try => {
    let t = byTry.get(n);
    if (t === undefined) byTry.set(n, (t = { try: n }));
    return t;
  };
  for (const forward of numbered) entry(forward.try as number).forward = forward;
  for (const retry of retries) entry(retry.try).retry = retry;
  return [...byTry.values()].sort((a, b) => a.try - b.try);
}

/** What failed on a try, in a word a learner reads: `refused (EDGE_UPSTREAM_REFUSED)`, `answered 503`. */
export function failureWords(failure: string): string {
  const status = /^status (\d+|\?)$/.exec(failure);
  if (status) return `answered ${status[1]}`;
  const word = FAILURE_WORDS[failure];
  return word === undefined ? `failed (${failure})` : `${word} (${failure})`;
}

const FAILURE_WORDS: Record<string, string> = {
  EDGE_UPSTREAM_REFUSED: 'refused',
  EDGE_UPSTREAM_RESET: 'reset the connection',
  EDGE_UPSTREAM_PROTOCOL: 'sent an invalid response',
  EDGE_UPSTREAM_CONNECT_TIMEOUT: 'timed out connecting',
  EDGE_UPSTREAM_TIMEOUT: 'timed out',
};

/**
 * One try in a sentence: "try 1 → users-2 refused (EDGE_UPSTREAM_REFUSED); retried to users-3 (try 2)",
 * "try 3 → users-1 answered 503; not retried: that was try 3 of 3", or "try 2 → users-3" when it did not fail.
 */
export function tryText(t: Try): string {
  const target = t.retry?.target ?? t.forward?.to ?? '?';
  const head = `try ${t.try} → ${target}`;
  if (t.retry === undefined) return head;
  const { failure, retrying, to, reason } = t.retry;
  const next = retrying ? `retried to ${to ?? '?'} (try ${t.try + 1})` : `not retried: ${reason}`;
  return `${head} ${failureWords(failure)}; ${next}`;
}

/** The hop that answered the client (the first one, normally). */
export function entryHop(trace: Trace): Hop | undefined {
  return trace.hops.find(isEntry) ?? trace.hops[0];
}

/**
 * The nodes the request went through, in order, plus targets it was sent to but that never received
 * it (marked `failed`): what the log line and the trace view spell out.
 */
export function routeOf(trace: Trace): Array<{ node: string; failed: boolean }> {
  const route: Array<{ node: string; failed: boolean }> = [];
  trace.hops.forEach((hop, index) => {
    route.push({ node: hop.node, failed: false });
    for (const forward of hop.forwards) {
      const arrived = trace.hops.some((h, j) => j > index && h.node === forward.to && h.from === hop.node);
      if (!arrived && hop.completedTs !== undefined) route.push({ node: forward.to, failed: true });
    }
  });
  return route;
}

/**
 * The error code behind a hop's answer: its own, or the one it relayed. A node that passes on an
 * upstream's 502 does not set a code of its own, but the client's answer still came from that edge error.
 */
export function answerError(trace: Trace, hop: Hop): string | undefined {
  if (hop.error !== undefined || hop.status === undefined) return hop.error;
  const index = trace.hops.indexOf(hop);
  for (let j = trace.hops.length - 1; j > index; j--) {
    const child = trace.hops[j];
    if (child.from === hop.node && child.completedTs !== undefined && child.status === hop.status) return answerError(trace, child);
  }
  return undefined;
}
