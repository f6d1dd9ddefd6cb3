/**
 * Whether one response is compressed, and with what: compiled once from the node's `compression`
 * config, asked once per response with the request's method and Accept-Encoding and the response's
 * status and (lowercase) headers, which it edits in place. In order:
 *
 * 1. No body to compress: 1xx and 204 (and HEAD, 304 below) - RFC 9110 section 6.4.1.
 * 2. 206 or a Content-Range: the ranges count the identity bytes; encoding them would corrupt them.
 * 3. Content-Encoding already set: never compressed twice.
 * 4. Cache-Control: no-transform: a proxy must not change the content (section 7.7).
 * 5. Media type not in the compressible set (or no Content-Type: nothing says it is text, as nginx),
 *    except a 304 without one: it need not carry Content-Type (section 15.4.5), and origins and caches
 *    leave it out, yet its ETag must be weakened as the compressed 200's was (rule 8).
 * 6. Content-Length under minSize (a body without a length is streamed, and compressed).
 * From here the representation depends on Accept-Encoding, so `Vary: Accept-Encoding` is added whatever
 * this client accepts (section 12.5.5): a cache in front must not serve this client's identity body to
 * the next one that takes br, nor the reverse. nginx (`gzip_vary on`) and Envoy do the same; neither
 * adds it to a response too small or of a type it never compresses, and neither do we.
 * 7. Negotiation (accept-encoding.ts) finds no coding the client takes.
 * 8. HEAD: the headers only, as is (nginx). 304: no body, but the ETag is weakened as the 200 it stands
 *    for was, so the client's stored validator and this one agree. Both get the Vary the GET's 200
 *    would carry (sections 9.3.2 and 15.4.5); nginx skips them (`header_only`), so its 304s lack it.
 * nginx compresses only 200, 403 and 404; Envoy and we compress any status with a body but 206.
 * Otherwise: Content-Encoding set, Content-Length and Accept-Ranges removed (the body is chunked and its
 * byte ranges are not the origin's, as nginx clears them), a strong ETag weakened.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { CompressionConfig, CompressionSettingsConfig } from '../../config/proxy/compression.ts';
import { DEFAULT_MIN_SIZE } from '../../config/proxy/compression.ts';
import { EncodingNegotiator, type NoCodingReason } from './accept-encoding.ts';
import { DEFAULT_CODINGS, type ContentCoding } from './codings.ts';
import { DEFAULT_ENCODER_LEVELS, type EncoderLevels } from './encoder.ts';
import { DEFAULT_COMPRESSIBLE_TYPES, MediaTypeSet, mediaTypeOf } from './media-types.ts';
import { contentLengthOf, forbidsTransform, varyOnAcceptEncoding, weakenEtag } from './response-headers.ts';

/** Why a response went as it did; `compress` is the only outcome that encodes the body. */
export type CompressionOutcome =
  | 'compress'
  | 'no-body'
  | 'not-modified'
  | 'partial'
  | 'encoded'
  | 'no-transform'
  | 'type'
  | 'small'
  | NoCodingReason;

/** One response's decision, for the encoder and the trace (`describeDecision`). */
export interface CompressionDecision {
  readonly outcome: CompressionOutcome;
  /**
   * The coding negotiated for this client: the body is encoded with it only when `outcome` is
   * `compress` (HEAD and 304 negotiate one but carry no body).
   */
  readonly coding: ContentCoding | undefined;
  /** The client's weight for that coding. */
  readonly q: number | undefined;
  readonly status: number;
  readonly method: string;
  readonly mediaType: string | undefined;
  /** The Content-Length the response came with, when it had one. */
  readonly length: number | undefined;
  /** Whether `Vary: Accept-Encoding` was added (the response could be encoded for some client). */
  readonly vary: boolean;
  /** Content-Encoding the response came with (outcome `encoded`). */
  readonly encodedAs: string | undefined;
}

export class CompressionPolicy {
  readonly minSize: number;
  readonly codings: readonly ContentCoding[];
  readonly levels: EncoderLevels;
  readonly #types: MediaTypeSet;
  readonly #negotiator: EncodingNegotiator;

  constructor(settings: CompressionSettingsConfig = {}) {
    this.minSize = settings.minSize ?? DEFAULT_MIN_SIZE;
    this.codings = settings.algorithms ?? DEFAULT_CODINGS;
    this.levels = { ...DEFAULT_ENCODER_LEVELS, ...settings.level };
    this.#types = new MediaTypeSet(settings.types ?? DEFAULT_COMPRESSIBLE_TYPES);
    this.#negotiator = new EncodingNegotiator(this.codings);
  }

  /** Decide for one response and edit its headers to match (see the file comment for the order). */
  decide(method: string, acceptEncoding: string | string[] | undefined, status: number, headers: OutgoingHttpHeaders): CompressionDecision {
    const mediaType = mediaTypeOf(headers['content-type']);
    const length = contentLengthOf(headers);
    const decision = { outcome: 'no-body', coding: undefined, q: undefined, status, method, mediaType, length, vary: false, encodedAs: undefined } as Mutable<CompressionDecision>;
    if (status < 200 || status === 204) return decision;
    if (status === 206 || headers['content-range'] !== undefined) return settle(decision, 'partial');
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding !== '') {
      decision.encodedAs = String(encoding);
      return settle(decision, 'encoded');
    }
    if (forbidsTransform(headers)) return settle(decision, 'no-transform');
    // A 304 need not say its type (RFC 9110 section 15.4.5): it is judged as the 200 it stands for may be.
    if (mediaType === undefined ? status !== 304 : !this.#types.has(mediaType)) return settle(decision, 'type');
    if (length !== undefined && length < this.minSize) return settle(decision, 'small');
    varyOnAcceptEncoding(headers);
    decision.vary = true;
    const negotiated = this.#negotiator.negotiate(acceptEncoding);
    if (negotiated.coding === undefined) return settle(decision, negotiated.why);
    decision.coding = negotiated.coding;
    decision.q = negotiated.q;
    if (method === 'HEAD') return decision;
    weakenEtag(headers);
    if (status === 304) return settle(decision, 'not-modified');
    headers['content-encoding'] = negotiated.coding;
    delete headers['content-length'];
    delete headers['accept-ranges'];
    return settle(decision, 'compress');
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function settle(decision: Mutable<CompressionDecision>, outcome: CompressionOutcome): CompressionDecision {
  decision.outcome = outcome;
  return decision;
}

/** The policy for a node's `compression` config, or undefined when compression is off. */
export function compileCompression(config: CompressionConfig): CompressionPolicy | undefined {
  if (config === undefined || config === false) return undefined;
  return new CompressionPolicy(config === true ? {} : config);
}
