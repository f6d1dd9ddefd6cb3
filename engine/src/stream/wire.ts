/**
 * The SSE wire format of `GET /api/events`: the one contract the web app's parser follows.
 *
 * Event ids are `<runId>-<seq>` (event-id.ts): the engine run and the `seq` of an event in it. Seqs
 * start again at 1 when the engine restarts; the run id tells the two runs apart.
 *
 * On connect the server writes a comment (so `onopen` fires at once, even through a proxy), the
 * reconnection delay and, for a fresh client, the id of the last event so far, so that a client that
 * loses the connection before its first message still resumes from where it began:
 *
 *     : connected
 *     retry: 1000
 *     id: <runId>-<seq>           (a fresh client only; a resumed one gets its replay instead)
 *     <blank line>
 *
 * (A block with an id and no data dispatches nothing; the browser only keeps the id.) Then, at most
 * once per flush (about one frame, 16 ms), one message with the default event type, so the browser
 * reads every message with `onmessage`:
 *
 *     id: <runId>-<seq>
 *     data: <JSON array of StreamItem>
 *     <blank line>
 *
 * - The array holds engine events (`EngineEvent`) in ascending `seq`, and possibly `stream.dropped`
 *   notices; `data` is always exactly one line (JSON.stringify never emits a raw newline).
 * - `id` names the last engine event the message accounts for, delivered or dropped, so the browser's
 *   automatic `Last-Event-ID` resumes right after it. Its seq can be higher than the last event in the
 *   array when the newest events were dropped.
 * - A `stream.dropped` notice counts events the client did not get:
 *   `reason: 'slow-consumer'`: the client fell behind, and of the `total` per-request (`request.*`)
 *     events since its previous message, `dropped` were left out (the rest are in this message).
 *     Aggregate events are never left out. The notice comes last in its message.
 *   `reason: 'resume-gap'`: the `Last-Event-ID` was older than the replay buffer; `dropped` (= `total`)
 *     events of any type were lost, so reload state that events carry (topology, config). It comes
 *     first in the first message, before the replayed events.
 *   `reason: 'engine-restart'`: the `Last-Event-ID` names another engine run (the engine restarted
 *     since; a bare number is an id from before ids named their run) or none the engine can read. What
 *     the client missed of its own run is unknown, so reload all state; the replay that follows starts
 *     at this run's oldest held event, and `dropped` (= `total`) counts this run's events it no longer
 *     holds. It comes first in the first message, which is always sent.
 *   `reason: 'history-sample'`: the replay buffer kept a whole-request sample of the per-request events
 *     (traffic was above its budget, event-ring.ts): of the `total` events the replay accounts for,
 *     `dropped` per-request events were left out. Aggregate events are all there. It comes last in the
 *     first message.
 *   Events emitted before the stream existed (the engine's start-up, before its control server) were
 *     never held: a replay counts them as lost, never as sampled.
 * - An idle connection gets the comment `: heartbeat` (then a blank line) every 15 s (the stream's
 *   `heartbeatMs`); comments never reach `onmessage`.
 */
import type { DroppedNotice, EngineEvent } from '../events.ts';

export interface StreamDroppedNotice extends DroppedNotice {
  reason: 'slow-consumer' | 'resume-gap' | 'engine-restart' | 'history-sample';
}

export type StreamItem = EngineEvent | StreamDroppedNotice;

const CONNECTED = ': connected\nretry: 1000\n';
/** The preamble of a resumed connection; its replay follows. */
export const CONNECTED_PREAMBLE = `${CONNECTED}\n`;
export const HEARTBEAT = ': heartbeat\n\n';

/** The preamble of a fresh connection: the comment, the retry delay and the id of the last event so far, in one block. */
export function freshPreamble(id: string): string {
  return `${CONNECTED}id: ${id}\n\n`;
}

export function formatMessage(id: string, items: StreamItem[]): string {
  return `id: ${id}\ndata: ${JSON.stringify(items)}\n\n`;
}

/** The same message from items already serialised (the resume ring holds JSON text). */
export function formatSerialisedMessage(id: string, jsonItems: string[]): string {
  return `id: ${id}\ndata: [${jsonItems.join(',')}]\n\n`;
}
