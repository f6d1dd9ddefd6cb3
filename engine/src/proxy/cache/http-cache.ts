/**
 * The shared HTTP cache of a proxy node (RFC 9111, RFC 5861), built once from its config by
 * createHttpCache. Per request the proxy asks `lookup` before forwarding; the answer says what to do:
 *
 * - `hit` / `stale`: answer from the store now (`stale` may hand one request per key a background
 *   `refresh` to send upstream and settle);
 * - `revalidate` / `miss`: forward with the given headers, then `settle` with the origin's response (or
 *   `fail` when it gave none): the settled answer is what the client gets;
 * - `bypass`: forward untouched, then `settle` (unsafe methods invalidate there, RFC 9111 section 4.4).
 *
 * Concurrent misses for one key wait on one upstream fetch (KeyLocks), unless the key's last answer
 * could not be stored: then waiting would only queue requests behind one another for nothing, so for
 * two minutes its misses go upstream at once (Varnish's "hit-for-miss", its built-in 120 s; a storable
 * answer ends it). Everything time-based reads the injected `now`; only the lock timeout is a real timer.
 */
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';
import type { CacheConfig } from '../../config/proxy/cache.ts';
import { DEFAULT_LOCK_TIMEOUT_MS, entrySizeLimit, lockTimeout } from '../../config/proxy/cache.ts';
import { copyFields, ownField, setField } from '../../pipeline/headers.ts';
import { compileCacheKey, targetUri, type CacheKeyOf } from './cache-key.ts';
import { answerFromStore, gatewayTimeout, passOn, type CacheAnswer } from './answers.ts';
import type { ForwardReason } from './cache-status.ts';
import { deltaSeconds, parseDirectives, type Directives } from './directives.ts';
import { currentAge, freshnessLifetime, initialAge } from './freshness.ts';
import { KeyLocks, type KeyLock } from './key-locks.ts';
import { mergeNotModified, storedHeaders, unsharedFields, varyNames, withoutFields } from './stored-headers.ts';
import { ENTRY_OVERHEAD_BYTES, ResponseStore, type StoredResponse } from './store.ts';
import { plainHeadRefusal, whyNotStored } from './storage-rules.ts';
import { headerText, type CacheRequest, type Headers, type OriginResponse } from './types.ts';

/** Answer now from the store: a fresh response, a client's 304, or one a waited-for fetch stored (COLLAPSED). */
export interface CacheHit {
  readonly kind: 'hit';
  readonly answer: CacheAnswer;
}

/** Answer now with a stale response (stale-while-revalidate, or the client's max-stale). */
export interface CacheStale {
  readonly kind: 'stale';
  readonly answer: CacheAnswer;
  /** Given to one request per key: send it upstream in the background, then settle or fail it. */
  readonly refresh: CacheRevalidate | undefined;
}

/** Forward with `headers` (the stored validators as If-None-Match / If-Modified-Since), then settle or fail. */
export interface CacheRevalidate {
  readonly kind: 'revalidate';
  readonly request: CacheRequest;
  readonly key: string;
  readonly headers: Headers;
  readonly entry: StoredResponse;
  readonly fwd: ForwardReason;
  /** Why it goes upstream, the first half of the trace sentence. */
  readonly why: string;
  /** The key's lock when this request holds it: settle or fail releases it. */
  readonly lock: KeyLock | undefined;
  /** A stale-while-revalidate refresh: nobody waits for its answer. */
  readonly background: boolean;
}

/** Forward with `headers` (the client's conditionals left out, so the full response can be stored), then settle or fail. */
export interface CacheMiss {
  readonly kind: 'miss';
  readonly request: CacheRequest;
  readonly key: string;
  readonly headers: Headers;
  readonly fwd: ForwardReason;
  readonly why: string;
  /** The key's lock when this request holds it: settle or fail releases it. */
  readonly lock: KeyLock | undefined;
  /** False after a lock timeout (nginx stores none of those responses) or for HEAD. */
  readonly mayStore: boolean;
}

