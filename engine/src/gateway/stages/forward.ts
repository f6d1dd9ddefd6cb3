/** The gateway's last stage: send the request to its route's upstream, at the route's path, within the route's timeout. */
import type { Stage } from '../../pipeline/verdict.ts';
import type { GatewayRequest } from '../request.ts';

export function createForwardStage(): Stage<GatewayRequest> {
  return {
    name: 'forward',
    run: (exchange) => {
      const { hit, decision, path } = exchange.local!;
      return { kind: 'forward', upstream: hit.to, path: path ?? hit.path, decision, timeout: hit.timeout };
    },
  };
}
