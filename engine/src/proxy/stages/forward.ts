/** The reverse proxy's last stage: every request goes to its one upstream, at the path it asked for. */
import type { ProxyConfig } from '../../config/schema.ts';
import type { Decision } from '../../events.ts';
import type { Stage } from '../../pipeline/verdict.ts';

export function createForwardStage(config: ProxyConfig): Stage {
  const decision: Decision = { stage: 'proxy', reason: `reverse proxy: every request goes to ${config.to}` };
  const upstream = config.to;
  return {
    name: 'forward',
    run: (exchange) => ({ kind: 'forward', upstream, path: exchange.req.url ?? '/', decision }),
  };
}