/** Forward untouched, then settle (which invalidates after an unsafe method). */
export interface CacheBypass {
  readonly kind: 'bypass';
  readonly request: CacheRequest;
  /** The request's own headers: a bypass changes nothing. */
  readonly headers: Headers;
  readonly fwd: ForwardReason;
  readonly why: string;
}

export type CacheLookup = CacheHit | CacheStale | CacheRevalidate | CacheMiss | CacheBypass;
export type CacheForward = CacheRevalidate | CacheMiss | CacheBypass;

export interface HttpCacheOptions {
  /** The clock, ms. */
  readonly now: () => number;
}

/** One stored response as the cache panel lists it. */
export interface CacheEntryView {
  host: string;
  url: string;
  status: number;
  /** Bytes it takes in the store. */
  size: number;
  /** Seconds of freshness left; negative when stale. */
  ttl: number;
  /** Its freshness lifetime in seconds, and where that came from. */
  lifetime: number;
  /** Its current age in seconds. */
  age: number;
}

/** Counts for the cache panel. */
export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  /** Keys with an upstream fetch in flight that others may wait on. */
  readonly locked: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const ERROR_STATUSES = new Set([500, 502, 503, 504]);
const CLIENT_CONDITIONALS = ['if-none-match', 'if-modified-since', 'if-range'];
const HEAD_VALIDATORS = ['etag', 'last-modified'];
/** How long a key whose answer was not storable skips the lock (Varnish's built-in VCL: 120 s). */
export const HIT_FOR_MISS_MS = 120_000;
/** Keys remembered as not storable, at most (the least recently marked go first). */
const HIT_FOR_MISS_KEYS = 10_000;

export class HttpCache {
  readonly #config: CacheConfig;
  readonly #now: () => number;
  readonly #keyOf: CacheKeyOf;
  readonly #store: ResponseStore;
  /** Fetches in flight per key: misses wait on them when `collapse`; background refreshes always use them (one per key). */
  readonly #locks: KeyLocks;
  readonly #collapse: boolean;
  /** Keys whose last answer was not storable, with when that stops counting (ms, `now`): their misses skip the lock. */
  readonly #uncacheable = new LRUCache<string, number>({ max: HIT_FOR_MISS_KEYS });
  /** The largest body stored: the proxy buffers a response up to this and streams a larger one past the cache. */
  readonly maxEntrySize: number;

  constructor(config: CacheConfig, options: HttpCacheOptions) {
    this.#config = config;
    this.#now = options.now;
    this.#keyOf = compileCacheKey(config.key);
    this.#store = new ResponseStore(config.maxSize);
    this.maxEntrySize = entrySizeLimit(config);
    const timeout = lockTimeout(config);
    this.#collapse = timeout !== undefined;
    this.#locks = new KeyLocks(timeout ?? DEFAULT_LOCK_TIMEOUT_MS);
  }

