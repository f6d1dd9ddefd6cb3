/**
 * The one interface every load-balancing algorithm implements. Health filtering, stickiness and
 * retries belong to the balancer, never to a picker: a picker is handed the candidates with their
 * eligibility and returns its choice with the numbers that decided it, or "none" (never throws).
 * Pickers are pure: time and randomness come in through the context.
 */
import type { Decision } from '../events.ts';

export interface Candidate {
  /** The target's node id (or URL), as the config names it. */
  readonly id: string;
  readonly weight: number;
  /** Requests this balancer has sent to the target and not yet seen finish. */
  readonly inFlight: number;
  /** False when the balancer has ruled the target out (down, ejected, open circuit, draining). */
  readonly eligible: boolean;
  /**
   * `host:port` as a reference engine's config would write the server (`127.0.0.1:9001`), for the
   * nginx-compatible hashes, which hash the address as written.
   */
  readonly address: string;
}

export interface PickContext {
  /** Monotonic milliseconds. */
  now(): number;
  /** Uniform in [0, 1). */
  rng(): number;
  /**
   * The request's hash key (client address, a header, a cookie, a query parameter or the path, as the
   * balancer's `hashKey` says), or undefined when the request does not carry it. Only hash pickers read it.
   */
  key?: string;
}

export type Pick = { target: Candidate; decision: Decision } | { target: null; reason: string };

/** What the balancer reports back once a request to a target has finished. */
export interface Settled {
  target: string;
  durationMs: number;
  /** Connect error, reset, timeout or a 5xx. */
  failed: boolean;
}

export interface Picker {
  readonly id: string;
  pick(candidates: readonly Candidate[], ctx: PickContext): Pick;
  /** The target the next pick would choose, for the "next up" highlight; must not change state. */
  peek?(candidates: readonly Candidate[]): string | undefined;
  /** Learn from a finished request (latency-aware pickers). */
  onSettled?(outcome: Settled, ctx: PickContext): void;
  /** The algorithm's live internal state for the inspector (plain JSON). */
  state?(candidates: readonly Candidate[]): unknown;
}

export type PickerFactory = (options?: Record<string, unknown>) => Picker;
