/**
 * Whether a shared cache may store a response (RFC 9111 section 3 and 3.5), and if not, why, in words
 * for the trace: GET only; a final status, but not 206 (ranges are not combined here) nor 304; no
 * no-store (set aside by must-understand for a status whose caching rules are implemented here, section
 * 5.2.2.3; with must-understand, another status is not stored), no unqualified private; Authorization
 * only with public, s-maxage or must-revalidate; Set-Cookie
 * only when configured (or when a qualified no-cache / private keeps it out of the store); not Vary: *;
 * a body within the limit; and either explicit freshness (Expires, max-age, s-maxage, public) or a
 * heuristically cacheable status. Last, a response that is never fresh and has no validator is refused:
 * storing it could never answer a request.
 */
import { deltaSeconds, type Directives } from './directives.ts';
import { HEURISTICALLY_CACHEABLE, type Lifetime } from './freshness.ts';
import type { CacheRequest, Headers, OriginResponse } from './types.ts';

/** Vary lists longer than this are not stored: each name is compared on every lookup of the key. */
export const MAX_VARY_FIELDS = 32;

export interface StorageInput {
  readonly request: CacheRequest;
  readonly requestDirectives: Directives;
  readonly response: OriginResponse;
  readonly responseDirectives: Directives;
  /** Fields a qualified no-cache or private keeps out of the store. */
  readonly unshared: readonly string[] | undefined;
  readonly lifetime: Lifetime;
  /** The Vary field names, lower-case; ['*'] for Vary: *. */
  readonly vary: readonly string[];
  readonly storeSetCookie: boolean;
  readonly maxEntrySize: number;
}

/**
 * The final status codes RFC 9110 defines: their caching rules (section 15 and RFC 9111 section 3) are the
 * ones this cache implements, which is what must-understand asks (RFC 9111 section 5.2.2.3).
 */
const UNDERSTOOD_STATUSES = new Set([
  200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
  410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
]);

const USELESS = 'never fresh, no validator and no stale-while-revalidate or stale-if-error';
const AUTHORIZED = 'the request carries Authorization and the response allows no sharing (public, s-maxage or must-revalidate)';
const SETS_COOKIE = 'the response sets a cookie (storeSetCookie is off)';

/**
 * The fields of a response head that a rule below reads, besides the status and Set-Cookie (Connection:
 * the fields it names are not stored). A head with none of them is a plain one (most API answers).
 */
const RULE_FIELDS = ['cache-control', 'expires', 'etag', 'last-modified', 'vary', 'connection'] as const;

/**
 * whyNotStored for a GET whose request may be stored and whose response head is a plain one, judged from
 * the status, Authorization and Set-Cookie alone: the same words, without building the head a cache
 * would store (HttpCache.headRefusal asks it first; a property test holds the two to the same answer).
 * Undefined when the head is not plain; a plain head is never stored (never fresh, no validator).
 */
export function plainHeadRefusal(request: CacheRequest, status: number, headers: Headers, storeSetCookie: boolean): string | undefined {
  for (const name of RULE_FIELDS) if (headers[name] !== undefined) return undefined;
  if (status < 200 || status === 206 || status === 304) return `a ${status} is not stored (only final, whole responses)`;
  if (request.headers.authorization !== undefined) return AUTHORIZED;
  if (headers['set-cookie'] !== undefined && !storeSetCookie) return SETS_COOKIE;
  if (!HEURISTICALLY_CACHEABLE.has(status)) return `status ${status} without explicit freshness is not stored (RFC 9111 section 3)`;
  return USELESS;
}

/** Why the response is not stored, or undefined when it may be. */
export function whyNotStored(input: StorageInput): string | undefined {
  const { request, requestDirectives, response, responseDirectives: cc } = input;
  const { status } = response;
  if (request.method !== 'GET') return `${request.method} responses are not stored (only GET)`;
  if (status < 200 || status === 206 || status === 304) return `a ${status} is not stored (only final, whole responses)`;
  if (requestDirectives.has('no-store')) return 'the request says no-store';
  const mustUnderstand = cc.has('must-understand');
  if (mustUnderstand && !UNDERSTOOD_STATUSES.has(status))
    return `must-understand, and status ${status} is not one whose caching rules this cache implements (RFC 9111 section 5.2.2.3)`;
  if (cc.has('no-store') && !mustUnderstand) return 'the response says no-store';
  if (cc.get('private') === true) return 'the response is private';
  if (request.headers.authorization !== undefined && !(cc.has('public') || cc.has('s-maxage') || cc.has('must-revalidate')))
    return AUTHORIZED;
  if (response.headers['set-cookie'] !== undefined && !input.storeSetCookie && !input.unshared?.includes('set-cookie'))
    return SETS_COOKIE;
  if (input.vary.includes('*')) return 'Vary: * matches no later request';
  if (input.vary.length > MAX_VARY_FIELDS) return `Vary names ${input.vary.length} fields (at most ${MAX_VARY_FIELDS} are stored)`;
  const explicit = response.headers.expires !== undefined || cc.has('max-age') || cc.has('s-maxage') || cc.has('public');
  if (!explicit && !HEURISTICALLY_CACHEABLE.has(status))
    return `status ${status} without explicit freshness is not stored (RFC 9111 section 3)`;
  const validator = response.headers.etag !== undefined || response.headers['last-modified'] !== undefined;
  const staleUse = (deltaSeconds(cc, 'stale-while-revalidate') ?? 0) + (deltaSeconds(cc, 'stale-if-error') ?? 0);
  if (input.lifetime.seconds === 0 && !validator && staleUse === 0) return USELESS;
  // The body last: every rule before it reads the head alone, so the proxy can tell from the head whether
  // to hold the body at all (HttpCache.headRefusal).
  if (response.body === undefined) return 'the body was not buffered (larger than maxEntrySize)';
  if (response.body.length > input.maxEntrySize)
    return `the body is ${response.body.length} bytes, above maxEntrySize (${input.maxEntrySize})`;
  return undefined;
}
