/**
 * A service's latency: draw this request's latency from the configured distribution (latency.ts), wait
 * for the request body's end when one is still coming, then wait the latency, so the answer leaves
 * that long after the request was read. The stage is async only when there is something to wait for;
 * a client that leaves stops the wait. A service with no latency traces nothing here.
 */
import type { ServiceConfig } from '../../config/schema.ts';
import type { Exchange } from '../../pipeline/exchange.ts';
import { hasRequestBody } from '../../pipeline/headers.ts';
import { SKIP, type ContinueVerdict, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import { describeLatency, latencySampler } from '../latency.ts';
import { keptFor, type ServiceRequest } from '../service-request.ts';

type ServiceExchange = Exchange<ServiceRequest>;

export function createLatencyStage(config: ServiceConfig, rng: () => number): Stage<ServiceRequest> {
  const sample = latencySampler(config.latency, rng);
  const none = config.latency === 0;
  const drawnFrom = describeLatency(config.latency);
  return {
    name: 'latency',
    run(exchange) {
      const delay = sample();
      if (delay !== 0) keptFor(exchange).latencyMs = delay;
      const { req } = exchange;
      // A request without a body, or whose body was read while it queued, has nothing left to wait for.
      const bodyPending = hasRequestBody(req.headers) && !req.readableEnded;
      if (delay <= 0 && !bodyPending) return none ? SKIP : { kind: 'continue', reason: `latency: drew 0 ms (${drawnFrom})` };
      const waited = `waited ${Math.round(delay * 100) / 100} ms (${drawnFrom})`;
      const verdict: ContinueVerdict = { kind: 'continue', reason: bodyPending ? `latency: read the rest of the body, then ${waited}` : `latency: ${waited}` };
      return new Promise<Verdict>((resolve) => {
        if (bodyPending) req.once('end', () => wait(exchange, delay, resolve, verdict));
        else wait(exchange, delay, resolve, verdict);
      });
    },
  };
}

function wait(exchange: ServiceExchange, delay: number, resolve: (verdict: Verdict) => void, verdict: Verdict): void {
  // setTimeout(0) would still wait a millisecond: a zero latency goes on at once.
  if (delay <= 0) return resolve(verdict);
  const timer = setTimeout(resolve, delay, verdict);
  exchange.res.once('close', () => clearTimeout(timer));
}
