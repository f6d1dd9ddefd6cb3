/**
 * The reverse proxy: one upstream, every request forwarded to it with the proxy header rules applied.
 * Its stages: filter (when the config has one: addresses, methods, patterns, sizes), then forward (the
 * cache and compression join them in issue 11).
 */
import type { ProxyConfig } from '../config/schema.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { Stage } from '../pipeline/verdict.ts';
import { createFilterStage } from './stages/filter.ts';
import { createForwardStage } from './stages/forward.ts';

export class ProxyNode extends ForwardingNode<ProxyConfig> {
  readonly kind = 'proxy' as const;

  protected buildStages(config: ProxyConfig): Stage[] {
    const stages = [createForwardStage(config)];
    if (config.filter !== undefined) stages.unshift(createFilterStage(config.filter));
    return stages;
  }
}
