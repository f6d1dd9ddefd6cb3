/**
 * One SSE message's `data` is a JSON array of events (a frame's batch), possibly with `stream.dropped`
 * notices among them. Parsed defensively: a lone object counts as a batch of one, and anything that is
 * not an object with a string `type` is skipped rather than breaking the stream.
 */
import type { StreamDroppedNotice, StreamItem } from '../../../../engine/src/stream/wire.ts';

export type { StreamItem };

export function parseBatch(data: string): StreamItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return [];
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.filter(isStreamItem);
}

function isStreamItem(value: unknown): value is StreamItem {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function isDroppedNotice(item: StreamItem): item is StreamDroppedNotice {
  return item.type === 'stream.dropped';
}
