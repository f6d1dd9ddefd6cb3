/**
 * Whether a shared cache may store a response (RFC 9111 section 3 and 3.5), and if not, why, in words
 * for the trace. http-cache-semantics (`shared: true`) has the last word through its storable(); the
 * rules before it are the ones a reader needs named: no-store, private, Authorization unless public /
 * s-maxage / must-revalidate, Set-Cookie unless configured, Vary: *, a body too large, and a response
 * that is never fresh and has no validator (storing it could never answer a request).
 */
import CachePolicy from 'http-cache-semantics';
import { deltaSeconds, type Directives } from './directives.ts';
import { HEURISTICALLY_CACHEABLE, type Lifetime } from './freshness.ts';
import type { CacheRequest, OriginResponse } from './types.ts';

/** Vary lists longer than this are not stored: each name is compared on every lookup of the key. */
export const MAX_VARY_FIELDS = 32;

export interface StorageInput {
  readonly request: CacheRequest;
  readonly requestDirectives: Directives;
  readonly response: OriginResponse;
  readonly responseDirectives: Directives;
  /** The response's policy, made on first use (it parses the whole response). */
  readonly policy: () => CachePolicy;
  readonly lifetime: Lifetime;
  /** The Vary field names, lower-case; ['*'] for Vary: *. */
  readonly vary: readonly string[];
  readonly storeSetCookie: boolean;
  readonly maxEntrySize: number;
}

const USELESS = 'never fresh, no validator and no stale-while-revalidate or stale-if-error';

/** Why the response is not stored, or undefined when it may be. */
export function whyNotStored(input: StorageInput): string | undefined {
  const { request, requestDirectives, response, responseDirectives: cc } = input;
  if (request.method !== 'GET') return `${request.method} responses are not stored (only GET)`;
  if (requestDirectives.has('no-store')) return 'the request says no-store';
  if (cc.has('no-store')) return 'the response says no-store';
  if (cc.has('private')) return 'the response is private';
  if (request.headers.authorization !== undefined && !(cc.has('public') || cc.has('s-maxage') || cc.has('must-revalidate')))
    return 'the request carries Authorization and the response allows no sharing (public, s-maxage or must-revalidate)';
  if (response.headers['set-cookie'] !== undefined && !input.storeSetCookie) return 'the response sets a cookie (storeSetCookie is off)';
  if (input.vary.includes('*')) return 'Vary: * matches no later request';
  if (input.vary.length > MAX_VARY_FIELDS) return `Vary names ${input.vary.length} fields (at most ${MAX_VARY_FIELDS} are stored)`;
  if (response.body === undefined) return 'the body was not buffered (larger than maxEntrySize)';
  if (response.body.length > input.maxEntrySize)
    return `the body is ${response.body.length} bytes, above maxEntrySize (${input.maxEntrySize})`;
  const validator = response.headers.etag !== undefined || response.headers['last-modified'] !== undefined;
  const staleUse = (deltaSeconds(cc, 'stale-while-revalidate') ?? 0) + (deltaSeconds(cc, 'stale-if-error') ?? 0);
  const useless = input.lifetime.seconds === 0 && !validator && staleUse === 0;
  // A status the library would store that is of no use ends here, before storable() costs the parse of a
  // whole policy: the common miss of a cache in front of an API whose answers carry no cache headers.
  if (useless && HEURISTICALLY_CACHEABLE.has(response.status)) return USELESS;
  if (!input.policy().storable()) return `status ${response.status} without explicit freshness is not stored (RFC 9111 section 3)`;
  return useless ? USELESS : undefined;
}
