/**
 * The one interface every load-balancing algorithm implements. Health filtering, stickiness and
 * retries belong to the balancer, never to a picker: a picker is handed the candidates with their
 * eligibility and returns its choice with the numbers that decided it, or "none" (never throws).
 */
import type { Decision } from '../events.ts';

export interface Candidate {
  readonly id: string;
  readonly weight: number;
  /** Requests this balancer has sent to the target and not yet seen finish. */
  readonly inFlight: number;
  /** False when the balancer has ruled the target out (down, ejected, draining). */
  readonly eligible: boolean;
}

export interface PickContext {
  now(): number;
  rng(): number;
}

export type Pick = { target: Candidate; decision: Decision } | { target: null; reason: string };

export interface Picker {
  readonly id: string;
  pick(candidates: readonly Candidate[], ctx: PickContext): Pick;
  /** The target the next pick would choose, for the "next up" highlight; must not change state. */
  peek?(candidates: readonly Candidate[]): string | undefined;
}

export type PickerFactory = () => Picker;
