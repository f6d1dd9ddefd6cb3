/**
 * A sandbox service: a real HTTP server whose behaviour the learner controls: latency (a distribution
 * or a long-tail mix), capacity (concurrency, a queue and its timeout, so overload means real
 * queueing and then 503s), injected errors with chosen statuses, a response size, and cache headers
 * per path with conditional requests. It answers JSON naming itself, so a learner can see which
 * server answered and what the edge told it (the client address, the forwarded chain, the request
 * id); a `status` of 204, 205 or 304 forbids a body, and gets none.
 * `GET /health` answers without counting as traffic, and says 503 while the service is saturated.
 * Every setting changes live (`reconfigure`).
 */
import type { ServiceConfig } from '../config/schema.ts';
import { ERROR_HEADER } from '../errors.ts';
import { splitTarget } from '../http/path-match.ts';
import { hasRequestBody, REQUEST_ID_HEADER } from '../pipeline/headers.ts';
import { latencySampler, type LatencySampler } from './latency.ts';
import type { Exchange } from '../pipeline/exchange.ts';
import { NodeServer, type NodeContext } from '../nodes/node-server.ts';
import { padJson, writeBody } from './service-body.ts';
import { entityTag, httpDate, isNotModified, compileCacheRules, type CacheRuleLookup, type Validators } from './service-cache.ts';
import { CapacityGate, UNLIMITED, type CapacityLimits, type CapacityState } from './service-capacity.ts';

/** A rejected client may try again in a second: the queue moves at the pace of the service's latency. */
const RETRY_AFTER = { 'retry-after': '1' };

export class ServiceNode extends NodeServer<ServiceConfig> {
  readonly kind = 'service' as const;
  #latency: LatencySampler;
  #errorStatuses: readonly number[];
  #cacheRule: CacheRuleLookup | undefined;
  readonly #gate: CapacityGate;
  /** When the content last changed (whole seconds, as HTTP-dates have): the Last-Modified of cached paths. */
  #contentSince = wholeSecond(Date.now());
  /** One listener for every started request, not a closure each: its slot goes back when it closes. */
  readonly #release = (): void => this.#gate.release();

  constructor(config: ServiceConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#latency = latencySampler(config.latency, ctx.rng);
    this.#errorStatuses = errorStatusesOf(config);
    this.#cacheRule = compileCacheRules(config.cache);
    this.#gate = new CapacityGate(limitsOf(config));
  }

  /** Requests in flight finish as they started; queued ones get the new capacity at once. */
  override reconfigure(config: ServiceConfig): void {
    const before = this.config;
    super.reconfigure(config);
    this.#latency = latencySampler(config.latency, this.ctx.rng);
    this.#errorStatuses = errorStatusesOf(config);
    this.#cacheRule = compileCacheRules(config.cache);
    if (before.status !== config.status || before.responseSize !== config.responseSize) this.#contentSince = wholeSecond(Date.now());
    this.#gate.setLimits(limitsOf(config));
  }

  /**
   * Replace the configured concurrency while `limit` is set (the `overload` fault); undefined restores
   * it. Without a `capacity` in the config the queue is 0: requests beyond the limit are turned away.
   */
  setCapacityOverride(limit: number | undefined): void {
    this.#gate.setOverride(limit);
  }

  /** The live numbers for the inspector: in flight, queued, rejected, the limits in force. */
  capacityState(): CapacityState {
    return this.#gate.state();
  }

