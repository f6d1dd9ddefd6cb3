/**
 * What counts as a target failing, shared by outlier detection, the circuit breaker, retries and the
 * pickers' feedback: a connection that could not be made, one that broke, an answer that never came,
 * or a 5xx status. A client that left is nobody's failure and counts as neither.
 */
import type { EdgeErrorCode } from '../../errors.ts';

export const FAILURE_KINDS = ['connect-error', 'reset', 'timeout', '5xx'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** How one try at a target ended, as the runner reports it. */
export interface TryOutcome {
  status: number | undefined;
  error: EdgeErrorCode | undefined;
}

/** The kind of failure, `aborted` when the client left first, undefined for a success. */
export function failureKind(outcome: TryOutcome): FailureKind | 'aborted' | undefined {
  switch (outcome.error) {
    case 'EDGE_CLIENT_ABORTED':
      return 'aborted';
    case 'EDGE_UPSTREAM_REFUSED':
    case 'EDGE_UPSTREAM_CONNECT_TIMEOUT':
    case 'EDGE_NO_TARGET':
      return 'connect-error';
    case 'EDGE_UPSTREAM_RESET':
    case 'EDGE_UPSTREAM_PROTOCOL':
      return 'reset';
    case 'EDGE_UPSTREAM_TIMEOUT':
      return 'timeout';
  }
  return (outcome.status ?? 0) >= 500 ? '5xx' : undefined;
}

/** The failure as events name it: the edge error code (`EDGE_UPSTREAM_REFUSED`), else `status 503`. */
export function describeFailure(outcome: TryOutcome): string {
  if (outcome.error !== undefined && outcome.error !== 'SERVICE_INJECTED_ERROR') return outcome.error;
  return `status ${outcome.status ?? '?'}`;
}
