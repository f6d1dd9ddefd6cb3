/** What the gateway's stages keep about one request (the exchange's `local`): the route it took. */
import type { Decision } from '../events.ts';
import type { RouteHit } from './routing/route-table.ts';

export interface GatewayRequest {
  /** The route, its captured parameters, and the path to forward (normalised, rewritten, with the query). */
  hit: RouteHit;
  /** Why the route was chosen, as the forward event tells it. */
  decision: Decision;
}
