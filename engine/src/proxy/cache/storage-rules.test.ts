/**
 * The head judged before its body comes: for a plain head (none of the fields the storage rules read
 * beyond the status, Authorization and Set-Cookie) the quick answer is word for word the one the full
 * rules give when the whole response is settled, over random heads (fast-check); any other head is left
 * to the full rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheSchema } from '../../config/proxy/cache.ts';
import { createHttpCache, type CacheMiss } from './http-cache.ts';
import { plainHeadRefusal } from './storage-rules.ts';
import type { Headers } from './types.ts';

/** The fields the storage rules read beyond the status, Authorization and Set-Cookie. */
const RULE_FIELDS: readonly string[] = ['cache-control', 'expires', 'etag', 'last-modified', 'vary', 'connection'];
const STATUSES = [100, 200, 201, 203, 204, 206, 301, 302, 304, 404, 410, 418, 500, 501, 503];
const OPTIONAL_FIELDS: Record<string, string[]> = {
  'content-type': ['application/json'],
  'set-cookie': ['id=1'],
  'cache-control': ['max-age=60', 'no-store', 'private', 'public', 'no-cache="set-cookie"', 'stale-while-revalidate=30'],
  expires: ['Sun, 06 Dec 2026 13:00:00 GMT', '0'],
  etag: ['"v1"'],
  'last-modified': ['Sun, 06 Dec 2026 10:00:00 GMT'],
  vary: ['accept-language', '*'],
  connection: ['x-extra'],
  date: ['Sun, 06 Dec 2026 12:00:00 GMT', 'garbage'],
};

const head = fc.record({
  status: fc.constantFrom(...STATUSES),
  fields: fc.record(Object.fromEntries(Object.entries(OPTIONAL_FIELDS).map(([name, values]) => [name, fc.constantFrom(...values)])), { requiredKeys: [] }),
  authorization: fc.boolean(),
  storeSetCookie: fc.boolean(),
  // At most two of the rule fields, often none: a random record would rarely leave a head plain, or
  // try each field alone.
  ruleFields: fc.oneof(fc.constant<string[]>([]), fc.subarray([...RULE_FIELDS], { maxLength: 2 })),
});

describe('plainHeadRefusal', () => {
  it('says what the full storage rules say of the whole response, for every plain head, and leaves the rest to them', () => {
    let plainSeen = 0;
    fc.assert(
      fc.property(head, ({ status, fields, authorization, storeSetCookie, ruleFields }) => {
        const clock = Date.parse('Sun, 06 Dec 2026 12:00:00 GMT');
        const cache = createHttpCache(CacheSchema.parse({ storeSetCookie, lock: false }), { now: () => clock });
        const request = { method: 'GET', url: '/a', headers: { host: 'shop', ...(authorization ? { authorization: 'Bearer t' } : {}) } };
        const lookup = cache.lookup(request) as CacheMiss;
        expect(lookup.kind).toBe('miss');
        const headers = Object.fromEntries(Object.entries(fields).filter(([name]) => !RULE_FIELDS.includes(name) || ruleFields.includes(name))) as Headers;
        const quick = plainHeadRefusal(request, status, headers, storeSetCookie);
        const plain = !RULE_FIELDS.some((name) => name in headers);
        expect(quick === undefined).toBe(!plain);
        if (quick === undefined) return;
        plainSeen++;
        const full = cache.settle(lookup, { status, headers: { ...headers }, body: Buffer.from('{}'), requestTime: clock, responseTime: clock });
        expect(full.outcome.stored).toBe(false);
        expect(full.outcome.reason).toBe(`cache: nothing stored for this key; not stored: ${quick} -> MISS`);
        expect(cache.headRefusal(lookup, status, headers)).toBe(quick);
      }),
      { numRuns: 400 },
    );
    expect(plainSeen).toBeGreaterThan(100);
  });
});
