/**
 * The lab page's state, composed of three parts a component reaches through the context (context.ts):
 *
 * - the lab itself is the live `StreamIngest` (stream-ingest.svelte.ts): what the engine reported and
 *   what the page folds from its event stream (`lab.topology`, `lab.traffic`, `lab.log`, `lab.dots`, ...);
 * - `lab.selection` (selection.svelte.ts): the box, request and fault menu the learner picked out;
 * - `lab.actions` (lab-actions.svelte.ts): every call to the control API, and the notice or warnings
 *   they leave.
 *
 * It opens the event stream and answers the stream's reloads with the actions' reads.
 */
import { openEventStream, type EventStreamOptions } from '../lib/stream/event-stream.ts';
import { LabActions } from './lab-actions.svelte.ts';
import { Selection } from './selection.svelte.ts';
import { StreamIngest, wallNow } from './stream-ingest.svelte.ts';

export class LabState extends StreamIngest {
  readonly actions: LabActions;
  #closeStream: (() => void) | undefined;

  constructor() {
    super(new Selection());
    this.actions = new LabActions(this);
    this.selection.showTracesOf(this.traces);
  }

  /** Loads the topology and opens the event stream. */
  start(streamOptions?: EventStreamOptions): void {
    void this.actions.refresh();
    this.#closeStream = openEventStream(
      '/api/events',
      {
        onBatch: (items) => this.ingest(items, wallNow()),
        onStatus: (status, reconnected) => {
          this.connection = status;
          if (reconnected) this.resync();
        },
      },
      streamOptions,
    );
  }

  stop(): void {
    this.#closeStream?.();
    this.stopFlushing();
    this.actions.stop();
  }

  protected override reload(): void {
    void this.actions.refresh();
  }
}
