/**
 * nginx's `send_timeout` as one rule, shared by the nodes' connections (node-server.ts) and the
 * control API's event stream (stream/stream-client.ts): a writer is stalled once it has held unsent
 * bytes for the timeout without any of them moving, neither their count changing nor more bytes going
 * down to the socket (a slow reader of a long answer drains and refills the buffer, and may show the
 * same count at two looks). Looked at every `timeout / 4`, so a cut comes up to a quarter late.
 */
import type { Socket } from 'node:net';

/**
 * How long a connection may hold answer bytes its client reads none of (nginx's `send_timeout`, 60 s):
 * then it is cut, so a client that stops reading cannot hold it, and the upstream connection behind
 * it, for ever. Node has no such timer (its `timeout` is off, and would cut a slow upstream's idle wait too).
 */
export const SEND_TIMEOUT_MS = 60_000;

/** Kept on what is watched: its unsent and dispatched bytes at the last look, and since when neither moved. */
export const UNSENT = Symbol('unsent');

export interface Unsent {
  bytes: number;
  dispatched: number;
  since: number;
}

export type Watched = { [UNSENT]?: Unsent };

/** How often to look for stalls under a send timeout of `timeoutMs`. */
export function stallCheckEvery(timeoutMs: number): number {
  return Math.max(10, timeoutMs / 4);
}

/** Whether `unsent` bytes have sat still, with no more `dispatched`, for `timeoutMs` (both as counted at this look, at `now`). */
export function isStalled(watched: Watched, unsent: number, dispatched: number, now: number, timeoutMs: number): boolean {
  const seen = watched[UNSENT];
  if (unsent === 0) watched[UNSENT] = undefined;
  else if (seen === undefined || seen.bytes !== unsent || seen.dispatched !== dispatched)
    watched[UNSENT] = { bytes: unsent, dispatched, since: now };
  else return now - seen.since >= timeoutMs;
  return false;
}

/** A socket's answer bytes not yet sent: in Node's buffer and in libuv's queue. */
export function unsentBytes(socket: Socket): number {
  return socket.writableLength + ((socket as NodeSocket)._handle?.writeQueueSize ?? 0);
}

/** Bytes handed down to a socket's handle so far (Node's own count, as `bytesWritten` reads it). */
export function dispatchedBytes(socket: Socket): number {
  return (socket as NodeSocket)._bytesDispatched ?? 0;
}

type NodeSocket = Socket & { _bytesDispatched?: number; _handle?: { writeQueueSize?: number } | null };
