/**
 * The engine's event stream over EventSource. The browser reconnects by itself and resumes with
 * `Last-Event-ID`; when it gives up (the source is CLOSED, e.g. the engine answered an error while
 * restarting) a new source is opened after a growing pause, resuming from the last id seen through
 * `?lastEventId=` (a new EventSource sends no `Last-Event-ID`), so the engine can still say what was
 * missed, a restart included. `onStatus` reports `reconnected` on the first open after a loss, so the
 * caller can refetch what it may have missed (the topology).
 *
 * An engine that stops answering without closing its sockets (frozen, stopped with SIGSTOP, its event
 * loop stuck) leaves the source open and silent, and the browser waits for ever: the engine's
 * heartbeats are comments, which EventSource does not surface. With `liveness`, a stream silent for
 * `quietMs` asks the engine whether it is there; no answer in time, and the source is dropped and
 * opened again (the caller hears `reconnecting`, then `open` with `reconnected` once it answers).
 */
import { parseBatch, type StreamItem } from './parse-batch.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

export interface EventStreamHandlers {
  onBatch(items: StreamItem[]): void;
  onStatus(status: ConnectionStatus, reconnected: boolean): void;
}

/** The part of EventSource this module uses, so tests can drive it. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((this: EventSourceLike, ev: Event) => unknown) | null;
  onmessage: ((this: EventSourceLike, ev: MessageEvent) => unknown) | null;
  onerror: ((this: EventSourceLike, ev: Event) => unknown) | null;
  close(): void;
}

export interface Liveness {
  /** How long the stream may be silent before the engine is asked whether it is still there. */
  quietMs: number;
  /** Resolves true when the engine answered in time, false otherwise; never rejects. */
  probe: () => Promise<boolean>;
}

/** `GET url` answered 2xx within `timeoutMs`. */
export function healthProbe(url: string, timeoutMs: number): () => Promise<boolean> {
  return () => fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.ok, () => false);
}

export interface EventStreamOptions {
  createSource?: (url: string) => EventSourceLike;
  liveness?: Liveness;
  /** Pause before reopening a CLOSED source; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

const OPEN = 1;
const CLOSED = 2;

/** Opens the stream; returns a function that closes it for good. */
export function openEventStream(url: string, handlers: EventStreamHandlers, options: EventStreamOptions = {}): () => void {
  const createSource = options.createSource ?? ((u: string) => new EventSource(u) as unknown as EventSourceLike);
  const baseRetry = options.retryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 5000;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));

  let source: EventSourceLike | undefined;
  /** The id of the last message, as the engine wrote it (`<run>-<seq>`): opaque here. */
  let lastEventId = '';
  let timer: unknown;
  let lost = false;
  let retry = baseRetry;
  let closed = false;
  let watch: unknown;

  /** After `quietMs` of silence on an open source, the probe; a source that hears nothing back is replaced. */
  const watchSilence = (current: EventSourceLike) => {
    const { liveness } = options;
    if (liveness === undefined) return;
    if (watch !== undefined) clearTimer(watch);
    watch = setTimer(async () => {
      watch = undefined;
      const answered = await liveness.probe();
      if (closed || source !== current || current.readyState !== OPEN) return;
      if (answered) return watchSilence(current);
      lost = true;
      handlers.onStatus('reconnecting', false);
      current.close();
      connect();
    }, liveness.quietMs);
  };

  const connect = () => {
    timer = undefined;
    const current = createSource(lastEventId === '' ? url : `${url}${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(lastEventId)}`);
    source = current;
    current.onopen = () => {
      retry = baseRetry;
      handlers.onStatus('open', lost);
      lost = false;
      watchSilence(current);
    };
    current.onmessage = (event) => {
      watchSilence(current);
      if (event.lastEventId) lastEventId = event.lastEventId;
      const items = parseBatch(typeof event.data === 'string' ? event.data : '');
      if (items.length > 0) handlers.onBatch(items);
    };
    current.onerror = () => {
      if (closed || source !== current) return;
      lost = true;
      handlers.onStatus('reconnecting', false);
      if (current.readyState === CLOSED && timer === undefined) {
        current.close();
        timer = setTimer(connect, retry);
        retry = Math.min(retry * 2, maxRetry);
      }
    };
  };

  handlers.onStatus('connecting', false);
  connect();
  return () => {
    closed = true;
    if (timer !== undefined) clearTimer(timer);
    if (watch !== undefined) clearTimer(watch);
    source?.close();
  };
}
