/**
 * A node's capacity (a service's, or a forwarding node's `capacity`: config/capacity.ts), as a real
 * server's worker pool and accept queue behave: at most `concurrency`
 * requests are processed at once, up to `queue` more wait first in first out, and a request that finds
 * the queue full, or waited `queueTimeout`, is turned away. So overload shows as growing latency first
 * (the queue fills), then as rejections. Limits change live: more room starts queued requests at once,
 * a shorter queue turns away its newest waiters, a shorter timeout applies to those already waiting.
 */
import { SERVICE_CAPACITY_CODES, type CapacityCodes, type CapacityConfig } from '../config/capacity.ts';

/** A refusal's code: the node family's (`SERVICE_*` from a service, `EDGE_*` from a forwarding node). */
export type CapacityRejection = CapacityCodes[keyof CapacityCodes];

export interface CapacityLimits {
  /** Requests processed at once; undefined is unlimited. */
  concurrency: number | undefined;
  /** Requests that may wait for a slot. */
  queue: number;
  /** The longest wait in ms; undefined waits until a slot frees (or the client leaves). */
  queueTimeout: number | undefined;
}

export const UNLIMITED: CapacityLimits = { concurrency: undefined, queue: 0, queueTimeout: undefined };

/** The limits a node's `capacity` sets; none is unlimited. */
export function capacityLimits(capacity: CapacityConfig | undefined): CapacityLimits {
  if (!capacity) return UNLIMITED;
  return { concurrency: capacity.concurrency, queue: capacity.queue, queueTimeout: capacity.queueTimeout };
}

/** A request asking for a slot. Exactly one of the two is called, at most once. */
export interface Waiter {
  /** The slot is this request's: process it, then call `release()` once. */
  start(waitedMs: number): void;
  /** Turned away: answer 503 with this code. */
  reject(code: CapacityRejection, waitedMs: number): void;
}

/** The live numbers the inspector shows. */
export interface CapacityState {
  /** Requests being processed now. */
  inFlight: number;
  /** Requests waiting for a slot now. */
  queued: number;
  /** Requests turned away since the node started (full queue and queue timeouts). */
  rejected: number;
  /** Of those, the ones that waited queueTimeout. */
  timedOut: number;
  /** The concurrency in force (an override included); null is unlimited. */
  concurrency: number | null;
  /** The concurrency the config asks for; null is unlimited. */
  configuredConcurrency: number | null;
  queueLimit: number;
  queueTimeoutMs: number | null;
  /** The next request would be turned away: every slot busy and the queue full. */
  saturated: boolean;
}

interface QueueEntry {
  waiter: Waiter;
  enqueuedAt: number;
}

export class CapacityGate {
  #limits: CapacityLimits;
  #override: number | undefined;
  #inFlight = 0;
  /** Insertion order is arrival order; deleting a waiter that left is O(1). */
  readonly #queue = new Set<QueueEntry>();
  #overloaded = 0;
  #timedOut = 0;
  /** One timer, for the oldest waiter: with one timeout for all, it is always the first to expire. */
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;
  /** The codes its refusals carry. */
  readonly codes: CapacityCodes;

  constructor(limits: CapacityLimits = UNLIMITED, now: () => number = () => performance.now(), codes: CapacityCodes = SERVICE_CAPACITY_CODES) {
    this.#limits = limits;
    this.#now = now;
    this.codes = codes;
  }

