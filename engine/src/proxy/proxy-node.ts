/**
 * The reverse proxy: one upstream, every request forwarded to it with the proxy header rules applied.
 * Its stages: filter (when the config has one: addresses, methods, patterns, sizes), compression (when
 * it has one: every answer's body coded on its way out, a cache hit's too), cache (when it has one:
 * answers from the store, or holds the upstream's answer to store it), then forward. A filter's
 * slow-client timeouts are the listener's. The cache outlives a new config that keeps its settings, as
 * nginx's does a reload; one with new settings starts empty. With `tls` it listens with HTTPS, HTTP/2
 * and HTTP/1.1 to clients (tls/tls-edge.ts), HTTP/1.1 behind.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { CacheConfig } from '../config/proxy/cache.ts';
import { tlsSettings } from '../config/proxy/tls.ts';
import type { ProxyConfig } from '../config/schema.ts';
import { EDGE_ERRORS, type EdgeErrorCode } from '../errors.ts';
import { readUpTo } from '../http/bounded-read.ts';
import type { TlsView } from '../events.ts';
import { LISTEN_HOST, LISTENER_TIMEOUTS, type NodeContext } from '../nodes/node-server.ts';
import type { Exchange } from '../pipeline/exchange.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import { downstreamResponseHeaders } from '../pipeline/headers.ts';
import type { Stage } from '../pipeline/verdict.ts';
import { createHttpCache, type CacheEntryView, type CacheOutcome, type CacheRevalidate, type CacheStats, type Headers, type HttpCache } from './cache/index.ts';
import { CacheTally, type CacheCounts } from './cache-tally.ts';
import { compileCompression, newCompressionTally, type CompressionTally } from './compression/index.ts';
import { listenerTimeoutsOf } from './filter/listener-timeouts.ts';
import { createCacheStage, type CacheHost } from './stages/cache.ts';
import { createCompressionStage } from './stages/compression.ts';
import { createFilterStage } from './stages/filter.ts';
import { createForwardStage } from './stages/forward.ts';
import type { ServingCertificate } from './tls/certificate.ts';
import { closeIdleTlsConnections, type TlsListener } from './tls/listener.ts';
import { TlsEdge } from './tls/tls-edge.ts';

/** A proxy cache as the lab's panel shows it (`GET /api/topology`). */
export interface CacheView extends CacheStats, CacheCounts {
  /** The most recently used stored responses, at most CACHE_VIEW_ENTRIES of them. */
  items: CacheEntryView[];
}

/** A proxy's compression as the lab shows it: the tally, and the bytes it saved (`GET /api/topology`). */
export interface CompressionTotals extends CompressionTally {
  saved: number;
}

/** How many stored responses the topology lists per proxy. */
export const CACHE_VIEW_ENTRIES = 50;

export class ProxyNode extends ForwardingNode<ProxyConfig> {
  readonly kind = 'proxy' as const;
  #cache: { config: CacheConfig; host: CacheHost } | undefined;
  /** What compression did since the node started (kept across configs, as its other counts). */
  readonly #compressionTally = newCompressionTally();
  /** The TLS side, when the config has `tls`; fixed for the node's life (another `tls` replaces the node). */
  readonly #tls: TlsEdge | undefined;

  constructor(config: ProxyConfig, ctx: NodeContext) {
    super(config, ctx);
    this.applyListenerTimeouts(listenerTimeoutsOf(config.filter, LISTENER_TIMEOUTS));
    const settings = tlsSettings(config.tls);
    if (settings !== undefined) {
      this.#tls = new TlsEdge({ nodeId: this.id, settings, bus: ctx.bus, host: LISTEN_HOST, httpsPort: () => this.port ?? config.listen });
    }
  }

  /** Plain HTTP and HTTPS are different listeners, and a certificate is made or loaded at start: another `tls` replaces the node. */
  override canReconfigure(config: ProxyConfig): boolean {
    return isDeepStrictEqual(config.tls, this.config.tls);
  }

  override reconfigure(config: ProxyConfig): void {
    super.reconfigure(config);
    this.applyListenerTimeouts(listenerTimeoutsOf(config.filter, LISTENER_TIMEOUTS));
  }

  /** The certificate served now, when the proxy listens with TLS (a client of the lab trusts it). */
  get certificate(): ServingCertificate | undefined {
    return this.#tls?.certificate;
  }

  /** What the lab shows of the TLS side: fingerprint, certificate file, protocols, redirect. */
  tlsView(): TlsView | undefined {
    return this.#tls?.view();
  }

