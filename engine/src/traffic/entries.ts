/**
 * Which entry a flow with a `failover` list sends to (config/traffic/failover.ts): a sticky failover, as
 * a client with several addresses for one name behaves, simpler than RFC 8305's racing. Requests go to
 * the entry in use (the first, `to`, at the start). A request whose connection to it failed (refused,
 * reset, timed out) is retried once at the next entry, which becomes the one in use; one that failed at
 * an entry no longer in use is retried at the one in use. After `failback` ms on a later entry, one
 * request re-probes the first: answered, the flow is back on it; failed, it is retried at the entry in
 * use and the next re-probe is `failback` later. Pure: the clock comes in with each call.
 */
import type { EntryCounts } from '../events.ts';

export class EntryChoice {
  readonly #counts: EntryCounts[];
  readonly #failbackMs: number;
  #inUse = 0;
  /** When a request may next re-probe the first entry; Infinity while the first is in use. */
  #probeAt = Infinity;
  /** Requests retried at another entry. */
  failovers = 0;

  constructor(entries: readonly string[], failbackMs: number) {
    this.#counts = entries.map((to) => ({ to, sent: 0, answered: 0, unreached: 0 }));
    this.#failbackMs = failbackMs;
  }

  /** The entry's address. */
  entry(index: number): string {
    return this.#counts[index].to;
  }

  /** The entry in use now. */
  get inUse(): string {
    return this.#counts[this.#inUse].to;
  }

  /** The entry a new request goes to: the one in use, or the first when a re-probe is due. */
  pick(now: number): number {
    let index = this.#inUse;
    if (index !== 0 && now >= this.#probeAt) {
      this.#probeAt = now + this.#failbackMs;
      index = 0;
    }
    this.#counts[index].sent++;
    return index;
  }

  /** A try at `index` got an HTTP answer: an answer from the first entry ends a failover. */
  answered(index: number): void {
    this.#counts[index].answered++;
    if (index === 0 && this.#inUse !== 0) {
      this.#inUse = 0;
      this.#probeAt = Infinity;
    }
  }

  /**
   * A try at `index` could not reach it. `retry`: where the request is tried again (and counted sent
   * there), or undefined when it may not be (`retry` false: it was already a retry) or there is no
   * other entry.
   */
  unreached(index: number, now: number, retry: boolean): number | undefined {
    this.#counts[index].unreached++;
    const entries = this.#counts.length;
    if (index === this.#inUse && entries > 1) {
      this.#inUse = (index + 1) % entries;
      this.#probeAt = this.#inUse === 0 ? Infinity : now + this.#failbackMs;
    }
    if (!retry || entries === 1) return undefined;
    const next = this.#inUse === index ? (index + 1) % entries : this.#inUse;
    this.#counts[next].sent++;
    this.failovers++;
    return next;
  }

  counts(): EntryCounts[] {
    return this.#counts.map((c) => ({ ...c }));
  }
}
