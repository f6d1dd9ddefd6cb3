/**
 * The shared HTTP cache on a proxy node (RFC 9111, RFC 5861). Extend, never rename (ARCHITECTURE.md):
 * the shape is the sketch in issue 11.
 *
 *   cache: { maxSize: 64mb, key: [method, host, path, query], staleWhileRevalidate: true, lock: { timeout: 2s } }
 *
 * `key` parts: method, host, path, query, `header:NAME` (the request header's value, so responses differ
 * by it without the origin sending Vary). `Vary` from the origin is honoured whatever the key.
 * `staleWhileRevalidate` / `staleIfError` honour those response directives; `staleIfError` also answers stale when the
 * origin cannot be reached at all (RFC 9111 section 4.2.4) unless a directive forbids stale use;
 * `lock` collapses concurrent misses for one key into one upstream request (nginx proxy_cache_lock);
 * `storeSetCookie` lets responses with Set-Cookie be stored, as RFC 9111 allows (off by default, as nginx).
 */
import { z } from 'zod';
import { Duration } from '../duration.ts';
import { byteSize, limitedArray } from '../fields.ts';
import { LIMITS, limitMessage } from '../limits.ts';

/** How a config may write a key part. */
export const CACHE_KEY_FORMS = ['method', 'host', 'path', 'query', 'header:NAME'] as const;
/** A header name is an RFC 9110 token. */
export const CACHE_KEY_PART = /^(method|host|path|query|header:([!#$%&'*+.^_`|~0-9A-Za-z-]+))$/;

const MB = 1024 * 1024;
export const DEFAULT_CACHE_SIZE = 64 * MB;
export const DEFAULT_ENTRY_SIZE = 8 * MB;
/** nginx proxy_cache_lock_timeout's default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/** A cache size: bytes, or a string with a unit (`512kb`, `64mb`), at most LIMITS.cacheSize. */
const CacheSize = byteSize({
  min: 1,
  max: LIMITS.cacheSize.max,
  like: '512kb or 64mb',
  bound: limitMessage(LIMITS.cacheSize),
  description: `bytes, or a string with a unit: 512kb, 64mb (1kb = 1024 bytes), ${limitMessage(LIMITS.cacheSize)}`,
});

export const CacheSchema = z
  .strictObject({
    maxSize: CacheSize.default(DEFAULT_CACHE_SIZE).meta({
      description:
        'the most bytes the stored responses take together (bodies, headers, keys); the least recently used go first (default 64mb)',
    }),
    maxEntrySize: CacheSize.optional().meta({
      description: 'a response with a larger body is passed on but not stored (default 8mb, or maxSize when that is smaller)',
    }),
    key: limitedArray(z.string().regex(CACHE_KEY_PART, `expected ${CACHE_KEY_FORMS.join(', ')} (NAME a header name)`), LIMITS.listItems)
      .min(1, 'give at least one key part')
      .default(['method', 'host', 'path', 'query'])
      .meta({ description: `what makes two requests the same entry: ${CACHE_KEY_FORMS.join(', ')} (default [method, host, path, query])` }),
    staleWhileRevalidate: z.boolean().default(true).meta({
      description: 'honour stale-while-revalidate=N: answer stale for N s past freshness while one background refresh runs (default true)',
    }),
    staleIfError: z.boolean().default(true).meta({
      description:
        'answer stale when the origin fails: within stale-if-error=N when it answers 500/502/503/504, and when it cannot be reached at all (RFC 9111 section 4.2.4, a disconnected cache) unless must-revalidate, proxy-revalidate, s-maxage or no-cache forbid it (default true; false never answers stale on error)',
    }),
    lock: z
      .union([
        z.boolean(),
        z.strictObject({
          timeout: Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' })
            .default(DEFAULT_LOCK_TIMEOUT_MS)
            .meta({ description: 'how long a waiting request waits before it goes upstream itself, uncached (default 5s, as nginx)' }),
        }),
      ])
      .default(true)
      .meta({
        description: 'collapse concurrent misses for one key into one upstream request: true, false or { timeout: 2s } (default true)',
      }),
    storeSetCookie: z.boolean().default(false).meta({
      description: 'store responses that carry Set-Cookie (RFC 9111 allows it; every client of the entry gets the cookie). Default false',
    }),
  })
  .superRefine((cache, ctx) => {
    if (cache.maxEntrySize !== undefined && cache.maxEntrySize > cache.maxSize)
      ctx.addIssue({
        code: 'custom',
        path: ['maxEntrySize'],
        message: `larger than maxSize (${cache.maxSize} bytes): no entry could be stored`,
      });
    const seen = new Set<string>();
    cache.key.forEach((part, i) => {
      const normal = part.toLowerCase();
      if (seen.has(normal)) ctx.addIssue({ code: 'custom', path: ['key', i], message: `${part} is already in the key` });
      seen.add(normal);
    });
  })
  .meta({
    description:
      'a shared HTTP cache in front of the upstream (RFC 9111): { maxSize: 64mb, key: [method, host, path, query], lock: { timeout: 2s } }',
  });

export type CacheConfig = z.output<typeof CacheSchema>;

/** The largest body stored: maxEntrySize, or 8mb capped at maxSize when not given. */
export function entrySizeLimit(cache: CacheConfig): number {
  return cache.maxEntrySize ?? Math.min(DEFAULT_ENTRY_SIZE, cache.maxSize);
}

/** The lock's timeout in milliseconds, or undefined when collapsing is off. */
export function lockTimeout(cache: CacheConfig): number | undefined {
  if (cache.lock === false) return undefined;
  return cache.lock === true ? DEFAULT_LOCK_TIMEOUT_MS : cache.lock.timeout;
}

/** The proxy node's cache field. */
export const ProxyCacheFields = {
  cache: CacheSchema.optional(),
};
