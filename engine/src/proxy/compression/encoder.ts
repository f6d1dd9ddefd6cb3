/**
 * The encoder of one compressed response body: a node:zlib stream (run on libuv's thread pool, so the
 * event loop only hands chunks over) piped into the response, counting bytes in and out.
 *
 * Levels for live traffic, where every response pays the cost while the client waits:
 * - brotli quality 4: about gzip 6's speed with smaller output on text; quality 5 and up slow down
 *   steeply (11, the zlib default, runs ~100x slower and is meant for files compressed ahead of time).
 * - gzip level 6: zlib's own default and the usual choice of nginx configs (nginx's built-in default is
 *   1, fastest but larger); levels 7-9 cost much more CPU for a percent or two.
 * Every chunk the upstream sends is flushed through (Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH), as Envoy's
 * compressor does, so a streamed answer (server-sent events, a slow origin) reaches the client as the
 * origin sends it instead of waiting in the compressor's window; a flush costs a few bytes per chunk.
 * A zlib error destroys the response (its headers are gone, so the client sees a cut connection, as
 * with any upstream failure mid-body) and is counted; the client leaving destroys the zlib stream,
 * freeing its native memory at once. Nothing here throws.
 */
import { pipeline, type Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { EdgeErrorCode } from '../../errors.ts';
import type { ContentCoding } from './codings.ts';

export interface EncoderLevels {
  /** brotli quality, 0-11. */
  readonly br: number;
  /** gzip level, 1-9. */
  readonly gzip: number;
}

export const DEFAULT_ENCODER_LEVELS: EncoderLevels = { br: 4, gzip: 6 };

/** What a node's compression did, for the inspector (bytes saved = bytesIn - bytesOut) and metrics. */
export interface CompressionTally {
  /** Responses whose body went through an encoder. */
  responses: number;
  /** Body bytes handed to encoders (the origin's bytes). */
  bytesIn: number;
  /** Encoded bytes that came out of them (what went to clients). */
  bytesOut: number;
  /** Encoders that failed (the response was cut). */
  failures: number;
}

export function newCompressionTally(): CompressionTally {
  return { responses: 0, bytesIn: 0, bytesOut: 0, failures: 0 };
}

/**
 * Encodes one body into `destination` (the ServerResponse, its headers already set by the policy).
 * The caller writes the origin's chunks and ends it; `write` returning false means wait for `onDrain`.
 */
export class BodyEncoder {
  /** This body's bytes in and out (the tally sums every body's). */
  bytesIn = 0;
  bytesOut = 0;
  readonly #stream: zlib.BrotliCompress | zlib.Gzip;
  readonly #tally: CompressionTally;
  #abandoned = false;
  #failure: EdgeErrorCode | undefined = undefined;

  constructor(
    destination: Writable,
    readonly coding: ContentCoding,
    levels: EncoderLevels,
    tally: CompressionTally,
    sizeHint?: number,
  ) {
    this.#tally = tally;
    this.#stream = coding === 'br' ? brotli(levels.br, sizeHint) : gzip(levels.gzip, sizeHint);
    tally.responses++;
    this.#stream.on('data', this.#countOut);
    pipeline(this.#stream, destination, this.#finished);
  }

  /** Encode a chunk of the origin's body; false when the caller should wait for `onDrain`. */
  write(chunk: Buffer): boolean {
    if (this.#stream.destroyed) return true;
    this.#tally.bytesIn += chunk.length;
    this.bytesIn += chunk.length;
    return this.#stream.write(chunk);
  }

  /** The origin's body ended: finish the coding and end the response. */
  end(): void {
    if (!this.#stream.destroyed) this.#stream.end();
  }

  /** Call `listener` once the encoder takes chunks again. */
  onDrain(listener: () => void): void {
    this.#stream.once('drain', listener);
  }

  /** Whether the encoder is done: finished, failed or destroyed (its native memory is freed). */
  get closed(): boolean {
    return this.#stream.closed;
  }

  /** Why the response was cut, when the encoder failed: for the exchange's error and the request's event. */
  get failure(): EdgeErrorCode | undefined {
    return this.#failure;
  }

  /** The upstream failed mid-body: stop encoding and cut the response (not the encoder's failure). */
  abandon(): void {
    this.#abandoned = true;
    this.#stream.destroy();
  }

  readonly #countOut = (chunk: Buffer): void => {
    this.#tally.bytesOut += chunk.length;
    this.bytesOut += chunk.length;
  };

  readonly #finished = (error: NodeJS.ErrnoException | null | undefined): void => {
    // The client leaving early, or the upstream failing, is not the encoder's failure.
    if (!error || this.#abandoned || error.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    this.#failure = 'EDGE_COMPRESSION_FAILED';
    this.#tally.failures++;
  };
}

const MAX_SIZE_HINT = 2 ** 30;

/** Brotli at `quality`, its window sized by `sizeHint` (a 32-bit field: any length past 1 GiB says as much). */
export function brotliOptions(quality: number, sizeHint: number | undefined): zlib.BrotliOptions {
  const params: Record<number, number> = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality };
  if (sizeHint !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = Math.min(sizeHint, MAX_SIZE_HINT);
  return { params };
}

/**
 * gzip at `level`. A body of known length needs no bigger window than itself: as nginx does, shrink the
 * window (and the hash memory with it) while the body fits in half of it, so a 2 KB answer holds ~10 KB
 * of zlib state instead of ~256 KB. The output is the same as with the full window.
 */
export function gzipOptions(level: number, length: number | undefined): zlib.ZlibOptions {
  let windowBits = 15;
  let memLevel = 8;
  if (length !== undefined && length > 0) {
    while (length < (1 << (windowBits - 1)) - 262) {
      windowBits--;
      memLevel--;
    }
  }
  return { level, windowBits, memLevel };
}

function brotli(quality: number, sizeHint: number | undefined): zlib.BrotliCompress {
  return zlib.createBrotliCompress({ ...brotliOptions(quality, sizeHint), flush: zlib.constants.BROTLI_OPERATION_FLUSH });
}

function gzip(level: number, length: number | undefined): zlib.Gzip {
  return zlib.createGzip({ ...gzipOptions(level, length), flush: zlib.constants.Z_SYNC_FLUSH });
}
