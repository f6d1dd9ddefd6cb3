/**
 * The page's timeline: the last 2 minutes of the stream, recorded as it arrives, and a view clock that
 * is live or shows a moment of that past, paused or replaying at 0.25x to 4x. Only the view moves: the
 * engine and its traffic run on, and the live stream keeps being folded in underneath.
 *
 * While not live, a second `StreamIngest` (`replay`) is fed the recorded items up to the view's
 * position: the dots, the log, the open trace and the box counts are drawn from it. Scrubbing back (or
 * far ahead) rebuilds it from the recording, starting `REBUILD_MS` before the position; playing feeds
 * it what arrived between its last position and the new one. What the page reads from the engine by
 * API (inspectors, charts' history, controls) stays live, and the bar says so.
 */
import { Recorder } from '../lib/timeline/recorder.ts';
import { ViewClock, type Speed } from '../lib/timeline/view-clock.ts';
import type { StreamItem } from '../lib/stream/parse-batch.ts';
import { StreamIngest, wallNow } from './stream-ingest.svelte.ts';

/** How much recorded stream a rebuilt replay starts with: enough for a full log and the requests then in flight. */
export const REBUILD_MS = 30_000;
/** How often a replay is fed and the bar refreshed; live, the bar's span is refreshed every `LIVE_TICK_MS`. */
const TICK_MS = 100;
const LIVE_TICK_MS = 1000;
/** A scrub's rebuild waits this long for the next slider move, so a drag rebuilds a few times, not at every pixel. */
const SCRUB_SETTLE_MS = 60;

/** What the timeline bar shows. */
export interface TimelineStatus {
  live: boolean;
  playing: boolean;
  speed: Speed;
  /** How far behind live the view is (ms). */
  behindMs: number;
  /** How far back the recording reaches (ms). */
  recordedMs: number;
}

export class Timeline {
  readonly recorder = new Recorder();
  readonly clock: ViewClock;
  /** The replayed stream while the view is not live; null when live. */
  replay = $state.raw<StreamIngest | null>(null);
  status = $state.raw<TimelineStatus>({ live: true, playing: true, speed: 1, behindMs: 0, recordedMs: 0 });
  readonly #live: StreamIngest;
  readonly #now: () => number;
  /** The position the replay has been fed up to. */
  #fedTo = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #scrubTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /** `live`: the lab's live stream, whose selection and layout the replay shares. */
  constructor(live: StreamIngest, now: () => number = wallNow) {
    this.#live = live;
    this.#now = now;
    this.clock = new ViewClock(now);
  }

  /** Keeps a batch as it arrives from the engine (`at`: browser time). */
  record(items: readonly StreamItem[], at: number): void {
    this.recorder.record(items, at);
    if (this.#timer === undefined && !this.#stopped) this.#schedule();
  }

  /** The moment the page shows (browser ms): what the dots are drawn at. */
  viewTime(): number {
    return this.clock.position();
  }

  togglePlay(): void {
    this.clock.togglePlay();
    this.#sync();
  }

  pause(): void {
    this.clock.pause();
    this.#sync();
  }

  play(): void {
    this.clock.play();
    this.#sync();
  }

  setSpeed(speed: Speed): void {
    this.clock.setSpeed(speed);
    this.#sync();
  }

  /** Moves the view by `deltaMs` (negative: back), never before the recording nor past now; live, only back. */
  step(deltaMs: number): void {
    if (this.clock.live && deltaMs > 0) return;
    this.clock.seek(Math.max(this.clock.position() + deltaMs, this.recorder.oldest ?? -Infinity));
    this.#sync();
  }

  /** Shows the moment `behindMs` before now (the slider); the replay is rebuilt once the slider settles. */
  scrubTo(behindMs: number): void {
    this.clock.seek(this.#now() - Math.max(0, behindMs));
    this.#publishStatus();
    clearTimeout(this.#scrubTimer);
    this.#scrubTimer = setTimeout(() => this.#sync(), SCRUB_SETTLE_MS);
  }

  goLive(): void {
    this.clock.goLive();
    this.#sync();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#scrubTimer);
  }

  /** Brings the replay (and the bar) to the clock's position: gone when live, rebuilt or fed otherwise. */
  #sync(): void {
    clearTimeout(this.#scrubTimer);
    if (this.clock.caughtUp()) this.clock.goLive();
    if (this.clock.live) {
      if (this.replay !== null) {
        this.replay = null;
        this.#live.selection.showTracesOf(this.#live.traces);
      }
    } else {
      const position = this.clock.position();
      if (this.replay === null || position < this.#fedTo || position - this.#fedTo > REBUILD_MS) this.#rebuild(position);
      else this.#feed(this.replay, this.#fedTo, position);
    }
    this.#publishStatus();
    clearTimeout(this.#timer);
    if (!this.#stopped) this.#schedule();
  }

  #rebuild(position: number): void {
    const live = this.#live;
    const replay = new StreamIngest(live.selection, live);
    // What the recording may not say again within its window: the topology, and the state of each part.
    replay.topology = live.topology;
    replay.traffic = live.traffic;
    replay.faults = live.faults;
    replay.nodeStates = live.nodeStates;
    replay.metrics = live.metrics;
    this.#feed(replay, position - REBUILD_MS, position);
    this.replay = replay;
    live.selection.showTracesOf(replay.traces);
  }

  #feed(replay: StreamIngest, from: number, to: number): void {
    for (const batch of this.recorder.between(from, to)) replay.ingest(batch.items, batch.at);
    this.#fedTo = to;
    replay.flush();
    replay.flushLog();
    replay.stopFlushing();
  }

  #publishStatus(): void {
    const now = this.#now();
    this.status = {
      live: this.clock.live,
      playing: this.clock.playing,
      speed: this.clock.speed,
      behindMs: this.clock.behindMs(),
      recordedMs: this.recorder.oldest === undefined ? 0 : now - this.recorder.oldest,
    };
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#sync(), this.clock.live ? LIVE_TICK_MS : TICK_MS);
  }
}
