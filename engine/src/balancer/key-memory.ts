/**
 * Where each request key went last: what a balancer remembers to tell a key that kept its target from
 * one that moved. The key is what the balancer could keep affinity on: the key a hash picker hashes
 * (`hashKey`), or the client address for the other pickers. Bounded: past `limit` keys the one seen
 * longest ago is forgotten (and counts as new when it comes back). A Map lookup and a re-insert per
 * request. Each request's first pick is judged against its key's last target (KeyOutcome).
 */
import type { KeyAffinity } from '../events.ts';

/** Enough for every client of the lab's flows (at most 10,000 per flow) and a large key space besides. */
export const KEY_MEMORY_LIMIT = 20_000;

export class KeyMemory {
  /** Key -> its last target, least recently seen first (a Map keeps insertion order). */
  readonly #last = new Map<string, string>();

  constructor(readonly limit = KEY_MEMORY_LIMIT) {}

  get size(): number {
    return this.#last.size;
  }

  /**
   * Remember that `key` went to `target` now, and say how that compares with where it went last:
   * `inPool(id)` says whether a target is still configured and could take this request.
   */
  observe(key: string, target: string, inPool: (id: string) => boolean): KeyAffinity {
    const previous = this.#last.get(key);
    if (previous !== undefined) this.#last.delete(key);
    else if (this.#last.size >= this.limit) this.#last.delete(this.#last.keys().next().value!);
    this.#last.set(key, target);
    if (previous === undefined) return { key, outcome: 'new' };
    if (previous === target) return { key, outcome: 'stayed' };
    return { key, outcome: inPool(previous) ? 'moved' : 'rehomed', previous };
  }

  /** Forget every key: a new mapping (algorithm, its options, what it hashes) starts afresh. */
  clear(): void {
    this.#last.clear();
  }
}
