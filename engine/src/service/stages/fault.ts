/**
 * A service's injected errors: each request is failed with probability `errorRate`, its status drawn
 * uniformly from `errorStatus`. The answer still comes after the latency, as a real failing server's
 * does; the answer stage writes it. Only in the stage list when `errorRate` is above 0. Every verdict
 * is built here, once: none is allocated per request.
 */
import type { ServiceConfig } from '../../config/schema.ts';
import type { ContinueVerdict, Stage } from '../../pipeline/verdict.ts';
import { keptFor, type ServiceRequest } from '../service-request.ts';

export function createFaultStage(config: ServiceConfig, rng: () => number): Stage<ServiceRequest> | undefined {
  const { errorRate } = config;
  if (errorRate <= 0) return undefined;
  const statuses = typeof config.errorStatus === 'number' ? [config.errorStatus] : config.errorStatus;
  const rate = `error rate ${Math.round(errorRate * 10_000) / 100}%`;
  const spared: ContinueVerdict = { kind: 'continue', reason: `fault: no error injected this time (${rate})` };
  const injected: ContinueVerdict[] = statuses.map((status) => ({ kind: 'continue', reason: `fault: injected a ${status} (${rate})` }));
  return {
    name: 'fault',
    run(exchange) {
      if (rng() >= errorRate) return spared;
      const i = statuses.length === 1 ? 0 : Math.floor(rng() * statuses.length);
      keptFor(exchange).errorStatus = statuses[i];
      return injected[i];
    },
  };
}
