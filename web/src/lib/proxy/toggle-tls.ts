/**
 * Turning a proxy's TLS on or off from its inspector is an edit of the running config, as its cache
 * switch is (cache/toggle-cache.ts): read it, give that proxy `tls: settings` or take `tls` away, send
 * it back. Off also takes `http2` from the flows that enter at that proxy: HTTP/2 runs over TLS only,
 * and the engine refuses a config that asks for it over plain HTTP. Turning TLS on needs nothing of the
 * traffic: a flow speaks https to a proxy that listens with TLS, trusting its certificate.
 */
import { proxyOf, type ConfigNode } from '../cache/toggle-cache.ts';

export type TlsSetting = true | Record<string, unknown>;

/** The `tls` of proxy `nodeId` in `config`, when it has one (`false` is none). */
export function tlsSetting(config: unknown, nodeId: string): TlsSetting | undefined {
  const tls = proxyOf(config, nodeId)?.node.tls;
  if (tls === true) return true;
  return typeof tls === 'object' && tls !== null && !Array.isArray(tls) ? (tls as Record<string, unknown>) : undefined;
}

/** What turning TLS off did beside it: the flows that no longer ask for HTTP/2. */
export interface TlsEdit {
  config: unknown;
  plainFlows: string[];
}

/**
 * A copy of `config` with proxy `nodeId` terminating TLS with `setting` (`true`: a self-signed
 * certificate), or speaking plain HTTP when `setting` is undefined. Throws when there is no such proxy.
 */
export function withTls(config: unknown, nodeId: string, setting: TlsSetting | undefined): TlsEdit {
  const found = proxyOf(config, nodeId);
  if (found === undefined) throw new Error(`the running config has no proxy "${nodeId}"`);
  const { tls: _tls, ...rest } = found.node;
  const node: ConfigNode = setting === undefined ? rest : { ...rest, tls: setting };
  const edited: Record<string, unknown> = { ...(config as Record<string, unknown>), nodes: found.nodes.map((n, i) => (i === found.index ? node : n)) };
  const plainFlows: string[] = [];
  const traffic = edited.traffic;
  if (setting === undefined && Array.isArray(traffic)) {
    edited.traffic = traffic.map((flow: Record<string, unknown>, i) => {
      if (flow?.to !== nodeId || flow.http2 !== true) return flow;
      plainFlows.push(typeof flow.name === 'string' ? flow.name : `flow-${i + 1}`);
      const { http2: _http2, ...plain } = flow;
      return plain;
    });
  }
  return { config: edited, plainFlows };
}
