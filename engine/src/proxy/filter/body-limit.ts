/**
 * The body-size limit on a body whose size is not announced (chunked): a pass-through stream that
 * counts bytes as they arrive and fails with EDGE_BODY_TOO_LARGE at the first chunk that would go past
 * the limit, without passing that chunk on. Piped between the client request and the upstream request,
 * it stops reading the client there (nginx's client_max_body_size does the same on a chunked body).
 * A body with a Content-Length above the limit never gets this far: the filter refuses it with 413
 * before any of it is read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { EdgeErrorCode } from '../../errors.ts';

/** The error a BodyLimit fails with: its `code` is the edge error to answer (413) if nothing went out yet. */
export class BodyTooLargeError extends Error {
  readonly code: EdgeErrorCode = 'EDGE_BODY_TOO_LARGE';

  constructor(readonly limit: number) {
    super(`filter: the body goes past limits.bodyBytes ${limit} -> 413`);
  }
}

export class BodyLimit extends Transform {
  #seen = 0;

  constructor(readonly limit: number) {
    super();
  }

  /** Bytes passed on so far. */
  get bytes(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const seen = this.#seen + chunk.length;
    if (seen > this.limit) {
      callback(new BodyTooLargeError(this.limit));
      return;
    }
    this.#seen = seen;
    callback(null, chunk);
  }
}
