/**
 * What the cache did, in the words a response carries: `X-Cache` (HIT, MISS, STALE, REVALIDATED,
 * BYPASS, COLLAPSED) and this cache's member of the standard `Cache-Status` field (RFC 9211), written
 * with the structured-headers library: `EdgeLab; hit; ttl=42`, `EdgeLab; fwd=miss; fwd-status=200; stored`.
 * A member is appended after those of caches nearer the origin (RFC 9211 section 2).
 */
import { serializeItem, Token, type Parameters } from 'structured-headers';
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

/** `EdgeLab; fwd=miss; fwd-status=200; stored`. Parameters keep RFC 9211's order of definition. */
export function cacheStatusMember(params: CacheStatusParams, name = CACHE_NAME): string {
  const parameters: Parameters = new Map();
  if (params.hit) parameters.set('hit', true);
  if (params.fwd !== undefined) parameters.set('fwd', new Token(params.fwd));
  if (params.fwdStatus !== undefined) parameters.set('fwd-status', params.fwdStatus);
  if (params.ttl !== undefined) parameters.set('ttl', params.ttl);
  if (params.stored !== undefined) parameters.set('stored', params.stored);
  if (params.collapsed !== undefined) parameters.set('collapsed', params.collapsed);
  if (params.detail !== undefined) parameters.set('detail', params.detail);
  return serializeItem([new Token(name), parameters]);
}

/** `headers` with X-Cache set and this cache's Cache-Status member after any from upstream caches. */
export function withStatusWords(headers: Headers, outcome: CacheOutcome): Headers {
  const upstream = headerText(headers['cache-status']);
  return {
    ...headers,
    'x-cache': outcome.xCache,
    'cache-status': upstream ? `${upstream}, ${outcome.cacheStatus}` : outcome.cacheStatus,
  };
}
