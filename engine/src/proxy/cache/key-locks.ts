/**
 * One upstream fetch per key at a time (nginx proxy_cache_lock): the first miss takes the key's lock,
 * later ones wait for its release, each for at most the lock timeout, after which it goes upstream
 * itself (nginx proxy_cache_lock_timeout; its response is then not stored). A lock is released by the
 * holder once its response is stored or given up; waiters learn only that, then look in the store again.
 */
interface Lock {
  readonly waiters: Set<() => void>;
}

export type WaitResult = 'released' | 'timed-out';

export class KeyLocks {
  readonly #locks = new Map<string, Lock>();
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Takes the key's lock if it is free; true when the caller now holds it. */
  take(key: string): boolean {
    if (this.#locks.has(key)) return false;
    this.#locks.set(key, { waiters: new Set() });
    return true;
  }

  held(key: string): boolean {
    return this.#locks.has(key);
  }

  /** Waits for the key's lock to be released, or the lock timeout; 'released' at once when nobody holds it. */
  wait(key: string): Promise<WaitResult> {
    const lock = this.#locks.get(key);
    if (lock === undefined) return Promise.resolve('released');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        lock.waiters.delete(wake);
        resolve('timed-out');
      }, this.#timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve('released');
      };
      lock.waiters.add(wake);
    });
  }

  /** Releases the key's lock and wakes its waiters. */
  release(key: string): void {
    const lock = this.#locks.get(key);
    if (lock === undefined) return;
    this.#locks.delete(key);
    for (const wake of lock.waiters) wake();
  }

  /** Keys locked now (for the panel: a herd waiting on one fetch). */
  get size(): number {
    return this.#locks.size;
  }
}
