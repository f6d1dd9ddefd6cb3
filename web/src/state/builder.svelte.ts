/**
 * The topology editor's state: whether the page is in build mode, the edit in progress (a node kind
 * waiting for the node it will forward to, a connection being dragged or picked by keyboard), what the
 * last edit did, and undo/redo. Every edit reads the running config, changes it (lib/builder/graph-edits.ts)
 * and applies it through PUT /api/config like every other change the page makes: the engine judges it,
 * and a refusal is said in words and changes nothing. Undo and redo work on the running config as it
 * is now (lib/builder/rebase.ts): a change made since elsewhere (a setting, the editor, a lesson) is
 * kept, and when it touched what the undo would take back, the undo says so and does nothing.
 */
import { getContext, setContext } from 'svelte';
import { api } from '../lib/api.ts';
import { addNode, connect, deleteNode, disconnect, emptySandbox, renameNode, type Config, type Edit, type NodeKind } from '../lib/builder/graph-edits.ts';
import { EditHistory } from '../lib/builder/history.ts';
import { rebase, same } from '../lib/builder/rebase.ts';
import type { Position } from '../lib/layout/layout.ts';
import { renamedPosition, withoutPosition, withPosition } from '../lib/layout/position-edit.ts';
import type { LabState } from './lab-state.svelte.ts';

export interface BuildStatus {
  kind: 'done' | 'refused' | 'ask';
  text: string;
}

export class Builder {
  on = $state(false);
  /** A node kind chosen in the palette that waits for the node it will forward to. */
  pending = $state<Exclude<NodeKind, 'service'> | null>(null);
  /** A connection started from this node (or the clients), by drag or by the `l` key, waiting for its other end. */
  linkFrom = $state<string | null>(null);
  /** Where a dragged connection's loose end is, in the diagram's coordinates. */
  dragAt = $state.raw<{ x: number; y: number } | null>(null);
  status = $state.raw<BuildStatus | null>(null);
  canUndo = $state(false);
  canRedo = $state(false);
  busy = $state(false);
  /** The node whose new id the bar asks for (F2 on a focused box). */
  renaming = $state<string | null>(null);
  /** "New empty sandbox" was pressed and waits for its confirmation. */
  confirmingEmpty = $state(false);
  readonly #history = new EditHistory<Config>();

  constructor(readonly lab: LabState) {}

  toggle(): void {
    this.on = !this.on;
    this.cancel();
    this.status = this.on ? { kind: 'ask', text: 'Build mode: add nodes from the palette, drag from a box\'s right port to another box to connect them, drag a box by its body (or the arrow keys) to move it, click an edge to remove it, Delete removes the focused box.' } : null;
  }

  /** Drop the edit in progress. */
  cancel(): void {
    this.renaming = null;
    this.pending = null;
    this.linkFrom = null;
    this.dragAt = null;
  }

  /** The palette's button for `kind`: a service is added at once, any other kind asks for its upstream first. */
  add(kind: NodeKind): Promise<boolean> | void {
    this.cancel();
    if (kind === 'service') return this.#edit((config) => addNode(config, 'service'));
    this.pending = kind;
    this.status = { kind: 'ask', text: `Now click (or Tab to and press Enter on) the node the new ${kind} forwards to. Esc cancels.` };
  }

  /** A box was chosen while build mode waits for one: the new node's upstream, or a connection's other end. */
  async choose(id: string): Promise<boolean> {
    if (this.pending !== null) {
      const kind = this.pending;
      this.pending = null;
      return this.#edit((config) => addNode(config, kind, id));
    }
    if (this.linkFrom !== null) {
      const from = this.linkFrom;
      this.cancel();
      if (from === id) return false;
      return this.#edit((config) => connect(config, from, id));
    }
    return false;
  }

  /** Whether a click on a box is build mode's (a pending choice), not the inspector's. */
  get choosing(): boolean {
    return this.pending !== null || this.linkFrom !== null;
  }

  /** Start a connection from `id` (the clients too); `at` is where a drag starts. */
  startLink(id: string, at?: { x: number; y: number }): void {
    this.pending = null;
    this.linkFrom = id;
    this.dragAt = at ?? null;
    if (at === undefined) this.status = { kind: 'ask', text: `Connect ${id} to: Tab to the other box and press Enter. Esc cancels.` };
  }

  disconnect(from: string, to: string): Promise<boolean> {
    return this.#edit((config) => disconnect(config, from, to));
  }

