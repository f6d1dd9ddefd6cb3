/**
 * A flow's phases as the runner uses them: the config's `phases`, or the flow-level rate and shape as
 * one endless phase (every config written before phases existed means exactly that). Each open-loop
 * phase becomes a rate curve (schedule.ts); a closed-loop phase keeps its users and think time.
 */
import type { LatencyConfig, TrafficConfig, TrafficPhaseConfig, TrafficShape } from '../config/schema.ts';
import { burstsCurve, constantCurve, rampCurve, spikeCurve, type Arrivals, type RateCurve } from './schedule.ts';

interface PhaseBase {
  index: number;
  name: string;
  shape: TrafficShape;
  /** ms, or Infinity for the last phase when it has no `for`. */
  durationMs: number;
}

export interface OpenPhasePlan extends PhaseBase {
  loop: 'open';
  curve: RateCurve;
  arrivals: Arrivals;
  /** The rate the phase is known by (its `rate`: the constant rate, a ramp's start, a spike's base). */
  rate: number;
}

export interface ClosedPhasePlan extends PhaseBase {
  loop: 'closed';
  users: number;
  think: LatencyConfig;
}

export type PhasePlan = OpenPhasePlan | ClosedPhasePlan;

type LoadFields = Omit<TrafficPhaseConfig, 'for' | 'name'>;

export function phasePlans(flow: TrafficConfig): PhasePlan[] {
  const phases: TrafficPhaseConfig[] = flow.phases ?? [loadOf(flow)];
  return phases.map((phase, index) => plan(phase, index, phase.name ?? (flow.phases ? `phase-${index + 1}` : 'main')));
}

/** The flow-level load fields as one phase without end. */
function loadOf(flow: TrafficConfig): LoadFields {
  const { shape, rate, arrivals, endRate, over, peakRate, peakAt, peakFor, on, off, offRate, users, think } = flow;
  return { shape, rate, arrivals, endRate, over, peakRate, peakAt, peakFor, on, off, offRate, users, think };
}

function plan(phase: LoadFields & { for?: number }, index: number, name: string): PhasePlan {
  const shape = phase.shape ?? 'constant';
  const durationMs = phase.for ?? Infinity;
  const base = { index, name, shape, durationMs };
  if (shape === 'closed') return { ...base, loop: 'closed', users: phase.users!, think: phase.think ?? 0 };
  const rate = phase.rate!;
  const arrivals: Arrivals = shape === 'poisson' ? 'poisson' : (phase.arrivals ?? 'even');
  return { ...base, loop: 'open', curve: curveOf(shape, phase, durationMs), arrivals, rate };
}

function curveOf(shape: Exclude<TrafficShape, 'closed'>, phase: LoadFields, durationMs: number): RateCurve {
  const rate = phase.rate!;
  switch (shape) {
    case 'constant':
    case 'poisson':
      return constantCurve(rate);
    case 'ramp':
      return rampCurve(rate, phase.endRate!, phase.over ?? durationMs);
    case 'spike':
      return spikeCurve(rate, phase.peakRate!, phase.peakAt ?? 0, phase.peakFor!);
    case 'bursts':
      return burstsCurve(rate, phase.on!, phase.off!, phase.offRate ?? 0);
  }
}

/** A phase that sends `rate` evenly (or Poisson, keeping the phase's arrivals) from now on: what `set rate` makes of an open phase. */
export function withRate(phase: OpenPhasePlan, rate: number): OpenPhasePlan {
  return { ...phase, shape: phase.shape === 'poisson' ? 'poisson' : 'constant', curve: constantCurve(rate), rate };
}

/** How long the traffic runs when every flow's phases all end: the longest flow, in ms; undefined when some flow runs until stopped (or there is none). */
export function trafficLengthMs(flows: TrafficConfig[]): number | undefined {
  if (flows.length === 0) return undefined;
  const lengths = flows.map((f) => phasePlans(f).reduce((sum, p) => sum + p.durationMs, 0));
  const longest = Math.max(...lengths);
  return Number.isFinite(longest) ? longest : undefined;
}