  /**
   * What to do with a request: at once, unless another request for the key is fetching it; then a
   * promise that waits for that fetch (up to the lock timeout) and answers from what it stored.
   */
  lookup(request: CacheRequest): CacheLookup | Promise<CacheLookup> {
    const first = this.#decide(request, false);
    if ((first.kind !== 'miss' && first.kind !== 'revalidate') || !this.#collapse || request.method !== 'GET') return first;
    if (first.kind === 'miss' && this.#uncacheable.size > 0) {
      const until = this.#uncacheable.get(first.key);
      if (until !== undefined && this.#now() < until)
        return { ...first, why: `${first.why}; not collapsed: this key's last answer could not be stored (hit-for-miss)` };
    }
    const lock = this.#locks.take(first.key);
    if (lock !== undefined) return { ...first, lock };
    return this.#afterWait(request, first);
  }

  /** Another request is fetching the key: wait for it (up to the lock timeout), then answer from what it stored. */
  async #afterWait(request: CacheRequest, first: CacheMiss | CacheRevalidate): Promise<CacheLookup> {
    const waited = await this.#locks.wait(first.key);
    if (waited === 'timed-out') {
      // nginx proxy_cache_lock_timeout: go upstream alone, and store nothing.
      return {
        kind: 'miss',
        request,
        key: first.key,
        headers: request.headers,
        fwd: first.fwd,
        why: `waited ${lockTimeout(this.#config)} ms for the request fetching this key (lock timeout)`,
        lock: undefined,
        mayStore: false,
      };
    }
    // Still nothing usable (the fetch was not stored): go upstream without the lock, as nginx does.
    return this.#decide(request, true);
  }

  /**
   * The client's answer once the origin responded to a forwarded request; stores, revalidates or
   * invalidates. `refused`: a miss's `headRefusal`, when its head already said it will not be stored.
   */
  settle(lookup: CacheForward, response: OriginResponse, refused?: string): CacheAnswer {
    try {
      if (lookup.kind === 'bypass') return this.#settleBypass(lookup, response);
      if (lookup.kind === 'miss') return this.#settleMiss(lookup, response, refused);
      return this.#settleRevalidate(lookup, response);
    } finally {
      if (lookup.kind !== 'bypass' && lookup.lock !== undefined) this.#locks.release(lookup.lock);
    }
  }

  /**
   * The origin gave no response (refused, reset, timed out): a stale answer when stale-if-error allows
   * (RFC 5861 section 4), else undefined and the proxy sends its own error.
   */
  fail(lookup: CacheForward, problem: string): CacheAnswer | undefined {
    if (lookup.kind === 'bypass') return undefined;
    if (lookup.lock !== undefined) this.#locks.release(lookup.lock);
    if (lookup.kind !== 'revalidate') return undefined;
    return this.#staleIfError(lookup, problem, undefined) ?? this.#staleWhenDisconnected(lookup, problem);
  }

  /** Drops what is stored for the request's key (every Vary variant); how many entries. */
  purgeKey(request: CacheRequest): number {
    const key = this.#keyOf(request);
    this.#uncacheable.delete(key);
    return this.#store.deleteKey(key);
  }

  /** Drops every entry stored for exactly this path and query (on `host` only, when given); how many. */
  purgeUrl(url: string, host?: string): number {
    // What was learnt about storing goes with a purge too (only whether misses wait on one another).
    this.#uncacheable.clear();
    return this.#store.deleteUrl(url, host);
  }

  /** Drops every entry whose path starts with `prefix` (on `host` only, when given); how many. */
  purgePrefix(prefix: string, host?: string): number {
    this.#uncacheable.clear();
    return this.#store.deletePathPrefix(prefix, host);
  }

  stats(): CacheStats {
    return { entries: this.#store.count, bytes: this.#store.bytes, maxBytes: this.#config.maxSize, locked: this.#locks.size };
  }

  /** The stored responses with their freshness now, most recently used first (for the cache panel). */
  *entries(): IterableIterator<CacheEntryView> {
    const now = this.#now();
    for (const entry of this.#store.entries()) {
      const age = currentAge(entry.initialAge, entry.storedAt, now);
      const ttl = Math.floor(entry.lifetime.seconds - age);
      yield { host: entry.host, url: entry.url, status: entry.status, size: entry.size, ttl, lifetime: entry.lifetime.seconds, age: Math.floor(age) };
    }
  }

  #decide(request: CacheRequest, collapsed: boolean): CacheLookup {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return { kind: 'bypass', request, headers: request.headers, fwd: 'method', why: `${request.method} is not answered from the cache` };
    const key = this.#keyOf(request);
    const requestCc = parseDirectives(request.headers['cache-control']);
    const entry = this.#store.get(key, request);
    const onlyIfCached = requestCc.has('only-if-cached');
    if (entry === undefined) {
      if (onlyIfCached) return { kind: 'hit', answer: gatewayTimeout(key, 'only-if-cached, and nothing is stored for this key') };
      const varyMiss = this.#store.hasKey(key);
      return this.#miss(
        request,
        key,
        requestCc,
        varyMiss ? 'vary-miss' : 'miss',
        varyMiss ? 'no stored variant matches the request (Vary)' : 'nothing stored for this key',
      );
    }
    const now = this.#now();
    const age = currentAge(entry.initialAge, entry.storedAt, now);
    const lifetime = entry.lifetime.seconds;
    const cc = entry.directives;
    const mustValidate = this.#mustValidate(request, requestCc, cc, age, lifetime);
    if (mustValidate === undefined && age < lifetime) {
      const word = collapsed ? 'COLLAPSED' : 'HIT';
      const why = collapsed
        ? `waited for the request fetching this key; fresh for ${Math.floor(lifetime - age)} s more (${entry.lifetime.source})`
        : `fresh for ${Math.floor(lifetime - age)} s more (${entry.lifetime.source}, age ${Math.floor(age)} s)`;
      return { kind: 'hit', answer: answerFromStore(request, entry, age, word, { hit: true, collapsed: collapsed || undefined }, why) };
    }
    const staleBy = age - lifetime;
    if (mustValidate === undefined) {
      // RFC 9111 section 4.2.4: no stale answer where must-revalidate, proxy-revalidate or no-cache forbid it.
      // The explicit RFC 5861 directives are the origin's permission; a client's max-stale is not, so s-maxage
      // (which carries proxy-revalidate, section 5.2.2.10) forbids that one too.
      const forbidden = cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.get('no-cache') === true;
      const maxStale = requestCc.get('max-stale');
      if (
        !forbidden &&
        !cc.has('s-maxage') &&
        maxStale !== undefined &&
        (maxStale === true || staleBy <= (deltaSeconds(requestCc, 'max-stale') ?? 0))
      ) {
        const why = `stale by ${Math.floor(staleBy)} s, within the request's max-stale`;
        return {
          kind: 'stale',
          answer: answerFromStore(request, entry, age, 'STALE', { hit: true, detail: 'max-stale' }, why),
          refresh: undefined,
        };
      }
      const swr = deltaSeconds(cc, 'stale-while-revalidate') ?? 0;
      if (this.#config.staleWhileRevalidate && !forbidden && staleBy < swr) {
        const lock = request.method === 'GET' ? this.#locks.take(key) : undefined;
        const why = `stale by ${Math.floor(staleBy)} s, within stale-while-revalidate=${swr}; ${lock ? 'one background refresh' : 'a refresh is already running'}`;
        const answer = answerFromStore(request, entry, age, 'STALE', { hit: true, detail: 'stale-while-revalidate' }, why);
        const refresh = lock ? this.#revalidate(request, key, entry, 'stale', 'background refresh', lock, true) : undefined;
        return { kind: 'stale', answer, refresh };
      }
    }
    if (onlyIfCached) return { kind: 'hit', answer: gatewayTimeout(key, 'only-if-cached, and the stored response needs revalidation') };
    if (request.method === 'HEAD') return this.#miss(request, key, requestCc, 'stale', 'HEAD of a response that needs revalidation');
    const why = mustValidate ?? `stale by ${Math.floor(staleBy)} s (${entry.lifetime.source}, age ${Math.floor(age)} s)`;
    return this.#revalidate(request, key, entry, mustValidate === undefined ? 'stale' : 'request', why, undefined, false);
  }

