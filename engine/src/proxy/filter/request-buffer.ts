/**
 * Request buffering, for a proxy whose filter limits the body size (`limits.bodyBytes`): the whole body
 * is read before anything goes upstream, as nginx does by default (`proxy_request_buffering on`). A body
 * that goes past the limit gets 413 at the chunk that passes it, and one that breaks off (the client
 * left, a malformed chunk) ends there too: the upstream sees nothing of either, not even the head.
 *
 * The body is held in memory, at most `bodyBytes` of it, as Envoy's buffer filter holds up to
 * `max_request_bytes` (nginx writes what passes `client_body_buffer_size` to a temporary file). It then
 * goes upstream in one piece with its Content-Length, also when it came chunked (nginx does the same).
 * Past the limit the rest of the body is read and dropped, as Node drops an unread body after its
 * answer, so the client gets its 413 and the connection can carry its next request; the filter's
 * timeouts bound how long that takes.
 */
import type { IncomingMessage } from 'node:http';

export type BufferedBody =
  /** The whole body, at most the limit. */
  | { readonly body: Buffer }
  /** The body went past the limit: `bytes` is how many had come by then. */
  | { readonly tooLarge: number }
  /** The body never ended: the client left, or its framing broke (Node's parser answers that one). */
  | { readonly broken: true };

export function bufferBody(req: IncomingMessage, limit: number): Promise<BufferedBody> {
  return new Promise((resolve) => {
    // The bytes are copied into one buffer that doubles as it fills: a body of a million one-byte
    // chunks then costs its bytes, not a million Buffer objects (a chunk is a view of the read it came in).
    const announced = Number(req.headers['content-length']);
    let held = Buffer.allocUnsafe(Math.min(limit, announced >= 0 ? announced : INITIAL_BYTES));
    let size = 0;
    const settle = (outcome: BufferedBody): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      // The 'error' listener stays: a stream with none throws the error it emits.
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      const next = size + chunk.length;
      // The stream keeps flowing with no listener: the rest is read and dropped.
      if (next > limit) return settle({ tooLarge: next });
      if (next > held.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(next, held.length * 2)));
        held.copy(grown, 0, 0, size);
        held = grown;
      }
      chunk.copy(held, size);
      size = next;
    };
    const onEnd = (): void => settle({ body: held.subarray(0, size) });
    // 'close' before 'end': the body stopped coming. An 'error' says the same (the stream is being destroyed).
    const onClose = (): void => settle({ broken: true });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}

/** The first buffer for a body whose size no header announces; it doubles as the body comes. */
const INITIAL_BYTES = 16 * 1024;