  /**
   * The fast path: take a slot at once when one is free and nobody waits. False means the request
   * must `enqueue` (where it may be turned away).
   */
  tryAcquire(): boolean {
    if (this.#queue.size > 0 || this.#inFlight >= this.#concurrency()) return false;
    this.#inFlight++;
    return true;
  }

  /**
   * Wait for a slot; the waiter is started or rejected later (rejected at once when the queue is
   * full). The returned function takes the request out of the queue when its client leaves; it does
   * nothing once the request started or was turned away.
   */
  enqueue(waiter: Waiter): () => void {
    if (this.#queue.size >= this.#limits.queue) {
      this.#overloaded++;
      waiter.reject(this.codes.overloaded, 0);
      return noop;
    }
    const entry = { waiter, enqueuedAt: this.#now() };
    this.#queue.add(entry);
    if (this.#queue.size === 1) this.#armTimer();
    return () => {
      if (this.#queue.delete(entry)) this.#armTimer();
    };
  }

  /** A started request finished (answered, or its client left): its slot goes to the oldest waiter. */
  release(): void {
    this.#inFlight--;
    this.#drain();
  }

  setLimits(limits: CapacityLimits): void {
    this.#limits = limits;
    this.#drain();
  }

  /** Replace the concurrency (the `overload` fault); undefined restores the configured one. */
  setOverride(limit: number | undefined): void {
    this.#override = limit;
    this.#drain();
  }

  /** Requests being processed now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.#queue.size;
  }

  /** The concurrency in force (an override included); Infinity is unlimited. */
  get concurrency(): number {
    return this.#concurrency();
  }

  get limits(): CapacityLimits {
    return this.#limits;
  }

  /** Zero the refusals counted (`rejected`, `timedOut`); the requests in flight and queued stay. */
  resetCounts(): void {
    this.#overloaded = 0;
    this.#timedOut = 0;
  }

  state(): CapacityState {
    const concurrency = this.#concurrency();
    return {
      inFlight: this.#inFlight,
      queued: this.#queue.size,
      rejected: this.#overloaded + this.#timedOut,
      timedOut: this.#timedOut,
      concurrency: concurrency === Infinity ? null : concurrency,
      configuredConcurrency: this.#limits.concurrency ?? null,
      queueLimit: this.#limits.queue,
      queueTimeoutMs: this.#limits.queueTimeout ?? null,
      saturated: this.#inFlight >= concurrency && this.#queue.size >= this.#limits.queue,
    };
  }

  /** Stop the timer; waiters stay (their clients' connections are closing with the node). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #concurrency(): number {
    return this.#override ?? this.#limits.concurrency ?? Infinity;
  }

  /** Start waiters while there is room, turn away the newest beyond the queue limit, re-arm the timer. */
  #drain(): void {
    const concurrency = this.#concurrency();
    const now = this.#now();
    while (this.#queue.size > 0 && this.#inFlight < concurrency) {
      const entry = this.#queue.values().next().value!;
      this.#queue.delete(entry);
      this.#inFlight++;
      entry.waiter.start(now - entry.enqueuedAt);
    }
    if (this.#queue.size > this.#limits.queue) {
      const excess = [...this.#queue].slice(this.#limits.queue);
      for (const entry of excess) {
        this.#queue.delete(entry);
        this.#overloaded++;
        entry.waiter.reject(this.codes.overloaded, now - entry.enqueuedAt);
      }
    }
    this.#expire();
  }

  /** Turn away every waiter that has waited queueTimeout, then arm the timer for the next one. */
  #expire(): void {
    const timeout = this.#limits.queueTimeout;
    if (timeout !== undefined) {
      const now = this.#now();
      for (const entry of this.#queue) {
        const waited = now - entry.enqueuedAt;
        if (waited < timeout) break;
        this.#queue.delete(entry);
        this.#timedOut++;
        entry.waiter.reject(this.codes.queueTimeout, waited);
      }
    }
    this.#armTimer();
  }

  #armTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const timeout = this.#limits.queueTimeout;
    const oldest = this.#queue.values().next().value;
    if (timeout === undefined || oldest === undefined) return;
    // A timer may fire a fraction of a millisecond early: #expire then re-arms for what is left.
    const left = Math.max(1, Math.ceil(oldest.enqueuedAt + timeout - this.#now()));
    this.#timer = setTimeout(() => this.#expire(), left);
    this.#timer.unref();
  }
}

function noop(): void {}