  /** Why a stored response must be validated before use although it may be fresh, or undefined. */
  #mustValidate(request: CacheRequest, requestCc: Directives, cc: Directives, age: number, lifetime: number): string | undefined {
    if (cc.get('no-cache') === true) return 'the stored response says no-cache';
    if (
      requestCc.has('no-cache') ||
      (request.headers['cache-control'] === undefined && headerText(request.headers.pragma)?.includes('no-cache'))
    )
      return 'the request says no-cache';
    const maxAge = deltaSeconds(requestCc, 'max-age');
    if (maxAge !== undefined && age > maxAge)
      return `the request takes at most max-age=${maxAge} and the response is ${Math.floor(age)} s old`;
    const minFresh = deltaSeconds(requestCc, 'min-fresh');
    if (minFresh !== undefined && lifetime - age < minFresh)
      return `the request wants min-fresh=${minFresh} and ${Math.floor(lifetime - age)} s are left`;
    return undefined;
  }

  #miss(request: CacheRequest, key: string, requestCc: Directives, fwd: ForwardReason, why: string): CacheMiss {
    const mayStore = request.method === 'GET' && !requestCc.has('no-store');
    // The client's own conditionals go only to the client's 304, judged against what is stored.
    const headers = mayStore ? withoutConditionals(request.headers) : request.headers;
    return { kind: 'miss', request, key, headers, fwd, why, lock: undefined, mayStore };
  }

  #revalidate(
    request: CacheRequest,
    key: string,
    entry: StoredResponse,
    fwd: ForwardReason,
    why: string,
    lock: KeyLock | undefined,
    background: boolean,
  ): CacheRevalidate {
    const headers = copyFields(withoutConditionals(request.headers));
    const etag = headerText(entry.headers.etag);
    const lastModified = headerText(entry.headers['last-modified']);
    if (etag !== undefined) headers['if-none-match'] = etag;
    if (lastModified !== undefined) headers['if-modified-since'] = lastModified;
    return { kind: 'revalidate', request, key, headers, entry, fwd, why, lock, background };
  }

  #settleBypass(lookup: CacheBypass, response: OriginResponse): CacheAnswer {
    let why = lookup.why;
    if (!SAFE_METHODS.has(lookup.request.method) && response.status < 400) {
      const dropped = this.#invalidate(lookup.request, response.headers);
      why += `; invalidated ${dropped} stored response${dropped === 1 ? '' : 's'} for its URI`;
    }
    const params = { fwd: lookup.fwd, fwdStatus: response.status };
    return passOn(response, 'BYPASS', params, why, undefined);
  }

  #settleMiss(lookup: CacheMiss, response: OriginResponse, refused: string | undefined): CacheAnswer {
    const freshened = lookup.request.method === 'HEAD' && response.status === 200 ? this.#freshenWithHead(lookup, response) : undefined;
    if (freshened !== undefined) return freshened;
    if (!lookup.mayStore)
      return passOn(
        response,
        'MISS',
        { fwd: lookup.fwd, fwdStatus: response.status, stored: false },
        `${lookup.why}; not stored`,
        lookup.key,
      );
    const stored = refused ?? this.#tryStore(lookup.request, lookup.key, response);
    if (typeof stored === 'string') {
      this.#uncacheable.set(lookup.key, this.#now() + HIT_FOR_MISS_MS);
      return passOn(
        response,
        'MISS',
        { fwd: lookup.fwd, fwdStatus: response.status, stored: false },
        `${lookup.why}; not stored: ${stored}`,
        lookup.key,
      );
    }
    if (this.#uncacheable.size > 0) this.#uncacheable.delete(lookup.key);
    const why = `${lookup.why}; stored the ${response.status}, fresh for ${Math.floor(stored.lifetime.seconds - stored.initialAge)} s (${stored.lifetime.source})`;
    const answer = answerFromStore(
      lookup.request,
      stored,
      stored.initialAge,
      'MISS',
      { fwd: lookup.fwd, fwdStatus: response.status, stored: true },
      why,
    );
    return withUnsharedFields(answer, stored, response);
  }

  /**
   * RFC 9111 section 4.3.5: a 200 to a HEAD updates the stored GET response the request selects when
   * their validators and Content-Length agree (as a 304 would, section 3.2); when they do not, the stored
   * response is dropped. Undefined when nothing was updated: the origin's answer goes on as it came.
   */
  #freshenWithHead(lookup: CacheMiss, response: OriginResponse): CacheAnswer | undefined {
    const { request } = lookup;
    const entry = this.#store.get(lookup.key, request);
    if (entry === undefined) return undefined;
    const length = headerText(response.headers['content-length']);
    const agree =
      HEAD_VALIDATORS.every((name) => response.headers[name] === undefined || headerText(response.headers[name]) === headerText(entry.headers[name])) &&
      (length === undefined || Number(length) === entry.body.length);
    if (!agree) {
      this.#store.delete(entry, request);
      return undefined;
    }
    const refreshed = this.#refreshed(request, entry, response);
    const why = `${lookup.why}; the origin's 200 to HEAD agrees with the stored response: its headers updated`;
    return answerFromStore(request, refreshed, refreshed.initialAge, 'REVALIDATED', { fwd: lookup.fwd, fwdStatus: 200, stored: true }, why);
  }

  #settleRevalidate(lookup: CacheRevalidate, response: OriginResponse): CacheAnswer {
    const { request, entry } = lookup;
    if (response.status === 304) {
      const notModified = { status: 304, headers: storedHeaders(response.headers, response.responseTime) };
      const selected = entry.policy.revalidatedPolicy(policyRequest(request), notModified).matches;
      if (selected) {
        const refreshed = this.#refreshed(request, entry, response);
        const why = `${lookup.why}; the origin answered 304, stored headers updated`;
        return answerFromStore(
          request,
          refreshed,
          refreshed.initialAge,
          'REVALIDATED',
          { fwd: lookup.fwd, fwdStatus: 304, stored: true },
          why,
        );
      }
      // RFC 9111 section 4.3.4: a 304 whose validator selects no stored response updates nothing.
      this.#store.delete(entry, request);
      const age = currentAge(entry.initialAge, entry.storedAt, this.#now());
      const why = `${lookup.why}; the origin's 304 matches no stored validator: the stored response is dropped`;
      return answerFromStore(request, entry, age, 'MISS', { fwd: lookup.fwd, fwdStatus: 304, stored: false }, why);
    }
    if (ERROR_STATUSES.has(response.status)) {
      const stale = this.#staleIfError(lookup, `the origin answered ${response.status}`, response.status);
      if (stale !== undefined) return stale;
    }
    const stored = this.#tryStore(request, lookup.key, response);
    if (typeof stored === 'string') {
      if (response.status < 500) this.#store.delete(entry, request);
      return passOn(
        response,
        'MISS',
        { fwd: lookup.fwd, fwdStatus: response.status, stored: false },
        `${lookup.why}; the origin answered ${response.status}, not stored: ${stored}`,
        lookup.key,
      );
    }
    const why = `${lookup.why}; the origin answered ${response.status} with a new response, stored`;
    const answer = answerFromStore(request, stored, stored.initialAge, 'MISS', { fwd: lookup.fwd, fwdStatus: response.status, stored: true }, why);
    return withUnsharedFields(answer, stored, response);
  }

  /** RFC 5861 section 4: the stored response, when stale-if-error covers its staleness and nothing forbids stale use. */
  #staleIfError(lookup: CacheRevalidate, problem: string, fwdStatus: number | undefined): CacheAnswer | undefined {
    const { entry } = lookup;
    const cc = entry.directives;
    if (!this.#config.staleIfError || cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.get('no-cache') === true) return undefined;
    const sie = deltaSeconds(cc, 'stale-if-error') ?? 0;
    const age = currentAge(entry.initialAge, entry.storedAt, this.#now());
    const staleBy = age - entry.lifetime.seconds;
    if (staleBy >= sie) return undefined;
    const why = `${lookup.why}; ${problem}; stale by ${Math.max(0, Math.floor(staleBy))} s, within stale-if-error=${sie}`;
    return answerFromStore(lookup.request, entry, age, 'STALE', { fwd: 'stale', fwdStatus, detail: 'stale-if-error' }, why);
  }

  /**
   * RFC 9111 section 4.2.4: a cache that cannot reach the origin may serve a stale response unless a
   * directive forbids it (must-revalidate, proxy-revalidate, s-maxage, no-cache); a stale-if-error the
   * origin gave bounds it instead (#staleIfError), so this is for responses without one. Under the
   * staleIfError setting: both are "stale when the origin fails".
   */
  #staleWhenDisconnected(lookup: CacheRevalidate, problem: string): CacheAnswer | undefined {
    const { entry } = lookup;
    const cc = entry.directives;
    const forbidden =
      cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.has('s-maxage') || cc.get('no-cache') === true || cc.has('stale-if-error');
    if (!this.#config.staleIfError || forbidden) return undefined;
    const age = currentAge(entry.initialAge, entry.storedAt, this.#now());
    const staleBy = Math.max(0, Math.floor(age - entry.lifetime.seconds));
    const why = `${lookup.why}; ${problem}; stale by ${staleBy} s, served while the origin cannot be reached`;
    return answerFromStore(lookup.request, entry, age, 'STALE', { fwd: 'stale', detail: 'origin-unreachable' }, why);
  }

  /**
   * Why a miss's response will not be stored, judged from its head alone (status and fields), or
   * undefined when it may be: then the proxy holds its body for the body's own checks (its size) at
   * settle; else it streams the body through and hands this reason to `settle`, which need not judge
   * the head again.
   */
  headRefusal(lookup: CacheMiss, status: number, headers: Headers): string | undefined {
    if (!lookup.mayStore) return 'the request may not be stored';
    const plain = plainHeadRefusal(lookup.request, status, headers, this.#config.storeSetCookie);
    if (plain !== undefined) return plain;
    const now = this.#now();
    const head = { status, headers, body: NO_BODY_YET, requestTime: now, responseTime: now };
    const verdict = this.#whyNot(lookup.request, head);
    return typeof verdict === 'string' ? verdict : undefined;
  }

  /** Stores the response when a shared cache may; the entry, or why not. */
  #tryStore(request: CacheRequest, key: string, response: OriginResponse): StoredResponse | string {
    const verdict = this.#whyNot(request, response);
    if (typeof verdict === 'string') return verdict;
    const { headers } = verdict;
    const body = response.body as Buffer;
    const policy = new CachePolicy(policyRequest(request), { status: response.status, headers }, { shared: true });
    const entry = this.#entry(request, key, response.status, headers, body, policy, response);
    return this.#store.set(entry, request) ? entry : `the entry (${entry.size} bytes) is larger than the cache`;
  }

  /** Why the response is not stored, or the headers it would be stored with (RFC 9111 section 3). */
  #whyNot(request: CacheRequest, response: OriginResponse): string | { headers: Headers } {
    const received = storedHeaders(response.headers, response.responseTime);
    const directives = parseDirectives(received['cache-control']);
    const lifetime = freshnessLifetime(response.status, received, directives);
    const unshared = unsharedFields(directives);
    const headers = unshared === undefined ? received : withoutFields(received, unshared);
    const vary = varyNames(headers.vary);
    const why = whyNotStored({
      request,
      requestDirectives: parseDirectives(request.headers['cache-control']),
      response,
      responseDirectives: directives,
      unshared,
      lifetime,
      vary,
      storeSetCookie: this.#config.storeSetCookie,
      maxEntrySize: this.maxEntrySize,
    });
    return why ?? { headers };
  }

  /** RFC 9111 section 3.2: the stored response with the 304's fields, fresh from the 304's times. */
  #refreshed(request: CacheRequest, entry: StoredResponse, response: OriginResponse): StoredResponse {
    const merged = mergeNotModified(entry.headers, storedHeaders(response.headers, response.responseTime));
    const unshared = unsharedFields(parseDirectives(merged['cache-control']));
    const headers = unshared === undefined ? merged : withoutFields(merged, unshared);
    const policy = new CachePolicy(policyRequest(request), { status: entry.status, headers }, { shared: true });
    const refreshed = this.#entry(request, entry.key, entry.status, headers, entry.body, policy, response);
    this.#store.set(refreshed, request);
    return refreshed;
  }

  #entry(
    request: CacheRequest,
    key: string,
    status: number,
    headers: Headers,
    body: Buffer,
    policy: CachePolicy,
    times: OriginResponse,
  ): StoredResponse {
    const directives = parseDirectives(headers['cache-control']);
    const host = (headerText(request.headers.host) ?? '').toLowerCase();
    return {
      key,
      host,
      url: request.url,
      status,
      headers,
      body,
      policy,
      directives,
      lifetime: freshnessLifetime(status, headers, directives),
      initialAge: initialAge(times.headers, times.requestTime, times.responseTime),
      storedAt: times.responseTime,
      vary: varyNames(headers.vary),
      size: body.length + headerBytes(headers) + key.length + host.length + request.url.length + ENTRY_OVERHEAD_BYTES,
    };
  }

  /** RFC 9111 section 4.4: the target URI and same-origin Location / Content-Location; how many entries went. */
  #invalidate(request: CacheRequest, responseHeaders: Headers): number {
    let dropped = this.#store.deleteUri(targetUri(request));
    const host = (headerText(request.headers.host) ?? '').toLowerCase();
    for (const field of ['location', 'content-location']) {
      const value = headerText(responseHeaders[field]);
      if (value === undefined) continue;
      const uri = sameOriginUri(value, host, request.url);
      if (uri !== undefined) dropped += this.#store.deleteUri(uri);
    }
    return dropped;
  }
}

