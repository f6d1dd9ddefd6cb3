/**
 * Test helpers for limiters: run a schedule of request times through a limiter and read the decisions
 * as a compact string (`A` allowed at once, `D` allowed after a delay, `R` refused).
 */
import type { Decision, Limiter } from './limiter.ts';

export function mark(decision: Decision): 'A' | 'D' | 'R' {
  if (!decision.allowed) return 'R';
  return decision.delayMs > 0 ? 'D' : 'A';
}

/** `take` at each time, one key: the marks joined (`AAAR`). */
export function marks(limiter: Limiter, times: readonly number[], key = 'k'): string {
  return times.map((t) => mark(limiter.take(key, t))).join('');
}

/** `count` times equal to `at`. */
export function burstAt(at: number, count: number): number[] {
  return Array.from({ length: count }, () => at);
}

/** Request times from gaps: `[0, 5, 0, 200]` -> `[0, 5, 5, 205]` (never decreasing, as a clock). */
export function timesFrom(gaps: readonly number[]): number[] {
  let now = 0;
  return gaps.map((gap) => (now += gap));
}
