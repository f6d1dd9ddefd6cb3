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
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: BufferedBody): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      // The 'error' listener stays: a stream with none throws the error it emits.
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      // The stream keeps flowing with no listener: the rest is read and dropped.
      else settle({ tooLarge: size });
    };
    const onEnd = (): void => settle({ body: Buffer.concat(chunks, size) });
    // 'close' before 'end': the body stopped coming. An 'error' says the same (the stream is being destroyed).
    const onClose = (): void => settle({ broken: true });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
