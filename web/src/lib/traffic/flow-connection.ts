/**
 * How a traffic flow connects, switched from the traffic panel: HTTP/2 (`http2: true`), HTTP/1.1
 * keep-alive (`keepAlive: false` turns it off), and the entries it fails over to (`failover`). An edit of the running config's flow, as the proxy's
 * switches are, so the change is what an exported config says and a lesson counts from it; the engine
 * restarts its traffic with the edited flows. Each field is written only when it differs from its
 * default, so a config stays as short as one written by hand.
 */

export interface FlowConnection {
  http2?: boolean;
  keepAlive?: boolean;
}

/** The flow's name as the engine reports it: its `name`, else `flow-N`. */
function flowName(flow: Record<string, unknown>, index: number): string {
  return typeof flow.name === 'string' ? flow.name : `flow-${index + 1}`;
}

/** A copy of `config` with a copy of flow `name` changed by `edit`. Throws when the config has no such flow. */
function withFlowEdit(config: unknown, name: string, edit: (flow: Record<string, unknown>) => void): unknown {
  const traffic = (config as { traffic?: unknown } | null)?.traffic;
  const flows = Array.isArray(traffic) ? (traffic as Array<Record<string, unknown>>) : [];
  const index = flows.findIndex((flow, i) => flowName(flow, i) === name);
  if (index === -1) throw new Error(`the running config has no flow "${name}" (a flow added live is not part of it)`);
  const flow: Record<string, unknown> = { ...flows[index] };
  edit(flow);
  return { ...(config as Record<string, unknown>), traffic: flows.map((f, i) => (i === index ? flow : f)) };
}

/** A copy of `config` with flow `name` connecting as `change` says. Throws when the config has no such flow. */
export function withFlowConnection(config: unknown, name: string, change: FlowConnection): unknown {
  return withFlowEdit(config, name, (flow) => {
    if (change.http2 !== undefined) {
      if (change.http2) flow.http2 = true;
      else delete flow.http2;
    }
    if (change.keepAlive !== undefined) {
      if (change.keepAlive) delete flow.keepAlive;
      else flow.keepAlive = false;
    }
  });
}

/**
 * A copy of `config` whose flow `name` fails over to `entries`, in order (traffic/entries.ts in the
 * engine): the addresses its clients try when a connection to the one in use fails. No entries takes the
 * list away, and its `failback` with it (the engine refuses a failback without a list).
 */
export function withFlowFailover(config: unknown, name: string, entries: readonly string[]): unknown {
  return withFlowEdit(config, name, (flow) => {
    if (entries.length > 0) flow.failover = [...entries];
    else {
      delete flow.failover;
      delete flow.failback;
    }
  });
}

/**
 * The nodes a flow entering at `to` could fail over to: the other nodes that stand at the door (proxies,
 * gateways and balancers; a service behind them is no entry address), in the topology's order.
 */
export function failoverCandidates(nodes: ReadonlyArray<{ id: string; kind: string }>, to: string): string[] {
  return nodes.filter((node) => node.id !== to && node.kind !== 'service').map((node) => node.id);
}
