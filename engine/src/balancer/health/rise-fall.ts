/**
 * The verdict of active health checks, as HAProxy counts them: a healthy target goes down after `fall`
 * failed checks in a row, an unhealthy one comes back after `rise` passed checks in a row. Targets
 * start healthy, so traffic flows from the first request (HAProxy's default; Envoy instead waits for a
 * first passed check). Pure.
 */

export interface RiseFall {
  rise: number;
  fall: number;
}

export interface CheckState {
  healthy: boolean;
  /** Passed checks in a row while unhealthy, failed checks in a row while healthy. */
  streak: number;
}

export const HEALTHY: CheckState = { healthy: true, streak: 0 };

/** The state after one check, and whether that check changed it (`up`, `down`) or counted towards a change. */
export function recordCheck(
  state: CheckState,
  passed: boolean,
  limits: RiseFall,
): { state: CheckState; change: 'up' | 'down' | 'check-passed' | 'check-failed' | undefined } {
  // A check agreeing with the current state clears any streak towards the other.
  if (passed === state.healthy) return { state: { healthy: state.healthy, streak: 0 }, change: undefined };
  const streak = state.streak + 1;
  const needed = state.healthy ? limits.fall : limits.rise;
  if (streak >= needed) return { state: { healthy: passed, streak: 0 }, change: passed ? 'up' : 'down' };
  return { state: { healthy: state.healthy, streak }, change: passed ? 'check-passed' : 'check-failed' };
}
