/**
 * A sandbox service: a real HTTP server whose behaviour the learner controls (latency, status, error
 * rate). It answers JSON naming itself, so a learner can see which server answered and what the edge
 * told it (the client address, the forwarded chain, the request id). `GET /health` answers without
 * counting as traffic.
 */
import type { ServiceConfig } from '../config/schema.ts';
import { ERROR_HEADER } from '../errors.ts';
import { REQUEST_ID_HEADER } from '../proxy/headers.ts';
import { latencySampler, type LatencySampler } from './latency.ts';
import { Exchange, NodeServer, type NodeContext } from './node-server.ts';

export class ServiceNode extends NodeServer<ServiceConfig> {
  readonly kind = 'service' as const;
  #latency: LatencySampler;

  constructor(config: ServiceConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#latency = latencySampler(config.latency, ctx.rng);
  }

  override reconfigure(config: ServiceConfig): void {
    super.reconfigure(config);
    this.#latency = latencySampler(config.latency, this.ctx.rng);
  }

  protected handle(exchange: Exchange): void {
    const { req, res } = exchange;
    const config = this.config;
    const injected = config.errorRate > 0 && this.ctx.rng() < config.errorRate;
    const status = injected ? config.errorStatus : config.status;
    const delay = this.#latency();
    // Read the whole request body (a real server would), then answer after the configured latency.
    req.resume();
    const respond = () => {
      if (res.destroyed) return;
      const body = JSON.stringify({
        node: this.id,
        status,
        method: req.method,
        path: req.url,
        requestId: exchange.rid,
        clientAddress: req.socket.remoteAddress,
        forwardedFor: req.headers['x-forwarded-for'] ?? null,
        via: req.headers.via ?? null,
        latencyMs: Math.round(delay * 100) / 100,
        ...(injected ? { error: 'SERVICE_INJECTED_ERROR' } : {}),
      });
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        [REQUEST_ID_HEADER]: exchange.rid,
        'x-served-by': this.id,
      };
      if (injected) {
        exchange.error = 'SERVICE_INJECTED_ERROR';
        headers[ERROR_HEADER] = 'SERVICE_INJECTED_ERROR';
      }
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const answer = () => {
      // setTimeout(0) would still wait a millisecond: a zero latency answers at once.
      if (delay <= 0) return respond();
      const timer = setTimeout(respond, delay);
      res.once('close', () => clearTimeout(timer));
    };
    // A request without a body has nothing left to read: answer without waiting for its 'end'.
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (hasBody) req.once('end', answer);
    else answer();
    req.once('error', () => res.destroy());
  }

  /** `GET /health` is answered before the request envelope: health probes are not traffic. */
  protected override isHealthProbe(method: string | undefined, url: string | undefined): boolean {
    return method === 'GET' && url === '/health';
  }
}
