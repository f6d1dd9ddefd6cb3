/**
 * What the cache did, in the words a response carries: `X-Cache` (HIT, MISS, STALE, REVALIDATED,
 * BYPASS, COLLAPSED) and this cache's member of the standard `Cache-Status` field (RFC 9211), written
 * with the structured-headers library: `EdgeLab; hit; ttl=42`, `EdgeLab; fwd=miss; fwd-status=200; stored`.
 * A member is appended after those of caches nearer the origin (RFC 9211 section 2).
 */
import { serializeItem, Token, type Parameters } from 'structured-headers';
import { headerText, type Headers } from './types.ts';

export type XCacheWord = 'HIT' | 'MISS' | 'STALE' | 'REVALIDATED' | 'BYPASS' | 'COLLAPSED';

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

/** What the cache did with one request: the payload of the cache decision event the proxy emits. */
export interface CacheOutcome {
  readonly xCache: XCacheWord;
  /** This cache's Cache-Status member. */
  readonly cacheStatus: string;
  /** One sentence for the trace: `cache: fresh for 42 s more (s-maxage=60, age 18 s) -> HIT`. */
  readonly reason: string;
  /** The configured key's parts, readable (`GET example.com /a ?b=1`); undefined when bypassed before a key. */
  readonly key: string | undefined;
  /** The response was stored (or its stored headers updated). */
  readonly stored: boolean;
  /** The request waited on another's upstream fetch and was answered from its result. */
  readonly collapsed: boolean;
  /** Seconds of freshness left (negative when stale), when a stored response was involved. */
  readonly ttl: number | undefined;
  /** The Age sent, when served from the store. */
  readonly age: number | undefined;
  /** The status the origin answered with, when forwarded. */
  readonly fwdStatus: number | undefined;
}

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
