/**
 * An xstate actor's snapshot as Svelte state: the small runes adapter STACK.md prefers to
 * @xstate/svelte's stores. `snapshot` is replaced whole on every change the actor reports (snapshots
 * are immutable, so it is raw state), and `$derived` values and templates that read it follow the
 * machine. Events go in through `send`; nothing else about the actor leaks out.
 */
import type { Actor, AnyActorLogic, EventFromLogic, SnapshotFrom, Subscription } from 'xstate';

export class ActorState<TLogic extends AnyActorLogic> {
  snapshot: SnapshotFrom<TLogic>;
  readonly #actor: Actor<TLogic>;
  readonly #subscription: Subscription;

  /** Follows `actor` (started or not) until `stop`. */
  constructor(actor: Actor<TLogic>) {
    this.#actor = actor;
    this.snapshot = $state.raw(actor.getSnapshot());
    this.#subscription = actor.subscribe({
      next: (snapshot) => {
        this.snapshot = snapshot;
      },
      // A failed actor says so in its snapshot (`status: 'error'`); keep that rather than rethrow.
      error: () => {
        this.snapshot = actor.getSnapshot();
      },
    });
  }

  send(event: EventFromLogic<TLogic>): void {
    this.#actor.send(event);
  }

  /** Stops following the actor, and stops the actor (its invoked work is cancelled). */
  stop(): void {
    this.#subscription.unsubscribe();
    this.#actor.stop();
  }
}
