/**
 * Reading an HTTP message body as JSON, bounded: what counts as JSON (its media type, no content
 * coding), reading at most LIMITS.jsonBody bytes without losing what was read when the body is larger
 * (the caller sends it on as it came), and parsing without changing a number on the way back out.
 * Body transforms and aggregates share these rules, so both refuse and explain the same bodies.
 */
import { LIMITS } from '../../config/limits.ts';
import type { HeaderBag } from './header-edits.ts';

/** The most bytes of one JSON body the gateway holds in memory. */
export const JSON_BODY_LIMIT = LIMITS.jsonBody.max;

/** Why a message with these headers is not a JSON body the gateway can read, or undefined when it is. */
export function notJsonReason(headers: HeaderBag): string | undefined {
  const coding = headers['content-encoding'];
  if (coding !== undefined && String(coding).trim().toLowerCase() !== 'identity') return `it is ${String(coding)}-encoded`;
  const type = headers['content-type'];
  if (type === undefined) return 'it has no Content-Type';
  const media = String(type).split(';', 1)[0].trim().toLowerCase();
  // RFC 8259 section 11, and any structured +json type (RFC 6839 section 3.1).
  return media === 'application/json' || media.endsWith('+json') ? undefined : `not JSON (${media || 'no media type'})`;
}

/** Why a declared Content-Length rules out reading the body, or undefined. */
export function declaredLengthReason(headers: HeaderBag): string | undefined {
  const declared = headers['content-length'];
  if (declared === undefined) return undefined;
  return Number(declared) > JSON_BODY_LIMIT ? tooLargeReason() : undefined;
}

export function tooLargeReason(): string {
  return `larger than ${JSON_BODY_LIMIT} bytes, the most the gateway buffers`;
}

export { readUpTo, type BoundedRead } from '../../http/bounded-read.ts';

/** A digit run long enough to be an integer past 2^53, or an exponent big enough to overflow: the rare bodies worth a slow parse. */
const MAYBE_INEXACT = /\d{16}|[eE][+-]?\d{3}/;

/**
 * The parsed body, or why it cannot be edited: not JSON, or holding a number that JSON.parse would
 * round (an id past 2^53) or overflow, which writing the body back would silently change.
 */
export function parseJsonExactly(text: string): { value: unknown; problem?: undefined } | { value?: undefined; problem: string } {
  let inexact: number | undefined;
  let value: unknown;
  try {
    value = MAYBE_INEXACT.test(text)
      ? JSON.parse(text, (_key, v: unknown) => {
          if (typeof v === 'number' && inexact === undefined && (Number.isInteger(v) ? !Number.isSafeInteger(v) : !Number.isFinite(v)))
            inexact = v;
          return v;
        })
      : JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (inexact !== undefined)
    return { problem: `it holds a number (${inexact}) that JavaScript cannot carry exactly, so rewriting the body would change it` };
  return { value };
}

/** Fields that describe the bytes of a body, which a changed body no longer matches. */
const CONTENT_VALIDATORS = ['etag', 'last-modified', 'content-md5', 'digest', 'content-digest', 'repr-digest'];

/**
 * Headers for a body the gateway rewrote, in place: Content-Length is the new length, and the
 * validators and digests of the old bytes go, as nginx's sub_filter clears ETag and Last-Modified
 * (a strong ETag promises these exact bytes, and a cache revalidating with it would be told an old
 * body is still right; a digest would fail to verify).
 */
export function reframeChangedBody(headers: HeaderBag, length: number): void {
  headers['content-length'] = String(length);
  if (headers['transfer-encoding'] !== undefined) delete headers['transfer-encoding'];
  for (const name of CONTENT_VALIDATORS) if (headers[name] !== undefined) delete headers[name];
}
