/**
 * The SSE wire format of `GET /api/events`: the one contract the web app's parser follows.
 *
 * On connect the server writes a comment (so `onopen` fires at once, even through a proxy) and the
 * reconnection delay:
 *
 *     : connected
 *     retry: 1000
 *     <blank line>
 *
 * Then, at most once per flush (about one frame, 16 ms), one message with the default event type,
 * so the browser reads every message with `onmessage`:
 *
 *     id: <seq>
 *     data: <JSON array of StreamItem>
 *     <blank line>
 *
 * - The array holds engine events (`EngineEvent`) in ascending `seq`, and possibly `stream.dropped`
 *   notices; `data` is always exactly one line (JSON.stringify never emits a raw newline).
 * - `id` is the `seq` of the last engine event the message accounts for, delivered or dropped, so the
 *   browser's automatic `Last-Event-ID` resumes right after it. It can be higher than the last event
 *   in the array when the newest events were dropped.
 * - A `stream.dropped` notice counts events the client did not get:
 *   `reason: 'slow-consumer'`: the client fell behind, and of the `total` per-request (`request.*`)
 *     events since its previous message, `dropped` were left out (the rest are in this message).
 *     Aggregate events are never left out. The notice comes last in its message.
 *   `reason: 'resume-gap'`: the `Last-Event-ID` was older than the replay buffer; `dropped` (= `total`)
 *     events of any type were lost, so reload state that events carry (topology, config). It comes
 *     first in the first message, before the replayed events.
 *   `reason: 'history-sample'`: the replay buffer kept a whole-request sample of the per-request events
 *     (traffic was above its budget, event-ring.ts): of the `total` events the replay accounts for,
 *     `dropped` per-request events were left out. Aggregate events are all there. It comes last in the
 *     first message.
 * - An idle connection gets the comment `: heartbeat` (then a blank line) every 15 s (the stream's
 *   `heartbeatMs`); comments never reach `onmessage`.
 */
import type { DroppedNotice, EngineEvent } from '../events.ts';

export interface StreamDroppedNotice extends DroppedNotice {
  reason: 'slow-consumer' | 'resume-gap' | 'history-sample';
}

export type StreamItem = EngineEvent | StreamDroppedNotice;

export const CONNECTED_PREAMBLE = ': connected\nretry: 1000\n\n';
export const HEARTBEAT = ': heartbeat\n\n';

export function formatMessage(id: number, items: StreamItem[]): string {
  return `id: ${id}\ndata: ${JSON.stringify(items)}\n\n`;
}

/** The same message from items already serialised (the resume ring holds JSON text). */
export function formatSerialisedMessage(id: number, jsonItems: string[]): string {
  return `id: ${id}\ndata: [${jsonItems.join(',')}]\n\n`;
}
