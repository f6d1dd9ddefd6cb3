/**
 * What the cache did, in the words a response carries: `X-Cache` (HIT, MISS, STALE, REVALIDATED,
 * BYPASS, COLLAPSED) and this cache's member of the standard `Cache-Status` field (RFC 9211), written
 * with the structured-headers library: `EdgeLab; hit; ttl=42`, `EdgeLab; fwd=miss; fwd-status=200; stored`.
 * A member is appended after those of caches nearer the origin (RFC 9211 section 2).
 */
import type { CacheView, XCacheWord } from '../../events.ts';
import { headerText, type Headers } from './types.ts';

export type { XCacheWord };

/** RFC 9211 section 2.2's forward reasons. */
export type ForwardReason = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale';

export interface CacheStatusParams {
  readonly hit?: boolean;
  readonly fwd?: ForwardReason;
  readonly fwdStatus?: number;
  /** Remaining freshness in whole seconds; negative when stale. */
  readonly ttl?: number;
  readonly stored?: boolean;
  readonly collapsed?: boolean;
  readonly detail?: string;
}

/** What the cache did with one request: the `cache` of the proxy's `request.completed` event (events.ts). */
export type CacheOutcome = CacheView;

/** The cache's name in Cache-Status. */
export const CACHE_NAME = 'EdgeLab';

/**
 * `EdgeLab;fwd=miss;fwd-status=200;stored`. Parameters keep RFC 9211's order of definition. Written
 * out by hand (RFC 8941 section 4.1: a bare key for true, `?0` for false, integers, tokens, strings):
 * it runs on every answer, and the structured-headers serializer's Map and classes cost a cache HIT
 * a measurable share of its time. A property test holds it to that library's output.
 */
export function cacheStatusMember(params: CacheStatusParams, name = CACHE_NAME): string {
  let member = name;
  if (params.hit) member += ';hit';
  if (params.fwd !== undefined) member += `;fwd=${params.fwd}`;
  if (params.fwdStatus !== undefined) member += `;fwd-status=${params.fwdStatus}`;
  if (params.ttl !== undefined) member += `;ttl=${params.ttl}`;
  if (params.stored !== undefined) member += params.stored ? ';stored' : ';stored=?0';
  if (params.collapsed !== undefined) member += params.collapsed ? ';collapsed' : ';collapsed=?0';
  if (params.detail !== undefined) member += `;detail="${params.detail.replace(/["\\]/g, '\\$&')}"`;
  return member;
}

/** Sets X-Cache and appends this cache's Cache-Status member after any from upstream caches, in place. */
export function setStatusWords(headers: Headers, outcome: CacheOutcome): Headers {
  const upstream = headerText(headers['cache-status']);
  headers['x-cache'] = outcome.xCache;
  headers['cache-status'] = upstream ? `${upstream}, ${outcome.cacheStatus}` : outcome.cacheStatus;
  return headers;
}
