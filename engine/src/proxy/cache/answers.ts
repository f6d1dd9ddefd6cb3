/**
 * The answers the cache gives: from a stored response (Age computed now; the client's 304 when its
 * own conditions match, a 206 of the one byte range it asks for, or a 416 when that range lies past the
 * end), or the origin's response passed
 * on; each with X-Cache, Cache-Status and the outcome the decision event carries.
 */
import { EDGE_ERRORS, ERROR_HEADER } from '../../errors.ts';
import { copyFields } from '../../pipeline/headers.ts';
import { cacheStatusMember, setStatusWords, type CacheOutcome, type CacheStatusParams, type XCacheWord } from './cache-status.ts';
import { notModified, notModifiedHeaders } from './conditional.ts';
import type { StoredResponse } from './store.ts';
import { storedRange } from './stored-range.ts';
import type { CacheRequest, Headers, OriginResponse } from './types.ts';

/** What the client gets: status, headers (with X-Cache and Cache-Status), and the body when the cache has it. */
export interface CacheAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body to send; undefined for a 304, or when the origin's body was not buffered (stream it as it comes). */
  readonly body: Buffer | undefined;
  readonly outcome: CacheOutcome;
}

/** An answer from `entry` at `age` seconds; the client's 304 when its conditional request matches. */
export function answerFromStore(
  request: CacheRequest,
  entry: StoredResponse,
  age: number,
  word: XCacheWord,
  params: CacheStatusParams,
  why: string,
): CacheAnswer {
  const ttl = Math.floor(entry.lifetime.seconds - age);
  const clientHas = notModified(request, entry.status, entry.headers);
  const range = clientHas || request.headers.range === undefined ? undefined : storedRange(request, entry);
  // Every field written out (not `{ ...params, ttl }`): a spread that adds a field is V8's slow path, on every HIT.
  const statusParams: CacheStatusParams = {
    hit: params.hit,
    fwd: params.fwd,
    fwdStatus: params.fwdStatus,
    ttl,
    stored: params.stored,
    collapsed: params.collapsed,
    detail: params.detail,
  };
  const outcome = makeOutcome(
    word,
    statusParams,
    clientHas ? `${why}; the client's copy is current: 304` : range ? rangeWhy(why, range, entry.body.length) : why,
    entry.key,
    Math.floor(age),
  );
  if (range === 'unsatisfiable') {
    // RFC 9110 section 15.5.17: the length the range missed, and none of the stored response's fields (no
    // freshness or validators: the 416 describes no representation a later cache could store for the URL).
    const headers = setStatusWords({ 'content-range': `bytes */${entry.body.length}`, 'content-length': '0' }, outcome);
    return { status: 416, headers, body: Buffer.alloc(0), outcome };
  }
  // One copy of the stored headers per answer (a HIT's hot path): the answer's own fields set on it.
  const headers = clientHas ? notModifiedHeaders(entry.headers) : copyFields(entry.headers);
  headers.age = String(Math.floor(age));
  setStatusWords(headers, outcome);
  if (clientHas) return { status: 304, headers, body: undefined, outcome };
  if (range === undefined) {
    headers['content-length'] = String(entry.body.length);
    return { status: entry.status, headers, body: entry.body, outcome };
  }
  const body = entry.body.subarray(range[0], range[1] + 1);
  headers['content-range'] = `bytes ${range[0]}-${range[1]}/${entry.body.length}`;
  headers['content-length'] = String(body.length);
  return { status: 206, headers, body, outcome };
}

/** The trace's words for a Range answered from the store. */
function rangeWhy(why: string, range: readonly [number, number] | 'unsatisfiable', size: number): string {
  return range === 'unsatisfiable' ? `${why}; the range lies past the end (${size} bytes): 416` : `${why}; bytes ${range[0]}-${range[1]}: 206`;
}

/**
 * The origin's response as it came, with the status words set on its own headers (the proxy's copy of
 * the origin's head, made for this response; every reader of it has read it by now): a miss that
 * streams through pays no copy.
 */
export function passOn(
  response: OriginResponse,
  word: XCacheWord,
  params: CacheStatusParams,
  why: string,
  key: string | undefined,
): CacheAnswer {
  const outcome = makeOutcome(word, params, why, key, undefined);
  return { status: response.status, headers: setStatusWords(response.headers, outcome), body: response.body, outcome };
}

/** RFC 9111 section 5.2.1.7: only-if-cached and nothing usable is stored: 504 (EDGE_NOT_CACHED). */
export function gatewayTimeout(key: string, why: string): CacheAnswer {
  const outcome = makeOutcome('MISS', { detail: 'only-if-cached' }, why, key, undefined);
  const headers = setStatusWords({ 'content-length': '0', [ERROR_HEADER]: 'EDGE_NOT_CACHED' }, outcome);
  return { status: EDGE_ERRORS.EDGE_NOT_CACHED.status, headers, body: Buffer.alloc(0), outcome };
}

function makeOutcome(
  word: XCacheWord,
  params: CacheStatusParams,
  why: string,
  key: string | undefined,
  age: number | undefined,
): CacheOutcome {
  return {
    xCache: word,
    cacheStatus: cacheStatusMember(params),
    reason: `cache: ${why} -> ${word}`,
    key: key === undefined ? undefined : key.replaceAll('\u0000', ' '),
    stored: params.stored ?? false,
    collapsed: params.collapsed ?? false,
    ttl: params.ttl,
    age,
    fwdStatus: params.fwdStatus,
  };
}
