/**
 * The reverse-proxy lessons accept every correct fix, not only their reference solution, and refuse a
 * fix that only looks right: each case runs a lesson's step on a real engine with another config and
 * reads the step's own goal. A right fix must meet it; a wrong one must still miss it after a window in
 * which the right one meets it with room to spare (each window is several expiries or hundreds of requests).
 */
import { describe, expect, it } from 'vitest';
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { hotPathSandbox, cacheTheHotPath } from './cache-the-hot-path.ts';
import { filterSandbox, filterTheRange } from './filter-the-range.ts';
import type { Goal, LessonAction } from './format.ts';
import { freshnessAndRevalidation, freshnessSandbox } from './freshness-and-revalidation.ts';
import { staleKeepsTheSiteUp, staleSandbox } from './stale-keeps-the-site-up.ts';
import { herdSandbox, thunderingHerd } from './thundering-herd.ts';
import { tlsSandbox, tlsTermination } from './tls-termination.ts';
import { goalOf, judge, startTraffic } from './judge.fixture.ts';

const MEET_WITHIN_MS = 15_000;
const start = startTraffic;

describe('reverse-proxy lessons: other right fixes are accepted', () => {
  it.each<{ name: string; config: EdgeConfigInput; before?: LessonAction[]; goal: Goal }>([
    {
      name: 'cache the hot path: a cache of another size and key',
      config: hotPathSandbox({ maxSize: '1mb', key: ['method', 'path'] }),
      goal: goalOf(cacheTheHotPath, 'turn-on-the-cache'),
    },
    {
      name: 'revalidation: Last-Modified instead of an ETag',
      config: freshnessSandbox('lastModified'),
      goal: goalOf(freshnessAndRevalidation, 'ask-not-modified'),
    },
    {
      name: 'the herd: the lock left at its default',
      config: herdSandbox(undefined),
      goal: goalOf(thunderingHerd, 'one-request-per-expiry'),
    },
    {
      name: 'the herd: a lock with a timeout longer than the rebuild',
      config: herdSandbox({ timeout: '2s' }),
      goal: goalOf(thunderingHerd, 'one-request-per-expiry'),
    },
    {
      name: 'stale answers: stale-while-revalidate keeps answering while the refresh gets 503s',
      config: staleSandbox('public, max-age=2, stale-while-revalidate=600'),
      before: [start, { action: 'wait', ms: 3000 }, { action: 'fault', body: { target: 'home', type: 'errors', rate: 1, status: 503 } }],
      goal: goalOf(staleKeepsTheSiteUp, 'serve-stale-on-error'),
    },
    {
      name: 'filtering: an allow list of the customers’ range',
      config: filterSandbox({ allow: ['127.0.0.0/16'] }),
      goal: goalOf(filterTheRange, 'deny-the-range'),
    },
    {
      name: 'TLS: HTTP/2 instead of keep-alive carries every request of a client on one connection',
      config: tlsSandbox({ tls: true, keepAlive: false, http2: true }),
      goal: goalOf(tlsTermination, 'one-handshake-many-requests'),
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [start], goal }) => {
    const report = await judge(config, before, goal, MEET_WITHIN_MS);
    expect(report.met, report.detail).toBe(true);
  });
});

describe('reverse-proxy lessons: a fix that only looks right is refused', () => {
  it.each<{ name: string; config: EdgeConfigInput; before?: LessonAction[]; goal: Goal; windowMs: number }>([
    {
      name: 'the herd: traffic alone, the lock still off',
      config: herdSandbox(false),
      goal: goalOf(thunderingHerd, 'one-request-per-expiry'),
      windowMs: 8_000,
    },
    {
      // Waiters give up after 200 ms, long before the 800 ms rebuild, and go upstream themselves.
      name: 'the herd: a lock that times out before the origin answers',
      config: herdSandbox({ timeout: '200ms' }),
      goal: goalOf(thunderingHerd, 'one-request-per-expiry'),
      windowMs: 8_000,
    },
    {
      name: 'filtering: denying one of the scanner’s three addresses',
      config: filterSandbox({ deny: ['127.1.1.1'] }),
      goal: goalOf(filterTheRange, 'deny-the-range'),
      windowMs: 8_000,
    },
    {
      // No TLS, no handshakes: but the goal counts handshakes per encrypted request, and there are none.
      name: 'TLS: turning TLS off to stop the handshakes',
      config: tlsSandbox({ tls: false, keepAlive: false, http2: false }),
      goal: goalOf(tlsTermination, 'one-handshake-many-requests'),
      windowMs: 8_000,
    },
    {
      // ALPN needs both sides: the clients ask for h2, the proxy offers HTTP/1.1 only, and HTTP/1.1 it is.
      name: 'TLS: the clients ask for HTTP/2 from a proxy that offers HTTP/1.1 only',
      config: tlsSandbox({ tls: true, tlsSettings: { http2: false }, keepAlive: true, http2: true }),
      goal: goalOf(tlsTermination, 'speak-http2'),
      windowMs: 8_000,
    },
  ])('$name', { timeout: 60_000 }, async ({ config, before = [start], goal, windowMs }) => {
    const report = await judge(config, before, goal, windowMs);
    expect(report.met, report.detail).toBe(false);
  });
});
