/**
 * The encoder of a small body whose length the head declares: the body is gathered, then coded in
 * one call on the event loop (zlib.gzipSync, brotliCompressSync) and written once, as nginx's gzip
 * filter codes in its worker. A zlib stream (BodyEncoder) instead costs a native context set up per
 * response, a trip to libuv's thread pool per chunk and a flush per chunk: about 300 µs for a 2 KB
 * answer against about 45 µs coded whole, which made a proxy with `compression:` three times slower on
 * small API answers (`npm run bench`, pair compression-cost). Above WHOLE_BODY_MAX_BYTES the stream
 * keeps its place: it holds no body in memory, hands the client bytes as they come, and keeps long
 * coding off the event loop (32 KB codes in under half a millisecond at the default levels). gzip gets
 * zlib's full window here: its state lives only for the call, and a shrunk one codes small bodies slower.
 *
 * Same contract as BodyEncoder: bytes in and out for the tally and the request's event, `failure`
 * when coding failed (the response is cut), the client leaving or the upstream failing is not a
 * failure. Nothing here throws.
 */
import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { EdgeErrorCode } from '../../errors.ts';
import type { ContentCoding } from './codings.ts';
import { BodyEncoder, brotliOptions, type CompressionTally, type EncoderLevels } from './encoder.ts';

/** The largest declared length coded whole; a longer body streams through a BodyEncoder. */
export const WHOLE_BODY_MAX_BYTES = 32 * 1024;

/** The encoder for a body: coded whole when its declared length is at most WHOLE_BODY_MAX_BYTES, else streamed. */
export function bodyEncoderFor(
  destination: ServerResponse,
  coding: ContentCoding,
  levels: EncoderLevels,
  tally: CompressionTally,
  length: number | undefined,
): BodyEncoder | WholeBodyEncoder {
  if (length !== undefined && length <= WHOLE_BODY_MAX_BYTES) return new WholeBodyEncoder(destination, coding, levels, tally);
  return new BodyEncoder(destination, coding, levels, tally, length);
}

export class WholeBodyEncoder {
  bytesIn = 0;
  bytesOut = 0;
  #chunks: Buffer[] = [];
  #closed = false;
  #failure: EdgeErrorCode | undefined = undefined;
  readonly #destination: ServerResponse;
  readonly #levels: EncoderLevels;
  readonly #tally: CompressionTally;

  constructor(destination: ServerResponse, readonly coding: ContentCoding, levels: EncoderLevels, tally: CompressionTally) {
    this.#destination = destination;
    this.#levels = levels;
    this.#tally = tally;
    tally.responses++;
  }

  /** Gather a chunk; always true (nothing waits on a body this small). */
  write(chunk: Buffer): boolean {
    if (this.#closed) return true;
    this.bytesIn += chunk.length;
    this.#tally.bytesIn += chunk.length;
    // More than this encoder holds (a body past the length its head declared) is not coded: the answer is cut.
    if (this.bytesIn > WHOLE_BODY_MAX_BYTES) this.#fail();
    else this.#chunks.push(chunk);
    return true;
  }

  /** The body ended: code it and end the response with it (unless the client left meanwhile). */
  end(): void {
    if (this.#closed) return;
    const body = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.bytesIn);
    this.#chunks = [];
    if (this.#destination.destroyed) {
      this.#closed = true;
      return;
    }
    let coded: Buffer;
    try {
      coded = this.coding === 'br' ? zlib.brotliCompressSync(body, brotliOptions(this.#levels.br, body.length)) : zlib.gzipSync(body, { level: this.#levels.gzip });
    } catch {
      return this.#fail();
    }
    this.#closed = true;
    this.bytesOut = coded.length;
    this.#tally.bytesOut += coded.length;
    this.#destination.end(coded);
  }

  /** Never needed (`write` never asks to wait); kept to the writer's contract. */
  onDrain(listener: () => void): void {
    this.#destination.once('drain', listener);
  }

  /** Whether the encoder is done: ended, failed or abandoned (it holds no body any more). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why the response was cut, when coding failed. */
  get failure(): EdgeErrorCode | undefined {
    return this.#failure;
  }

  /** The upstream failed mid-body: drop what was gathered and cut the response. */
  abandon(): void {
    this.#closed = true;
    this.#chunks = [];
    this.#destination.destroy();
  }

  #fail(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#failure = 'EDGE_COMPRESSION_FAILED';
    this.#tally.failures++;
    this.#destination.destroy();
  }
}