  protected handle(exchange: Exchange): void {
    const { req, res } = exchange;
    if (hasRequestBody(req.headers)) {
      // Read the whole request body (a real server would); the answer waits for its end.
      req.resume();
      req.once('error', () => res.destroy());
    }
    if (this.#gate.tryAcquire()) {
      this.#process(exchange, 0);
      return;
    }
    const leave = this.#gate.enqueue({
      start: (waitedMs) => this.#process(exchange, waitedMs),
      reject: (code) => exchange.fail(code, RETRY_AFTER),
    });
    // A client that leaves while queued gives up its place; once started, `leave` does nothing.
    res.once('close', leave);
  }

  /** The request holds a slot: decide its outcome, wait its latency, answer, and give the slot back. */
  #process(exchange: Exchange, waitedMs: number): void {
    const { req, res } = exchange;
    // 'close' fires once per response: `on` spares the wrapper `once` would allocate per request.
    res.on('close', this.#release);
    const config = this.config;
    const injected = config.errorRate > 0 && this.ctx.rng() < config.errorRate;
    const statuses = this.#errorStatuses;
    const status = !injected ? config.status : statuses.length === 1 ? statuses[0] : statuses[Math.floor(this.ctx.rng() * statuses.length)];
    const delay = this.#latency();
    // A request without a body, or whose body was read while it queued, has nothing left to wait for.
    if (hasRequestBody(req.headers) && !req.readableEnded) req.once('end', () => this.#answerAfter(delay, exchange, status, injected, waitedMs));
    else this.#answerAfter(delay, exchange, status, injected, waitedMs);
  }

  /** Answer once the latency has passed (a method, not a closure per request: tsx names every closure). */
  #answerAfter(delay: number, exchange: Exchange, status: number, injected: boolean, waitedMs: number): void {
    // setTimeout(0) would still wait a millisecond: a zero latency answers at once.
    if (delay <= 0) return this.#respond(exchange, status, injected, delay, waitedMs);
    const timer = setTimeout(() => this.#respond(exchange, status, injected, delay, waitedMs), delay);
    exchange.res.once('close', () => clearTimeout(timer));
  }

  #respond(exchange: Exchange, status: number, injected: boolean, delay: number, waitedMs: number): void {
    const { req, res } = exchange;
    if (res.destroyed) return;
    const config = this.config;
    const headers: Record<string, string | number> = { [REQUEST_ID_HEADER]: exchange.rid, 'x-served-by': this.id };
    const lookup = this.#cacheRule;
    const cacheable = lookup !== undefined && !injected && (req.method === 'GET' || req.method === 'HEAD');
    const rule = cacheable ? lookup(splitTarget(req.url ?? '/').pathname) : undefined;
    let body;
    if (rule) {
      // A strong ETag promises the same bytes for the same tag (RFC 9110 section 8.8.3): a cached path
      // answers the same representation to every request, without per-request fields.
      body = padJson(JSON.stringify({ node: this.id, status, path: req.url }), config.responseSize);
      const validators: Validators = {};
      if (rule.cacheControl !== undefined) headers['cache-control'] = rule.cacheControl;
      if (rule.etag) headers.etag = validators.etag = entityTag(body);
      if (rule.lastModified) {
        validators.lastModified = this.#contentSince;
        headers['last-modified'] = httpDate(this.#contentSince);
      }
      // Preconditions count only when the answer would be 2xx (RFC 9110 section 13.2.1).
      if (status >= 200 && status < 300 && isNotModified(req.headers, validators)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
    } else {
      const fields = {
        node: this.id,
        status,
        method: req.method,
        path: req.url,
        requestId: exchange.rid,
        clientAddress: req.socket.remoteAddress,
        forwardedFor: req.headers['x-forwarded-for'] ?? null,
        via: req.headers.via ?? null,
        latencyMs: Math.round(delay * 100) / 100,
        ...(waitedMs > 0 ? { queuedMs: Math.round(waitedMs * 100) / 100 } : {}),
        ...(injected ? { error: 'SERVICE_INJECTED_ERROR' } : {}),
      };
      body = padJson(JSON.stringify(fields), config.responseSize);
    }
    if (injected) {
      exchange.error = 'SERVICE_INJECTED_ERROR';
      headers[ERROR_HEADER] = 'SERVICE_INJECTED_ERROR';
    }
    if (status === 204 || status === 205 || status === 304) {
      // A status that forbids content (RFC 9110 sections 15.3.5, 15.3.6, 15.4.5) gets none, and no
      // Content-Length but a 205's 0, which section 15.3.6 asks for so the connection stays usable.
      if (status === 205) headers['content-length'] = 0;
      res.writeHead(status, headers);
      res.end();
      return;
    }
    // Set here, not above: a 304 carries no representation metadata but its validators (RFC 9110 section 15.4.5).
    headers['content-type'] = 'application/json';
    headers['content-length'] = body.length;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') res.end();
    else writeBody(res, body);
  }

  /** `GET /health` is answered before the request envelope: health probes are not traffic. */
  protected override isHealthProbe(method: string | undefined, url: string | undefined): boolean {
    return method === 'GET' && url === '/health';
  }

  /** 503 while saturated (every slot busy, the queue full), so an active health check takes it out. */
  protected override healthReport(): { status: number; body: Record<string, unknown> } {
    const { inFlight, queued, concurrency, queueLimit, saturated } = this.#gate.state();
    const numbers = { inFlight, queued, capacity: { concurrency, queue: queueLimit } };
    if (!saturated) return { status: 200, body: { node: this.id, status: 'up', ...numbers } };
    const reason = `saturated: ${inFlight} in flight (limit ${concurrency}) and ${queued} queued (limit ${queueLimit})`;
    return { status: 503, body: { node: this.id, status: 'saturated', reason, ...numbers } };
  }
}

function limitsOf(config: ServiceConfig): CapacityLimits {
  const { capacity } = config;
  if (!capacity) return UNLIMITED;
  return { concurrency: capacity.concurrency, queue: capacity.queue, queueTimeout: capacity.queueTimeout };
}

function errorStatusesOf(config: ServiceConfig): readonly number[] {
  return typeof config.errorStatus === 'number' ? [config.errorStatus] : config.errorStatus;
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
