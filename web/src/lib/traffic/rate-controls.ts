/**
 * The one rate control's model (the header's, Controls.svelte): one row per open-loop flow, whose
 * number is the engine's target rate for that flow, what its schedule asks for now (`live[].targetRate`
 * of `traffic.state` and `GET /api/traffic`), or while paused the rate the flow is set to. It follows
 * the engine's report whoever changed the rate (this page, the control API, a lesson, a config edit).
 * A closed-loop flow has no rate (its users set the pace) and gets no row.
 */
import type { TrafficState } from '../api-types.ts';
import { liveChangeBody } from './traffic-forms.ts';

export interface RateControlRow {
  flow: string;
  /** The engine's target, req/s. */
  rate: number;
  /** A change applies now: live to a running flow, or (paused, the first flow) as a restart at that rate. */
  changeable: boolean;
}

function isClosed(flow: TrafficState['flows'][number]): boolean {
  return (flow.loop ?? (flow.shape === 'closed' ? 'closed' : 'open')) === 'closed';
}

export function rateControls(traffic: TrafficState | null): RateControlRow[] {
  if (traffic === null) return [];
  return traffic.flows.flatMap((flow, i) => {
    if (isClosed(flow)) return [];
    const target = traffic.running ? traffic.live?.find((l) => l.name === flow.name)?.targetRate : undefined;
    return [{ flow: flow.name, rate: target ?? flow.rate, changeable: traffic.running || i === 0 }];
  });
}

/**
 * What `POST /api/traffic` takes to put `flow` at `rate`: a live change of the running flow (same
 * flow, its counts go on), or while paused a start of the first flow at that rate; undefined when the
 * change cannot apply (another flow while paused).
 */
export function rateChangeBody(traffic: TrafficState | null, flow: string, rate: number): Record<string, unknown> | undefined {
  if (traffic === null) return undefined;
  const index = traffic.flows.findIndex((f) => f.name === flow);
  if (index < 0 || isClosed(traffic.flows[index])) return undefined;
  if (traffic.running) return liveChangeBody(flow, { rate });
  return index === 0 ? { action: 'start', rate } : undefined;
}
