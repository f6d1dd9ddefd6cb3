/**
 * Properties over random request sequences (fast-check): a cache never answers a request with a body
 * the origin would not send for it now (the wrong Vary variant, the wrong key, a version an unsafe
 * request replaced), and never holds more bytes than maxSize. The origin is deterministic: its body
 * names the path, the language when the path varies on it, and the path's version, which a POST bumps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheSchema } from '../../config/proxy/cache.ts';
import { createHttpCache } from './http-cache.ts';
import type { CacheRequest, Headers, OriginResponse } from './types.ts';

const PATHS = ['/a', '/b', '/c?x=1', '/c?x=2', '/d'];
const LANGUAGES = [undefined, 'fr', 'de', 'en, fr'];

type Command = { op: 'get'; path: number; language: number } | { op: 'post'; path: number } | { op: 'wait'; seconds: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('get' as const), path: fc.nat(PATHS.length - 1), language: fc.nat(LANGUAGES.length - 1) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('post' as const), path: fc.nat(PATHS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), seconds: fc.integer({ min: 1, max: 40 }) }) },
);

describe('cache properties', () => {
  it('answers every request with what the origin sends for it now, within maxSize', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), fc.integer({ min: 2_000, max: 20_000 }), async (commands, maxSize) => {
        let clock = Date.parse('Sun, 06 Dec 2026 12:00:00 GMT');
        const cache = createHttpCache(CacheSchema.parse({ maxSize, lock: false }), { now: () => clock });
        const versions = PATHS.map(() => 1);
        /** The origin: even paths vary on Accept-Language; freshness differs per path. */
        const body = (path: number, language: string | undefined) =>
          `${PATHS[path]} v${versions[path]}${path % 2 === 0 ? ` ${language ?? '-'}` : ''}${'.'.repeat(path * 300)}`;
        const answer = (status: number, headers: Headers, text: string): OriginResponse => ({
          status,
          headers: { date: new Date(clock).toUTCString(), ...headers },
          body: Buffer.from(text),
          requestTime: clock,
          responseTime: clock,
        });
        for (const step of commands) {
          if (step.op === 'wait') {
            clock += step.seconds * 1000;
            continue;
          }
          const language = step.op === 'get' ? LANGUAGES[step.language] : undefined;
          const request: CacheRequest = {
            method: step.op === 'get' ? 'GET' : 'POST',
            url: PATHS[step.path],
            headers: { host: 'example.com', ...(language === undefined ? {} : { 'accept-language': language }) },
          };
          const lookup = await cache.lookup(request);
          let sent: Buffer | undefined;
          if (lookup.kind === 'hit' || lookup.kind === 'stale') sent = lookup.answer.body;
          else if (step.op === 'post') {
            versions[step.path]++;
            cache.settle(lookup, answer(204, {}, ''));
            continue;
          } else {
            const cacheControl = `max-age=${10 * (step.path + 1)}, stale-while-revalidate=5`;
            const headers: Headers = {
              'cache-control': cacheControl,
              etag: `"${versions[step.path]}"`,
              ...(step.path % 2 === 0 ? { vary: 'Accept-Language' } : {}),
            };
            const notModified = lookup.kind === 'revalidate' && lookup.headers['if-none-match'] === headers.etag;
            sent = cache.settle(lookup, notModified ? answer(304, headers, '') : answer(200, headers, body(step.path, language))).body;
          }
          // Only a POST changes a version, and it invalidates: so even a stale answer must be the current body.
          expect(sent?.toString()).toBe(body(step.path, language));
          expect(cache.stats().bytes).toBeLessThanOrEqual(maxSize);
        }
      }),
      { numRuns: 150 },
    );
  });
});
