/**
 * Undo and redo for the topology editor: each applied edit keeps the config it replaced and the one it
 * made (and what it did, in words). Undo gives back the step, which the builder takes back on top of
 * the running config (rebase.ts), and moves it to the redo side once applied; a new edit
 * clears the redo side, as every editor does. Bounded: the oldest edits are dropped past `limit`.
 */
export interface Step<C> {
  /** The config before the edit (undo applies it). */
  before: C;
  /** The config after it (redo applies it). */
  after: C;
  done: string;
}

export class EditHistory<C> {
  #past: Step<C>[] = [];
  #future: Step<C>[] = [];

  constructor(readonly limit = 100) {}

  record(step: Step<C>): void {
    this.#past.push(step);
    if (this.#past.length > this.limit) this.#past.shift();
    this.#future = [];
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** The edit to take back (its `before` to apply), or undefined. Call `undone` once it applied. */
  peekUndo(): Step<C> | undefined {
    return this.#past.at(-1);
  }

  undone(): void {
    const step = this.#past.pop();
    if (step !== undefined) this.#future.push(step);
  }

  /** The edit to make again (its `after` to apply), or undefined. Call `redone` once it applied. */
  peekRedo(): Step<C> | undefined {
    return this.#future.at(-1);
  }

  redone(): void {
    const step = this.#future.pop();
    if (step !== undefined) this.#past.push(step);
  }
}
