/**
 * A client's own conditional GET or HEAD answered from a stored response (RFC 9110 section 13.2.2):
 * If-None-Match first, compared weakly against the stored ETag (`*` matches any); only without it,
 * If-Modified-Since against the stored Last-Modified. Only a stored 2xx is judged (section 13.2.1).
 */
import { setField } from '../../pipeline/headers.ts';
import { httpDate } from './freshness.ts';
import { headerText, type CacheRequest, type Headers } from './types.ts';

const WEAK_PREFIX = /^W\//;

/** True when the client's conditions say its copy is current: the answer is 304 Not Modified. */
export function notModified(request: CacheRequest, status: number, stored: Headers): boolean {
  if (status < 200 || status > 299) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const ifNoneMatch = headerText(request.headers['if-none-match']);
  if (ifNoneMatch !== undefined) {
    const etag = headerText(stored.etag);
    if (ifNoneMatch.trim() === '*') return etag !== undefined;
    if (etag === undefined) return false;
    const opaque = etag.trim().replace(WEAK_PREFIX, '');
    return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(WEAK_PREFIX, '') === opaque);
  }
  const since = httpDate(request.headers['if-modified-since']);
  const lastModified = httpDate(stored['last-modified']);
  return since !== undefined && lastModified !== undefined && lastModified <= since;
}

/** Fields a 304 leaves out: those describing a body it does not carry (RFC 9110 section 15.4.5). */
const BODY_FIELDS = new Set(['content-length', 'content-type', 'content-encoding', 'content-range', 'transfer-encoding']);

/** The stored fields a 304 to the client carries. */
export function notModifiedHeaders(headers: Headers): Headers {
  const kept: Headers = {};
  for (const name in headers) if (!BODY_FIELDS.has(name)) setField(kept, name, headers[name]);
  return kept;
}
