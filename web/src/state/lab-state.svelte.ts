/**
 * The lab page's state, composed of three parts a component reaches through the context (context.ts):
 *
 * - the lab itself is the live `StreamIngest` (stream-ingest.svelte.ts): what the engine reported and
 *   what the page folds from its event stream (`lab.topology`, `lab.traffic`, `lab.log`, `lab.dots`, ...);
 * - `lab.selection` (selection.svelte.ts): the box, request and fault menu the learner picked out;
 * - `lab.actions` (lab-actions.svelte.ts): every call to the control API, and the notice or warnings
 *   they leave;
 * - `lab.timeline` (timeline.svelte.ts): the last 2 minutes of the stream and the view's clock. While
 *   the view is not live, `lab.view` is the replayed stream: what the page draws from events (dots,
 *   log, trace, box counts) reads `lab.view`; everything else reads the lab, live.
 *
 * It opens the event stream and answers the stream's reloads with the actions' reads.
 */
import { healthProbe, openEventStream, type EventStreamOptions } from '../lib/stream/event-stream.ts';
import { LabActions } from './lab-actions.svelte.ts';
import { Selection } from './selection.svelte.ts';
import { Timeline } from './timeline.svelte.ts';
import { StreamIngest, wallNow } from './stream-ingest.svelte.ts';

/**
 * A stream silent for 5 s (an idle engine writes nothing but comment heartbeats) asks GET /api/health,
 * which a live engine answers at once; 4 s without an answer is an engine that is not there.
 */
const ENGINE_LIVENESS = { quietMs: 5_000, probe: healthProbe('/api/health', 4_000) };

export class LabState extends StreamIngest {
  readonly actions: LabActions;
  readonly timeline: Timeline;
  #closeStream: (() => void) | undefined;
  /** The event stream has opened once: a later open is a reconnection, answered by `resync`. */
  #opened = false;

  constructor() {
    super(new Selection());
    this.actions = new LabActions(this);
    this.timeline = new Timeline(this);
    this.selection.showTracesOf(this.traces);
  }

  /** Loads the topology and opens the event stream. */
  start(streamOptions?: EventStreamOptions): void {
    void this.actions.refresh();
    this.#closeStream = openEventStream(
      '/api/events',
      {
        onBatch: (items) => {
          const at = wallNow();
          this.timeline.record(items, at);
          this.ingest(items, at);
        },
        onStatus: (status, reconnected) => {
          this.connection = status;
          if (reconnected) this.resync();
          // The first fetch may have been answered before the stream started: what happened in between
          // (a fault injected, a node stopped) no event will tell, so it is read again now.
          else if (status === 'open' && !this.#opened) void this.actions.refresh();
          if (status === 'open') this.#opened = true;
        },
      },
      { liveness: ENGINE_LIVENESS, ...streamOptions },
    );
  }

  stop(): void {
    this.#closeStream?.();
    this.stopFlushing();
    this.actions.stop();
    this.timeline.stop();
  }

  /** The stream the page draws events from: the timeline's replay while the view is not live, else the lab itself. */
  get view(): StreamIngest {
    return this.timeline.replay ?? this;
  }

  protected override reload(): void {
    void this.actions.refresh();
  }

  protected override reloadLiveViews(): void {
    void this.actions.refreshLiveViews();
  }
}
