/**
 * `GET /api/events`: the engine's events as Server-Sent Events (wire format in wire.ts).
 *
 * The stream subscribes to the bus once. Each event goes into a bounded ring (for `Last-Event-ID`
 * resume) and into every client's queue; a timer flushes all queues once per frame, one write per
 * client. Nothing on the bus's path waits for a socket: a slow client is sampled, then has its
 * per-request events dropped, and is told how many (stream-client.ts); aggregate events always reach it.
 * Event ids name the engine run (event-id.ts): a client resuming with an id of another run is told
 * the engine restarted (wire.ts), never silently placed in this run's history.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus } from '../bus.ts';
import { isPerRequestEvent } from '../events.ts';
import { SEND_TIMEOUT_MS, stallCheckEvery } from '../http/send-stall.ts';
import { EventRing } from './event-ring.ts';
import { formatEventId, parseEventId } from './event-id.ts';
import { StreamClient, type ClientLimits } from './stream-client.ts';
import { CONNECTED_PREAMBLE, formatSerialisedMessage, freshPreamble, type StreamItem } from './wire.ts';

export interface EventStreamOptions {
  /** Events kept for `Last-Event-ID` resume (default 10 000). */
  ringSize?: number;
  /**
   * Per-request events a second the resume ring keeps in full (default 2 000, about 180 requests a
   * second through a four-node chain); above it, a whole-request sample, so the ring always covers
   * `ringSize / ringRequestEventsPerSecond` seconds (event-ring.ts). Live clients get every event.
   */
  ringRequestEventsPerSecond?: number;
  /** Batching window in ms: at most one message per client per window (default 16, one frame). */
  flushMs?: number;
  /** Heartbeat interval in ms: a client written nothing during a whole interval gets a comment (default 15 000). */
  heartbeatMs?: number;
  /** Queued events per client beyond which its per-request events are dropped (default 5 000). */
  maxQueuedPerClient?: number;
  /** Unsent bytes in a client's socket above which it is behind (default 256 KiB). */
  maxBufferedBytes?: number;
  /** While a client is behind, 1 request in this many keeps its events (default 10). */
  sampleOneIn?: number;
  /** How long a client's unsent bytes may sit still before it is cut off (default 60 000, nginx's send_timeout). */
  sendTimeoutMs?: number;
}

export interface ClientStats {
  id: number;
  queued: number;
  dropped: number;
  bufferedBytes: number;
  behind: boolean;
}

export interface EventStreamStats {
  clients: number;
  /** Events held in the ring for resume. */
  ringEvents: number;
  /** Per-request events the ring's sample left out since the stream started (live clients still got them). */
  ringSampledOut: number;
  /** Per-request events dropped for slow clients since the stream started, all clients together. */
  dropped: number;
  /** Clients disconnected because aggregate events alone overflowed their queue, or because they read nothing for the send timeout. */
  cutOff: number;
  perClient: ClientStats[];
}

