/** The reverse proxy: one upstream, every request forwarded to it with the proxy header rules applied. */
import type { ProxyConfig } from '../config/schema.ts';
import { ForwardingNode } from './forwarding-node.ts';
import type { Stage } from './verdict.ts';

export class ProxyNode extends ForwardingNode<ProxyConfig> {
  readonly kind = 'proxy' as const;

  protected buildStages(config: ProxyConfig): Stage[] {
    const decision = { stage: 'proxy' as const, reason: `reverse proxy: every request goes to ${config.to}` };
    return [
      {
        name: 'forward',
        run: (exchange) => ({ kind: 'forward', upstream: config.to, path: exchange.req.url ?? '/', decision }),
      },
    ];
  }
}
