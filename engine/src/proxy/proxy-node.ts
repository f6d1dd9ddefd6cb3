/**
 * The reverse proxy: one upstream, every request forwarded to it with the proxy header rules applied.
 * Its stages: filter (when the config has one: addresses, methods, patterns, sizes), then forward (the
 * cache and compression join them in issue 11). A filter's slow-client timeouts are the listener's.
 */
import type { ProxyConfig } from '../config/schema.ts';
import { LISTENER_TIMEOUTS, type NodeContext } from '../nodes/node-server.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { Stage } from '../pipeline/verdict.ts';
import { listenerTimeoutsOf } from './filter/listener-timeouts.ts';
import { createFilterStage } from './stages/filter.ts';
import { createForwardStage } from './stages/forward.ts';

export class ProxyNode extends ForwardingNode<ProxyConfig> {
  readonly kind = 'proxy' as const;

  constructor(config: ProxyConfig, ctx: NodeContext) {
    super(config, ctx);
    this.applyListenerTimeouts(listenerTimeoutsOf(config.filter, LISTENER_TIMEOUTS));
  }

  override reconfigure(config: ProxyConfig): void {
    super.reconfigure(config);
    this.applyListenerTimeouts(listenerTimeoutsOf(config.filter, LISTENER_TIMEOUTS));
  }

  protected buildStages(config: ProxyConfig): Stage[] {
    const stages = [createForwardStage(config)];
    if (config.filter !== undefined) stages.unshift(createFilterStage(config.filter));
    return stages;
  }
}
