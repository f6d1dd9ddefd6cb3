/** What the gateway's stages keep about one request (the exchange's `local`): the route it took. */
import type { Decision, LimitDecisionView, StageStep } from '../events.ts';
import type { LimitOutcome } from './limiters/limit-set.ts';
import type { RouteHit } from './routing/route-table.ts';
import type { TemplateScope } from './transform/template.ts';

export interface GatewayRequest {
  /** The route, its captured parameters, and the path to forward (normalised, rewritten, with the query). */
  hit: RouteHit;
  /** Why the route was chosen, as the forward event tells it. */
  decision: Decision;
  /** The request target to forward when a stage changed it (a transform's query); else the route's `hit.path`. */
  path?: string;
  /** The request as received, for templates (`{request.header.x-user}`), made by the first stage that needs it. */
  scope?: TemplateScope;
  /** What the response edits did (headers, then body), and their step in the trace. */
  responseNotes?: string[];
  responseStep?: StageStep;
  /** The RateLimit fields of an allowed request, written on its answer. */
  limitFields?: Record<string, string>;
  /** An allowed request's outcome on limits that hold concurrency slots, given back as its response closes, and its trace's views of them. */
  heldSlots?: LimitOutcome;
  limitViews?: LimitDecisionView[];
}
