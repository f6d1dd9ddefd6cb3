/**
 * Where a limiter keeps its per-key states: bounded, so a flood of distinct keys (addresses, header
 * values) cannot exhaust memory. Two ways out for a key:
 * - idle: a state that is back to "as new" decides exactly as a fresh one would, so dropping it changes
 *   no decision. Each insert looks at the next two keys under a clock hand and drops them if idle
 *   (nginx's limit_req likewise frees up to two drained nodes from its LRU tail per new key);
 * - forced: at `maxKeys`, the hand evicts the first key not used since it last passed (CLOCK, the
 *   second-chance approximation of least recently used), skipping busy keys (concurrency slots in use,
 *   bounded by the requests in flight). A forced-out key starts again as new: more lenient, never stricter.
 *
 * Why a Map with a clock hand rather than lru-cache or a Map reordered on every use: a lookup here is
 * one Map.get and one field write. On the 2-core dev machine, 10,000 keys in random order: Map.get
 * ~31-43 ns, lru-cache 11 get (which moves the key to the front) ~52-62 ns, Map delete + set ~240-260 ns.
 * The hand is a live Map iterator: Map iteration visits entries added after it started and skips deleted
 * ones, so it walks the keys in insertion order and starts over at the end.
 */

/** What every algorithm's per-key state carries besides its own fields. */
export interface KeyState {
  /** Requests this key made pass, and were refused: the inspector's counts (not limiter state). */
  used: number;
  rejected: number;
  /** Used since the clock hand last passed it (set on every use). */
  ref: boolean;
}

/** How many keys each insert examines for idleness. */
const SWEEP_STEPS = 2;

export class KeyStore<S extends KeyState> {
  private readonly states = new Map<string, S>();
  private hand: Iterator<[string, S]> | undefined;
  evictedIdle = 0;
  evictedForced = 0;

  constructor(
    readonly maxKeys: number,
    private readonly idle: (state: S, now: number) => boolean,
    private readonly busy: (state: S) => boolean = () => false,
  ) {}

  get size(): number {
    return this.states.size;
  }

  /** The key's state, marked as used. */
  get(key: string): S | undefined {
    const state = this.states.get(key);
    if (state !== undefined) state.ref = true;
    return state;
  }

  /** The key's state, left unmarked (checks, views, releases). */
  peek(key: string): S | undefined {
    return this.states.get(key);
  }

  /** Add a key not held yet: first drop idle keys under the hand, then make room under the cap. */
  insert(key: string, state: S, now: number): void {
    for (let step = 0; step < SWEEP_STEPS; step++) {
      const entry = this.advance();
      if (entry === undefined) break;
      if (this.idle(entry[1], now) && !this.busy(entry[1])) {
        this.states.delete(entry[0]);
        this.evictedIdle++;
      }
    }
    if (this.states.size >= this.maxKeys) this.evictOne();
    state.ref = false;
    this.states.set(key, state);
  }

  /** Zero the counts (each key's used and rejected, the evictions); the keys and their states stay. */
  resetCounts(): void {
    for (const state of this.states.values()) {
      state.used = 0;
      state.rejected = 0;
    }
    this.evictedIdle = 0;
    this.evictedForced = 0;
  }

  /** The `count` keys with the most `field`, most first (one pass; keys with 0 are left out). */
  top(count: number, field: 'used' | 'rejected'): Array<{ key: string; used: number; rejected: number }> {
    const best: Array<{ key: string; used: number; rejected: number }> = [];
    if (count <= 0) return best;
    for (const [key, state] of this.states) {
      const value = state[field];
      if (value === 0 || (best.length === count && value <= best[count - 1][field])) continue;
      let at = best.length;
      while (at > 0 && best[at - 1][field] < value) at--;
      best.splice(at, 0, { key, used: state.used, rejected: state.rejected });
      if (best.length > count) best.pop();
    }
    return best;
  }

  /** CLOCK: give used keys a second chance, evict the first unused one; busy keys are passed over. */
  private evictOne(): void {
    // Two laps at most: the first may only clear marks. If every key is busy the store grows past the
    // cap by the requests in flight, which other limits bound.
    for (let steps = 2 * this.states.size + 1; steps > 0; steps--) {
      const entry = this.advance();
      if (entry === undefined) return;
      const state = entry[1];
      if (this.busy(state)) continue;
      if (state.ref) {
        state.ref = false;
        continue;
      }
      this.states.delete(entry[0]);
      this.evictedForced++;
      return;
    }
  }

  /** The next entry under the hand, starting over after the last. */
  private advance(): [string, S] | undefined {
    if (this.hand !== undefined) {
      const next = this.hand.next();
      if (!next.done) return next.value;
    }
    this.hand = this.states.entries();
    const first = this.hand.next();
    return first.done ? undefined : first.value;
  }
}