export interface EventStream {
  /** Serve one `GET /api/events` request (a HEAD gets the headers alone); the response stays open until the client goes or `close()`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Flush and end every client's response and stop listening to the bus. */
  close(): void;
  stats(): EventStreamStats;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * The id the client resumes after: the `Last-Event-ID` header, else `?lastEventId=` for clients that
 * cannot set it; undefined (a fresh connection) when neither is given or both are blank.
 */
function lastEventId(req: IncomingMessage): string | undefined {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const url = req.url ?? '';
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const query = new URLSearchParams(url.slice(queryStart + 1)).get('lastEventId')?.trim();
  return query ? query : undefined;
}

export function createEventStream(bus: EventBus, options: EventStreamOptions = {}): EventStream {
  // Events the bus emitted before this stream existed (the engine's start-up) were never held.
  const ring = new EventRing(options.ringSize ?? 10_000, undefined, options.ringRequestEventsPerSecond ?? 2_000, bus.lastSeq);
  const flushMs = options.flushMs ?? 16;
  const limits: ClientLimits = {
    maxQueued: options.maxQueuedPerClient ?? 5_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 256 * 1024,
    sampleOneIn: options.sampleOneIn ?? 10,
    sendTimeoutMs: options.sendTimeoutMs ?? SEND_TIMEOUT_MS,
  };
  const clients = new Set<StreamClient>();
  let nextClientId = 1;
  let droppedByDeparted = 0;
  let cutOff = 0;
  let closed = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let sealTimer: ReturnType<typeof setTimeout> | undefined;

  const unsubscribe = bus.subscribe((event) => {
    ring.push(event);
    if (ring.pending > 0 && sealTimer === undefined) {
      sealTimer = setTimeout(sealRing, flushMs);
      sealTimer.unref();
    }
    if (clients.size === 0) return;
    const perRequest = isPerRequestEvent(event);
    for (const client of clients) client.offer(event, perRequest);
    scheduleFlush();
  });

  const heartbeatTimer = setInterval(() => {
    for (const client of clients) client.heartbeat();
  }, options.heartbeatMs ?? 15_000);
  heartbeatTimer.unref();
  const stallTimer = setInterval(() => {
    const now = performance.now();
    for (const client of clients) client.checkStall(now);
  }, stallCheckEvery(limits.sendTimeoutMs));
  stallTimer.unref();

  function scheduleFlush(): void {
    if (flushTimer || closed) return;
    flushTimer = setTimeout(flushAll, flushMs);
    flushTimer.unref();
  }

  /** Serialise the ring's pending events about once a frame, so no event object outlives the young generation. */
  function sealRing(): void {
    sealTimer = undefined;
    ring.seal();
  }

  /** A client that is behind keeps its queue; polling again next frame notices when it drains. */
  function flushAll(): void {
    flushTimer = undefined;
    let pending = false;
    for (const client of clients) pending = client.flush() || pending;
    if (pending) scheduleFlush();
  }

  /**
   * Where a client that sent `id` resumes: after that seq when the id names an event of this run, else
   * (another run, a bare number from before ids named their run, an id this run has not reached, or
   * anything unreadable) from this run's start, told that the engine restarted.
   */
  function resumeFrom(id: string): { afterSeq: number; restarted: boolean } {
    const parsed = parseEventId(id);
    return parsed !== undefined && parsed.runId === bus.runId && parsed.seq <= bus.lastSeq
      ? { afterSeq: parsed.seq, restarted: false }
      : { afterSeq: 0, restarted: true };
  }

  /** The resume message for a client that saw everything up to `afterSeq` of this run, or '' if it missed nothing. */
  function replayAfter(afterSeq: number, restarted: boolean): string {
    const held = ring.after(afterSeq);
    const events = held.json;
    const lost = Math.max(0, ring.evictedThrough - afterSeq);
    if (restarted || lost > 0) {
      const gap: StreamItem = { type: 'stream.dropped', reason: restarted ? 'engine-restart' : 'resume-gap', dropped: lost, total: lost };
      events.unshift(JSON.stringify(gap));
    }
    const sampledOut = ring.sampledOutAfter(afterSeq, bus.lastSeq, held.count);
    if (sampledOut > 0) {
      const sample: StreamItem = { type: 'stream.dropped', reason: 'history-sample', dropped: sampledOut, total: sampledOut + held.count };
      events.push(JSON.stringify(sample));
    }
    return events.length > 0 ? formatSerialisedMessage(formatEventId(bus.runId, bus.lastSeq), events) : '';
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (closed) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('the event stream is closed\n');
      return;
    }
    // A HEAD is told what a GET would get (RFC 9110 section 9.3.2) and ended: it never becomes a client that no write reaches.
    if (req.method === 'HEAD') {
      res.writeHead(200, SSE_HEADERS).end();
      return;
    }
    const id = lastEventId(req);
    res.writeHead(200, SSE_HEADERS);
    const client = new StreamClient(nextClientId++, res, bus.runId, bus.lastSeq, limits);
    if (id === undefined) client.writeNow(freshPreamble(formatEventId(bus.runId, bus.lastSeq)));
    else {
      const { afterSeq, restarted } = resumeFrom(id);
      client.writeNow(CONNECTED_PREAMBLE + replayAfter(afterSeq, restarted));
    }
    clients.add(client);
    // The response's `close` fires when the browser goes away or the socket dies. (A GET request's
    // own `close` fires as soon as its empty body is read, so it says nothing about the client.)
    res.on('close', () => {
      if (!clients.delete(client)) return;
      droppedByDeparted += client.dropped;
      if (client.cutOff) cutOff++;
    });
  }

  function close(): void {
    closed = true;
    unsubscribe();
    clearTimeout(flushTimer);
    clearTimeout(sealTimer);
    clearInterval(heartbeatTimer);
    clearInterval(stallTimer);
    for (const client of clients) client.end();
  }

  function stats(): EventStreamStats {
    const perClient = [...clients].map((client) => ({
      id: client.id,
      queued: client.queued,
      dropped: client.dropped,
      bufferedBytes: client.bufferedBytes,
      behind: client.behind,
    }));
    return {
      clients: clients.size,
      ringEvents: ring.size,
      ringSampledOut: ring.sampledOut,
      dropped: perClient.reduce((sum, client) => sum + client.dropped, droppedByDeparted),
      cutOff,
      perClient,
    };
  }

  return { handle, close, stats };
}