  /** Deletes node `id`, and its box's position with it. */
  remove(id: string): Promise<boolean> {
    return this.#edit((config) => {
      const edit = deleteNode(config, id);
      return edit.ok ? { ...edit, config: withoutPosition(edit.config, id) } : edit;
    });
  }

  /**
   * Keeps node `id`'s box at `at` (a drag or the arrow keys ended there): its layout hint in the config,
   * applied like any edit, once. The box stays at its draft position until the apply's topology read
   * holds the hint; a refused move puts it back.
   */
  async move(id: string, at: Position): Promise<boolean> {
    const moved = await this.#edit((config) => withPosition(config, id, at));
    const { [id]: _done, ...drafts } = this.lab.draftPositions;
    this.lab.draftPositions = drafts;
    return moved;
  }

  startRename(id: string): void {
    this.cancel();
    this.renaming = id;
  }

  /** Rename the node being renamed to `to` (undefined: keep its id); a refusal keeps the field open to try another. */
  async rename(to: string | undefined): Promise<boolean> {
    const id = this.renaming;
    if (id === null) return false;
    if (to === undefined) {
      this.renaming = null;
      return false;
    }
    const done = await this.#edit((config) => {
      const edit = renameNode(config, id, to);
      return edit.ok ? { ...edit, config: renamedPosition(edit.config, id, to) } : edit;
    });
    if (done) this.renaming = null;
    return done;
  }

  /** The first press of "New empty sandbox" asks; `confirmEmpty` empties it (one step of undo brings everything back). */
  askEmpty(): void {
    this.cancel();
    this.confirmingEmpty = true;
  }

  async confirmEmpty(yes: boolean): Promise<boolean> {
    this.confirmingEmpty = false;
    if (!yes) return false;
    this.on = true;
    const done = await this.#edit(emptySandbox);
    if (done) this.status = { kind: 'done', text: `${this.status?.text ?? ''} Undo brings it back.`.trim() };
    return done;
  }

  async undo(): Promise<void> {
    const step = this.#history.peekUndo();
    if (step === undefined || this.busy) return;
    if (await this.#onTopOfNow(step.after, step.before, 'Undone', step.done)) this.#history.undone();
    this.#sync();
  }

  async redo(): Promise<void> {
    const step = this.#history.peekRedo();
    if (step === undefined || this.busy) return;
    if (await this.#onTopOfNow(step.before, step.after, 'Redone', step.done)) this.#history.redone();
    this.#sync();
  }

  /** Turn the running config from `from` into `to` where the edit changed it, keeping what changed since elsewhere. */
  async #onTopOfNow(from: Config, to: Config, verb: 'Undone' | 'Redone', done: string): Promise<boolean> {
    let now: Config;
    try {
      now = (await api.config()) as Config;
    } catch (error) {
      this.status = { kind: 'refused', text: `Not ${verb.toLowerCase()}: ${error instanceof Error ? error.message : String(error)}` };
      return false;
    }
    const merged = rebase(from, to, now);
    if (!merged.ok) {
      this.status = {
        kind: 'refused',
        text: `Not ${verb.toLowerCase()}: ${merged.path} was changed since "${done}" (in the settings, the config editor or a lesson), and ${verb === 'Undone' ? 'undoing' : 'redoing'} it would take that change back too. Nothing changed: change it back first, or edit it by hand.`,
      };
      return false;
    }
    const kept = same(now, from) ? '' : ' (the changes made since elsewhere are kept)';
    return this.#apply(merged.config as Config, `${verb}: ${done}${kept}.`);
  }

  async #edit(make: (config: Config) => Edit): Promise<boolean> {
    if (this.busy) return false;
    let before: Config;
    try {
      before = (await api.config()) as Config;
    } catch (error) {
      this.status = { kind: 'refused', text: `Not done: ${error instanceof Error ? error.message : String(error)}` };
      return false;
    }
    const edit = make(before);
    if (!edit.ok) {
      this.status = { kind: 'refused', text: `Not done: ${edit.reason}.` };
      return false;
    }
    const applied = await this.#apply(edit.config, `Done: ${edit.done}.`);
    if (applied) this.#history.record({ before, after: edit.config, done: edit.done });
    this.#sync();
    return applied;
  }

  async #apply(config: Config, done: string): Promise<boolean> {
    this.busy = true;
    try {
      const outcome = await this.lab.actions.applyConfig(config);
      if (outcome.ok) {
        this.status = { kind: 'done', text: outcome.failures.length > 0 ? `${done} Not started: ${outcome.failures.join('; ')}` : done };
        return true;
      }
      const why = outcome.errors.length > 0 ? outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : outcome.message;
      this.status = { kind: 'refused', text: `The engine refused it, nothing changed: ${why}` };
      return false;
    } finally {
      this.busy = false;
    }
  }

  #sync(): void {
    this.canUndo = this.#history.canUndo;
    this.canRedo = this.#history.canRedo;
  }
}

const KEY = Symbol('builder');

/** The App sets the builder; components rendered without one (component tests) get undefined and stay viewers. */
export function setBuilder(builder: Builder): Builder {
  return setContext(KEY, builder);
}

export function getBuilder(): Builder | undefined {
  return getContext<Builder | undefined>(KEY);
}
