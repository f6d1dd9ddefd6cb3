/**
 * One connected SSE client: the events waiting for its next flush, and the policy that keeps a slow
 * browser from ever making the engine wait or grow its memory without bound.
 *
 * - Keeping up: every event is queued and written at the next flush, one `res.write` per flush.
 * - Behind (more than `maxBufferedBytes` unsent in its socket): nothing more is written until the
 *   socket drains, and per-request events are sampled by request id: 1 request in `sampleOneIn`
 *   keeps all of its events, so a sampled request still draws its whole path.
 * - Queue full (`maxQueued`): every per-request event is dropped.
 * Aggregate events are always queued. If they alone fill the queue to twice `maxQueued`, the client
 * is cut off: the browser reconnects and resumes from the ring, and memory stays bounded.
 * - Stalled (its socket's unsent bytes have not moved for `sendTimeoutMs`, nginx's send_timeout): cut
 *   off too, so a client that reads nothing holds neither its socket's bytes nor a queue of aggregate
 *   events (a metrics.tick of a large lab is tens of KB, two a second) for long.
 * Drops are counted and reported in a `stream.dropped` notice at the end of the next message.
 */
import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../events.ts';
import { dispatchedBytes, isStalled, unsentBytes, type Watched } from '../http/send-stall.ts';
import { formatEventId } from './event-id.ts';
import { inRequestSample } from './request-sample.ts';
import { formatMessage, HEARTBEAT, type StreamItem } from './wire.ts';

export interface ClientLimits {
  maxQueued: number;
  maxBufferedBytes: number;
  sampleOneIn: number;
  sendTimeoutMs: number;
}

type RequestEvent = Extract<EngineEvent, { rid: string }>;

export class StreamClient {
  readonly #res: ServerResponse;
  readonly #limits: ClientLimits;
  #queue: EngineEvent[] = [];
  /** The seq of the last event this client was offered: the seq in the `id:` of its next message. */
  #lastSeq: number;
  /** Per-request events offered, and of those dropped, since the last message was written. */
  #windowRequests = 0;
  #windowDropped = 0;
  #dropped = 0;
  #cutOff = false;
  #wroteSinceHeartbeat = false;
  /** Its socket's unsent bytes at the last stall check (http/send-stall.ts). */
  readonly #sending: Watched = {};

  readonly #runId: string;

  /** `runId` and `lastSeq`: the engine run, and the last event the client accounts for when it connects. */
  constructor(
    readonly id: number,
    res: ServerResponse,
    runId: string,
    lastSeq: number,
    limits: ClientLimits,
  ) {
    this.#res = res;
    this.#runId = runId;
    this.#lastSeq = lastSeq;
    this.#limits = limits;
  }

  /** Per-request events dropped over the whole connection. */
  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Read from the socket each time, so a client counts as caught up the moment it drains. */
  get behind(): boolean {
    return this.#res.writableLength > this.#limits.maxBufferedBytes;
  }

  get cutOff(): boolean {
    return this.#cutOff;
  }

  get bufferedBytes(): number {
    return this.#res.writableLength;
  }

  /** Write at once, outside the queue: the preamble and the resume replay. */
  writeNow(chunk: string): void {
    this.#write(chunk);
  }

  /** Called on the bus's hot path: constant time, never blocks, never writes. */
  offer(event: EngineEvent, perRequest: boolean): void {
    if (this.#cutOff) return;
    this.#lastSeq = event.seq;
    if (perRequest) {
      this.#windowRequests++;
      const full = this.#queue.length >= this.#limits.maxQueued;
      if (full || (this.behind && !inRequestSample((event as RequestEvent).rid, this.#limits.sampleOneIn))) {
        this.#windowDropped++;
        this.#dropped++;
        return;
      }
    } else if (this.#queue.length >= 2 * this.#limits.maxQueued) {
      this.#cut();
      return;
    }
    this.#queue.push(event);
  }

  /** Write the pending events as one message unless the socket is behind; true while some remain. */
  flush(): boolean {
    if (this.#cutOff || (this.#queue.length === 0 && this.#windowDropped === 0)) return false;
    if (this.behind) return true;
    const items: StreamItem[] = this.#queue;
    if (this.#windowDropped > 0) {
      items.push({ type: 'stream.dropped', reason: 'slow-consumer', dropped: this.#windowDropped, total: this.#windowRequests });
    }
    this.#queue = [];
    this.#windowRequests = 0;
    this.#windowDropped = 0;
    this.#write(formatMessage(formatEventId(this.#runId, this.#lastSeq), items));
    return false;
  }

  /** Called every heartbeat interval: a comment if nothing was written since the previous call. */
  heartbeat(): void {
    if (!this.#wroteSinceHeartbeat && !this.behind) this.#write(HEARTBEAT);
    this.#wroteSinceHeartbeat = false;
  }

  /** Called every quarter of the send timeout: cuts the client off if its socket has not moved for the whole timeout. */
  checkStall(now: number): void {
    const socket = this.#res.socket;
    if (this.#cutOff || socket === null) return;
    if (isStalled(this.#sending, unsentBytes(socket), dispatchedBytes(socket), now, this.#limits.sendTimeoutMs)) this.#cut();
  }

  end(): void {
    this.flush();
    this.#res.end();
  }

  #cut(): void {
    this.#cutOff = true;
    this.#queue = [];
    this.#res.destroy();
  }

  #write(chunk: string): void {
    if (this.#res.writableEnded || this.#res.destroyed) return;
    this.#res.write(chunk);
    this.#wroteSinceHeartbeat = true;
  }
}
