/**
 * A sandbox service: a real HTTP server whose behaviour the learner controls: latency (a distribution
 * or a long-tail mix), capacity (concurrency, a queue and its timeout, so overload means real
 * queueing and then 503s), injected errors with chosen statuses, a response size, and cache headers
 * per path with conditional requests. It runs on the stage pipeline like every node kind, its stages
 * (stages/) built once per config: body, capacity, fault, latency, cache, answer; each decision is in
 * the request's trace of stages. `GET /health` answers without counting as traffic (before the request
 * envelope, so not a stage), and says 503 while the service is saturated. Every setting changes live
 * (`reconfigure`): requests in flight finish with the stages they started with, while the capacity
 * (one gate for the node's life) applies its new limits to queued requests at once.
 */
import type { ServiceConfig } from '../config/schema.ts';
import type { Exchange } from '../pipeline/exchange.ts';
import { Runner } from '../pipeline/runner.ts';
import type { Stage } from '../pipeline/verdict.ts';
import { NodeServer, type NodeContext } from '../nodes/node-server.ts';
import { createCapacityStage } from '../pipeline/capacity-stage.ts';
import { CapacityGate, capacityLimits, type CapacityState } from './service-capacity.ts';
import { keptFor, type ServiceRequest } from './service-request.ts';
import { createAnswerStage } from './stages/answer.ts';
import { createBodyStage } from './stages/body.ts';
import { createCacheStage } from './stages/cache.ts';
import { createFaultStage } from './stages/fault.ts';
import { createLatencyStage } from './stages/latency.ts';

export class ServiceNode extends NodeServer<ServiceConfig> {
  readonly kind = 'service' as const;
  readonly #gate: CapacityGate;
  readonly #runner: Runner<ServiceRequest>;
  /** When the content last changed (whole seconds, as HTTP-dates have): the Last-Modified of cached paths. */
  #contentSince = wholeSecond(Date.now());

  constructor(config: ServiceConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#gate = new CapacityGate(capacityLimits(config.capacity));
    this.#runner = new Runner<ServiceRequest>({ id: this.id, bus: ctx.bus });
    this.#runner.configure(this.#buildStages(config), undefined);
  }

  override reconfigure(config: ServiceConfig): void {
    const before = this.config;
    super.reconfigure(config);
    if (before.status !== config.status || before.responseSize !== config.responseSize) this.#contentSince = wholeSecond(Date.now());
    this.#gate.setLimits(capacityLimits(config.capacity));
    this.#runner.configure(this.#buildStages(config), undefined);
  }

  /**
   * Replace the configured concurrency while `limit` is set (the `overload` fault); undefined restores
   * it. Without a `capacity` in the config the queue is 0: requests beyond the limit are turned away.
   */
  setCapacityOverride(limit: number | undefined): void {
    this.#gate.setOverride(limit);
  }

  override resetCounts(): void {
    this.#gate.resetCounts();
  }

  /** The live numbers for the inspector: in flight, queued, rejected, the limits in force. */
  capacityState(): CapacityState {
    return this.#gate.state();
  }

  protected handle(exchange: Exchange): void {
    this.#runner.run(exchange as Exchange<ServiceRequest>);
  }

  /** The stages a request passes, in order; the fault and cache stages only when the config has errors or cache rules. */
  #buildStages(config: ServiceConfig): Stage<ServiceRequest>[] {
    const { rng } = this.ctx;
    const stages = [
      createBodyStage(config),
      createCapacityStage<ServiceRequest>(this.#gate, rememberQueued),
      createFaultStage(config, rng),
      createLatencyStage(config, rng),
      createCacheStage(config, this.id, this.#contentSince),
      createAnswerStage(config, this.id),
    ];
    return stages.filter((stage) => stage !== undefined);
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

/** A queued request's wait, for its answer to say. */
function rememberQueued(exchange: Exchange<ServiceRequest>, waitedMs: number): void {
  keptFor(exchange).queuedMs = waitedMs;
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
