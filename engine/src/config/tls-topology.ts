/**
 * The TLS rules that span nodes and traffic: engine hops speak plain HTTP/1.1, so only a client (the
 * traffic, a curl) or an l4 balancer, which relays the bytes unread, can reach a TLS proxy; and a flow
 * speaks HTTP/2 only over TLS (to a TLS proxy or an https URL), as browsers and undici do.
 */
import { upstreamsOf, type ConfigError } from './edges.ts';
import type { EdgeConfigParsed, TrafficConfig } from './schema.ts';

export function tlsTopologyErrors(config: EdgeConfigParsed): ConfigError[] {
  const tlsProxies = tlsProxyIds(config);
  const errors: ConfigError[] = [];
  if (tlsProxies.size > 0) {
    config.nodes.forEach((node, i) => {
      if (node.kind === 'balancer' && node.mode === 'l4') return;
      for (const { to, path } of upstreamsOf(node, i)) {
        if (!tlsProxies.has(to)) continue;
        errors.push({
          path,
          message: `"${to}" listens with TLS, and "${node.id}" forwards over plain HTTP/1.1: put the TLS proxy first in the chain, or an l4 balancer in front of it`,
        });
      }
    });
  }
  config.traffic.forEach((flow, i) => {
    const problem = flowHttp2Problem(flow, tlsProxies);
    if (problem !== undefined) errors.push({ path: `traffic[${i}].http2`, message: problem });
  });
  return errors;
}

/** The ids of the config's proxies that listen with TLS. */
export function tlsProxyIds(config: Pick<EdgeConfigParsed, 'nodes'> | undefined): Set<string> {
  return new Set((config?.nodes ?? []).filter((n) => n.kind === 'proxy' && n.tls !== undefined && n.tls !== false).map((n) => n.id));
}

/** Why a flow cannot speak HTTP/2 where it enters (only over TLS: a TLS proxy or an https URL), or undefined. */
export function flowHttp2Problem(flow: Pick<TrafficConfig, 'http2' | 'to'>, tlsProxies: ReadonlySet<string>): string | undefined {
  if (flow.http2 !== true || tlsProxies.has(flow.to) || flow.to.startsWith('https://')) return undefined;
  return `HTTP/2 runs over TLS here: "${flow.to}" is not a TLS proxy or an https URL`;
}