/** The cache for a proxy's `cache` config. */
export function createHttpCache(config: CacheConfig, options: HttpCacheOptions): HttpCache {
  return new HttpCache(config, options);
}

/** The body of a head judged before its body came (headRefusal): the body's own checks pass it. */
const NO_BODY_YET = Buffer.alloc(0);

function withoutConditionals(headers: Headers): Headers {
  // Most requests carry none: they go on as they are (no copy, and no `delete` to slow the object down).
  if (!CLIENT_CONDITIONALS.some((name) => headers[name] !== undefined)) return headers;
  const copy: Headers = {};
  for (const name in headers) if (!CLIENT_CONDITIONALS.includes(name)) copy[name] = headers[name];
  return copy;
}

/**
 * The answer to the request whose response was just stored, with the fields a qualified no-cache or
 * private kept out of the store: they were meant for this client, only not for reuse.
 */
function withUnsharedFields(answer: CacheAnswer, stored: StoredResponse, response: OriginResponse): CacheAnswer {
  const unshared = unsharedFields(stored.directives);
  if (unshared === undefined) return answer;
  for (const name of unshared) {
    const value = ownField(response.headers, name);
    if (value !== undefined) setField(answer.headers, name, value);
  }
  return answer;
}

/** The request as http-cache-semantics reads it. */
function policyRequest(request: CacheRequest): CachePolicy.Request {
  return { method: request.method, url: request.url, headers: request.headers };
}

function headerBytes(headers: Headers): number {
  let bytes = 0;
  for (const name in headers) bytes += name.length + (headerText(headers[name])?.length ?? 0) + 4;
  return bytes;
}

/** `host/path?query` of a Location or Content-Location on the request's own origin, or undefined. */
function sameOriginUri(value: string, host: string, base: string): string | undefined {
  try {
    const url = new URL(value, `http://${host}${base}`);
    return url.host === host ? url.host + url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}
