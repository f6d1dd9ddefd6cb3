/**
 * The reverse proxy's compression, when its config has `compression` (proxy/compression/ is the unit:
 * negotiation, the decision, the encoder). It decides on the way out, so its stage only adds a response
 * step to every request and goes on; whichever answer goes out (the upstream's streamed one, a cache
 * hit, an edge error) is decided with its final head, and a body to compress streams through a
 * BodyEncoder with the client's backpressure, or, small and of declared length, is coded whole
 * (WholeBodyEncoder: a zlib stream costs several times more than the coding of a 2 KB answer).
 *
 * It stands before the cache, so the cache stores the identity response and a hit is compressed on its
 * way out, as nginx's gzip filter runs after proxy_cache; the `Vary: Accept-Encoding` it adds tells the
 * caches behind the client that the representation depends on it. The decision's sentence goes in the
 * trace (after the answer's step), the body's bytes in and out in `request.completed`, and the node's
 * totals in the tally its topology shows.
 */
import type { BodyCoder, Exchange, ResponseStep } from '../../pipeline/exchange.ts';
import { SKIP, type Stage } from '../../pipeline/verdict.ts';
import { bodyEncoderFor, describeDecision, type CompressionPolicy, type CompressionTally } from '../compression/index.ts';
import type { OutgoingHttpHeaders } from 'node:http';

export function createCompressionStage(policy: CompressionPolicy, tally: CompressionTally): Stage {
  const step: ResponseStep = {
    name: 'compression',
    encode(exchange: Exchange, status: number, headers: OutgoingHttpHeaders): BodyCoder | undefined {
      const startedAt = performance.now();
      const { req } = exchange;
      const decision = policy.decide(req.method ?? 'GET', req.headers['accept-encoding'], status, headers);
      const coder = decision.outcome === 'compress' ? bodyEncoderFor(exchange.res, decision.coding!, policy.levels, tally, decision.length) : undefined;
      const ms = Math.round((performance.now() - startedAt) * 1000) / 1000;
      exchange.steps.push({ stage: 'compression', verdict: 'continue', ms, reason: describeDecision(decision, policy.minSize) });
      return coder;
    },
  };
  return {
    name: 'compression',
    run(exchange) {
      exchange.onResponse(step);
      return SKIP;
    },
  };
}
