/**
 * Thinning the dots: above `FOLLOWABLE_RATE` requests a second an eye follows no single dot and the
 * edges' labels drown, so only 1 request in N gets a dot, N the smallest whole number that brings the
 * rate back under it (60 req/s: 1 in 3). The rate is the engine's target (each open-loop flow's
 * schedule, a closed loop's measured rate), not a count of dots, so the sample does not flicker with
 * the traffic's noise. Which requests are in the sample follows from the request id alone (a hash),
 * so a request is in it or not however often it is asked. The counts on the boxes are never sampled.
 */
import type { TrafficState } from '../api-types.ts';
import { hashUnit } from './id-hash.ts';

/** Requests a second the dots show one by one. */
export const FOLLOWABLE_RATE = 25;
/** A hash basis of its own: the dots' other use of the id hash (where a dot waits in a box) must not line up with the sample. */
const SAMPLE_BASIS = 0x9e3779b9;

/** The rate the dots would have to show: each running flow's target rate (a closed loop's last second). */
export function requestRate(traffic: TrafficState | null): number {
  if (traffic === null || !traffic.running) return 0;
  return (traffic.live ?? []).reduce((sum, flow) => sum + (flow.targetRate ?? flow.ratePerSecond), 0);
}

/** 1 in how many requests gets a dot at `rate` req/s. */
export function sampleEvery(rate: number, followable = FOLLOWABLE_RATE): number {
  return Number.isFinite(rate) && rate > followable ? Math.ceil(rate / followable) : 1;
}

/** Whether request `rid` is one of the 1 in `every` that get a dot. */
export function inSample(rid: string, every: number): boolean {
  return every <= 1 || hashUnit(rid, SAMPLE_BASIS) * every < 1;
}
