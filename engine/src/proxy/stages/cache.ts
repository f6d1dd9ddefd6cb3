/**
 * The reverse proxy's cache stage, when its config has a `cache` (proxy/cache/ is the cache itself,
 * RFC 9111 and RFC 5861). Before anything goes upstream it looks the request up:
 *
 * - a fresh hit (or a stale answer that is allowed) is answered here, and the request goes no further;
 * - a miss, a revalidation or a bypass goes on to the forward stage with the cache's request headers
 *   (its validators on a revalidation, the client's conditionals left out on a miss), holding the
 *   upstream's answer (exchange.ts UpstreamHold): the cache stores it, or turns the origin's 304 into
 *   the stored 200, and the client gets what the cache settles on;
 * - a request that finds another fetching its key waits for that fetch (collapsing), then is answered
 *   from what it stored.
 *
 * A stale-while-revalidate answer hands one request per key a background refresh: the node sends it
 * upstream on its own (`CacheHost.refresh`), nobody waits for it. What the cache did goes in the trace
 * (the step's sentence), in `X-Cache` and `Cache-Status`, and in the `cache` of `request.completed`.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { EdgeErrorCode } from '../../errors.ts';
import { EDGE_ERRORS, ERROR_HEADER } from '../../errors.ts';
import type { Exchange, HeldAnswer, UpstreamHold } from '../../pipeline/exchange.ts';
import { REQUEST_ID_HEADER } from '../../pipeline/headers.ts';
import type { Stage, Verdict } from '../../pipeline/verdict.ts';
import type { CacheAnswer, CacheForward, CacheLookup, CacheRequest, CacheRevalidate, Headers, HttpCache } from '../cache/index.ts';
import type { CacheTally } from '../cache-tally.ts';

/** What the cache stage needs of its node: its cache, the counts it keeps, and a way upstream for background refreshes. */
export interface CacheHost {
  readonly cache: HttpCache;
  readonly tally: CacheTally;
  /** Send a stale-while-revalidate refresh upstream, on behalf of `exchange` (already answered), and settle it. */
  refresh(exchange: Exchange, refresh: CacheRevalidate): void;
}

export function createCacheStage(host: CacheHost): Stage {
  const { cache } = host;
  return {
    name: 'cache',
    run(exchange) {
      const { req } = exchange;
      const request: CacheRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      const lookup = cache.lookup(request);
      return lookup instanceof Promise ? lookup.then((settled) => verdictOf(host, exchange, settled)) : verdictOf(host, exchange, lookup);
    },
  };
}

function verdictOf(host: CacheHost, exchange: Exchange, lookup: CacheLookup): Verdict {
  if (lookup.kind === 'hit' || lookup.kind === 'stale') {
    const { answer } = lookup;
    record(host, exchange, answer);
    if (lookup.kind === 'stale' && lookup.refresh !== undefined) host.refresh(exchange, lookup.refresh);
    const verdict: Verdict = {
      kind: 'answer',
      status: answer.status,
      headers: answerHeaders(exchange, answer),
      body: answer.body,
      decision: { stage: 'cache', reason: answer.outcome.reason },
    };
    // only-if-cached with nothing usable: the cache's 504 stands for an edge error.
    if (answer.headers[ERROR_HEADER] === 'EDGE_NOT_CACHED') verdict.error = 'EDGE_NOT_CACHED';
    return verdict;
  }
  if (lookup.kind !== 'bypass') exchange.requestHeaders = lookup.headers;
  exchange.hold = new CacheHold(host, exchange, lookup);
  return { kind: 'continue', reason: `cache: ${lookup.why} -> forwarded (${lookup.fwd})` };
}

/** What the cache did goes on the exchange (for `request.completed`) and into the counts. */
function record(host: CacheHost, exchange: Exchange, answer: CacheAnswer): void {
  exchange.cache = answer.outcome;
  host.tally.count(answer.outcome.xCache, Date.now());
}

/** The answer's headers as the client gets them: this request's id, not the stored response's. */
function answerHeaders(exchange: Exchange, answer: CacheAnswer): OutgoingHttpHeaders {
  const headers = answer.headers as OutgoingHttpHeaders;
  headers[REQUEST_ID_HEADER] = exchange.rid;
  return headers;
}

/** A forwarded request's hold on the upstream's answer: the cache settles it, and the client gets the cache's answer. */
class CacheHold implements UpstreamHold {
  readonly #requestTime = Date.now();
  #responseTime = 0;
  /** Why a miss's answer will not be stored, when its head already said so (it streams through). */
  #refused: string | undefined;

  readonly cache: HttpCache;

  constructor(
    readonly host: CacheHost,
    readonly exchange: Exchange,
    readonly lookup: CacheForward,
  ) {
    this.cache = host.cache;
  }

  begin(status: number, headers: OutgoingHttpHeaders): number {
    this.#responseTime = Date.now();
    const { lookup } = this;
    // Nothing from a bypass, or from a miss whose head already says it will not be stored, is kept: it
    // streams through (most answers of an API behind a cache carry no cache headers).
    if (lookup.kind === 'bypass') return 0;
    if (lookup.kind === 'miss') {
      this.#refused = this.cache.headRefusal(lookup, status, headers as Headers);
      if (this.#refused !== undefined) return 0;
    }
    // A body announced longer than the cache keeps is not gathered (an undeclared one is, up to the limit);
    // a 304's Content-Length is the stored response's, and it has no body to wait for.
    const length = Number(headers['content-length']);
    return status !== 304 && length > this.cache.maxEntrySize ? 0 : this.cache.maxEntrySize;
  }

  complete(status: number, headers: OutgoingHttpHeaders, body: Buffer): HeldAnswer {
    return this.#settled(this.cache.settle(this.lookup, this.#response(status, headers, body)));
  }

  passed(status: number, headers: OutgoingHttpHeaders): void {
    const answer = this.cache.settle(this.lookup, this.#response(status, headers, undefined), this.#refused);
    record(this.host, this.exchange, answer);
    // The origin's head with the cache's words (X-Cache, Cache-Status): the body streams as it comes.
    headers['x-cache'] = answer.headers['x-cache'];
    headers['cache-status'] = answer.headers['cache-status'];
  }

  failed(error: EdgeErrorCode, clientGone: boolean): HeldAnswer | undefined {
    const answer = this.cache.fail(this.lookup, EDGE_ERRORS[error].message);
    return answer === undefined || clientGone ? undefined : this.#settled(answer);
  }

  #settled(answer: CacheAnswer): HeldAnswer {
    record(this.host, this.exchange, answer);
    return { status: answer.status, headers: answerHeaders(this.exchange, answer), body: answer.body };
  }

  #response(status: number, headers: OutgoingHttpHeaders, body: Buffer | undefined) {
    return { status, headers: headers as Headers, body, requestTime: this.#requestTime, responseTime: this.#responseTime || Date.now() };
  }
}