  protected override createListener(): Server | Promise<Server> {
    if (this.#tls === undefined) return super.createListener();
    return this.#tls.listener(this.envelope, this.listenerTimeouts);
  }

  /** A graceful stop: idle HTTP/1.1 connections close, and every HTTP/2 session is told to go away. */
  protected override closeIdleConnections(server: Server): void {
    if (this.#tls === undefined) return super.closeIdleConnections(server);
    closeIdleTlsConnections(server as TlsListener);
  }

  override async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    await Promise.all([super.stop(mode, reason), this.#tls?.closeRedirect()]);
  }

  protected buildStages(config: ProxyConfig): Stage[] {
    const stages: Stage[] = [];
    if (config.filter !== undefined) stages.push(createFilterStage(config.filter));
    const compression = compileCompression(config.compression);
    if (compression !== undefined) stages.push(createCompressionStage(compression, this.#compressionTally));
    const cache = this.#cacheFor(config.cache);
    if (cache !== undefined) stages.push(createCacheStage(cache));
    stages.push(createForwardStage(config));
    return stages;
  }

  /** The cache's counts and stored responses, when this proxy caches. */
  cacheView(): CacheView | undefined {
    const host = this.#cache?.host;
    if (host === undefined) return undefined;
    const items: CacheEntryView[] = [];
    for (const entry of host.cache.entries()) {
      items.push(entry);
      if (items.length === CACHE_VIEW_ENTRIES) break;
    }
    return { ...host.cache.stats(), ...host.tally.counts(Date.now()), items };
  }

  /** What compression did so far (bytes saved is bytesIn - bytesOut), when this proxy compresses. */
  compressionView(): CompressionTotals | undefined {
    const { compression } = this.currentConfig;
    if (compression === undefined || compression === false) return undefined;
    const { responses, bytesIn, bytesOut, failures } = this.#compressionTally;
    return { responses, bytesIn, bytesOut, saved: bytesIn - bytesOut, failures };
  }

  /** The cache's X-Cache counts and hit-ratio history, and the compression totals, back to zero; stored responses stay. */
  override resetCounts(): void {
    super.resetCounts();
    this.#cache?.host.tally.reset();
    Object.assign(this.#compressionTally, newCompressionTally());
  }

  /**
   * Drop stored responses: those whose path starts with `prefix` (every one for `/`), or those stored
   * for exactly `url` (every Vary variant; on `host` only, when given). How many were dropped;
   * undefined when this proxy does not cache.
   */
  purge(target: { prefix: string } | { url: string; host?: string }): number | undefined {
    const cache = this.#cache?.host.cache;
    if (cache === undefined) return undefined;
    const entries = 'prefix' in target ? cache.purgePrefix(target.prefix) : cache.purgeUrl(target.url, target.host);
    this.ctx.bus.emit({ type: 'cache.purged', node: this.id, ...target, entries });
    return entries;
  }

  /** The cache for these settings: the one in use when they are unchanged, else a new, empty one. */
  #cacheFor(config: CacheConfig | undefined): CacheHost | undefined {
    if (config === undefined) {
      this.#cache = undefined;
      return undefined;
    }
    if (this.#cache !== undefined && isDeepStrictEqual(this.#cache.config, config)) return this.#cache.host;
    const cache = createHttpCache(config, { now: Date.now });
    const host: CacheHost = { cache, tally: new CacheTally(), refresh: (exchange, refresh) => this.#refresh(cache, exchange, refresh) };
    this.#cache = { config, host };
    return host;
  }

  /**
   * A stale-while-revalidate refresh: one request upstream with the stored validators, under a request
   * id of its own, settled into the cache when its answer is whole; nobody waits for it.
   */
  #refresh(cache: HttpCache, exchange: Exchange, refresh: CacheRevalidate): void {
    const rid = randomUUID();
    const startedAt = performance.now();
    const requestTime = Date.now();
    const timeout = this.responseTimeout;
    const done = (result: { status?: number; error?: EdgeErrorCode; cache?: CacheOutcome }) =>
      this.ctx.bus.emit({ type: 'cache.refresh', node: this.id, rid, for: exchange.rid, ...result, durationMs: performance.now() - startedAt });
    const headers = this.upstreamHeaders(exchange, refresh.headers, rid);
    void (async () => {
      try {
        const response = await this.send(this.config.to, { path: refresh.request.url, method: 'GET', headers, headersTimeout: timeout, bodyTimeout: timeout });
        const responseTime = Date.now();
        const head = downstreamResponseHeaders(response.headers, { nodeId: this.id, requestId: rid }, response.statusCode) as Headers;
        // A body longer than the cache keeps is not stored: the rest is dropped, and its connection with it.
        const read = await readUpTo(response.body, cache.maxEntrySize);
        if (read.rest !== undefined) response.body.destroy();
        const body = read.whole;
        const answer = cache.settle(refresh, { status: response.statusCode, headers: head, body, requestTime, responseTime });
        done({ status: response.statusCode, cache: answer.outcome });
      } catch (error) {
        // send() rejects with the failure's edge code; a body cut short is the upstream's reset.
        const code: EdgeErrorCode = (error as { code?: EdgeErrorCode }).code ?? 'EDGE_UPSTREAM_RESET';
        const known = code in EDGE_ERRORS ? code : 'EDGE_UPSTREAM_RESET';
        cache.fail(refresh, EDGE_ERRORS[known].message);
        done({ error: known });
      }
    })();
  }
}
