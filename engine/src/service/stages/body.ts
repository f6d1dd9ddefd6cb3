/**
 * A service's first stage: a request with a body has it read in full, as a real server would, from
 * the moment it arrives (also while it waits for a slot); the latency stage waits for its end before
 * the answer. A request without a body passes untraced.
 */
import type { ServiceConfig } from '../../config/schema.ts';
import { hasRequestBody } from '../../pipeline/headers.ts';
import { SKIP, type ContinueVerdict, type Stage } from '../../pipeline/verdict.ts';
import type { ServiceRequest } from '../service-request.ts';

const READING: ContinueVerdict = { kind: 'continue', reason: 'body: reading the request body; the answer waits for its end' };

export function createBodyStage(_config: ServiceConfig): Stage<ServiceRequest> {
  return {
    name: 'body',
    run(exchange) {
      const { req, res } = exchange;
      if (!hasRequestBody(req.headers)) return SKIP;
      req.resume();
      req.once('error', () => res.destroy());
      return READING;
    },
  };
}
