/** The gateway's last stage: send the request to its route's upstream, at the route's path. */
import type { Stage } from '../../pipeline/verdict.ts';
import type { GatewayRequest } from '../request.ts';

export function createForwardStage(): Stage<GatewayRequest> {
  return {
    name: 'forward',
    run: (exchange) => {
      const { route, path, decision } = exchange.local!;
      return { kind: 'forward', upstream: route.to, path, decision };
    },
  };
}
