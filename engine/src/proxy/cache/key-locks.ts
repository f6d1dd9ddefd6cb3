/**
 * One upstream fetch per key at a time (nginx proxy_cache_lock): the first miss takes the key's lock,
 * later ones wait for its release. A lock lasts at most the lock timeout: then its waiters are sent
 * upstream themselves (nginx proxy_cache_lock_timeout; their responses are not stored) and the key is
 * free for one more fetch (nginx proxy_cache_lock_age), so a fetch that never settles cannot hold a key
 * forever. A holder releases only its own lock, never a later one on the same key. One timer per lock,
 * none per waiter.
 */

/** A held lock, as the holder gives it back to release. */
export interface KeyLock {
  readonly key: string;
}

interface HeldLock extends KeyLock {
  readonly waiters: Array<(result: WaitResult) => void>;
  readonly timer: NodeJS.Timeout;
}

export type WaitResult = 'released' | 'timed-out';

export class KeyLocks {
  readonly #locks = new Map<string, HeldLock>();
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** The key's lock if it is free, now held by the caller; undefined when another holds it. */
  take(key: string): KeyLock | undefined {
    if (this.#locks.has(key)) return undefined;
    const lock: HeldLock = { key, waiters: [], timer: setTimeout(() => this.#end(lock, 'timed-out'), this.#timeoutMs).unref() };
    this.#locks.set(key, lock);
    return lock;
  }

  /** Waits until the key's lock is released or times out; 'released' at once when nobody holds it. */
  wait(key: string): Promise<WaitResult> {
    const lock = this.#locks.get(key);
    if (lock === undefined) return Promise.resolve('released');
    return new Promise((resolve) => lock.waiters.push(resolve));
  }

  /** Gives back `lock` and wakes its waiters; nothing when it already timed out. */
  release(lock: KeyLock): void {
    this.#end(lock, 'released');
  }

  /** Keys locked now (for the panel: a herd waiting on one fetch). */
  get size(): number {
    return this.#locks.size;
  }

  #end(lock: KeyLock, result: WaitResult): void {
    const held = this.#locks.get(lock.key);
    if (held !== lock) return;
    this.#locks.delete(lock.key);
    clearTimeout(held.timer);
    for (const wake of held.waiters) wake(result);
  }
}
