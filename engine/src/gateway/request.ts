/** What the gateway's stages keep about one request (the exchange's `local`): the route it matched. */
import type { Decision } from '../events.ts';
import type { CompiledRoute } from './routes.ts';

export interface GatewayRequest {
  route: CompiledRoute;
  /** The request target to send upstream: the route's rewrite of the path, with the query. */
  path: string;
  /** Why the route was chosen, as the forward event tells it. */
  decision: Decision;
}
