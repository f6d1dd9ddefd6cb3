/**
 * The shared HTTP cache as a proxy stage uses it: createHttpCache(config, { now }) once per proxy
 * node, then per request lookup -> (forward ->) settle / fail. See http-cache.ts for the contract.
 */
export type { CacheAnswer } from './answers.ts';
export type { KeyLock } from './key-locks.ts';
export {
  createHttpCache,
  HttpCache,
  type CacheBypass,
  type CacheEntryView,
  type CacheForward,
  type CacheHit,
  type CacheLookup,
  type CacheMiss,
  type CacheRevalidate,
  type CacheStale,
  type CacheStats,
  type HttpCacheOptions,
} from './http-cache.ts';
export { cacheStatusMember, CACHE_NAME, type CacheOutcome, type ForwardReason, type XCacheWord } from './cache-status.ts';
export type { CacheRequest, Headers, OriginResponse } from './types.ts';
