/**
 * How a traffic flow connects, switched from the traffic panel: HTTP/2 (`http2: true`) and HTTP/1.1
 * keep-alive (`keepAlive: false` turns it off). An edit of the running config's flow, as the proxy's
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

/** A copy of `config` with flow `name` connecting as `change` says. Throws when the config has no such flow. */
export function withFlowConnection(config: unknown, name: string, change: FlowConnection): unknown {
  const traffic = (config as { traffic?: unknown } | null)?.traffic;
  const flows = Array.isArray(traffic) ? (traffic as Array<Record<string, unknown>>) : [];
  const index = flows.findIndex((flow, i) => flowName(flow, i) === name);
  if (index === -1) throw new Error(`the running config has no flow "${name}" (a flow added live is not part of it)`);
  const flow: Record<string, unknown> = { ...flows[index] };
  if (change.http2 !== undefined) {
    if (change.http2) flow.http2 = true;
    else delete flow.http2;
  }
  if (change.keepAlive !== undefined) {
    if (change.keepAlive) delete flow.keepAlive;
    else flow.keepAlive = false;
  }
  return { ...(config as Record<string, unknown>), traffic: flows.map((f, i) => (i === index ? flow : f)) };
}
