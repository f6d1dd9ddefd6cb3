/**
 * Whether a balancer tries a request again (Envoy's retry policy and retry budget, nginx's
 * `proxy_next_upstream`). Only a try that failed before anything reached the client can be retried,
 * and only when all of these hold: the failure is one the policy names; tries are left; the request
 * has no body (bodies stream through and are not kept, so they cannot be replayed); the method is
 * idempotent, unless the failure was a connect error, which never reached the target (as nginx);
 * and the retry budget allows one more concurrent retry: max(minConcurrent, percent of the requests
 * active at the balancer), as Envoy's retry budget. Where the retry goes is the balancer's business
 * (never the target that failed while another is eligible). Pure.
 */
import type { FailureKind } from './failure-kind.ts';

export interface RetryPolicy {
  /** Tries in all, the first included (nginx `proxy_next_upstream_tries`). */
  tries: number;
  on: readonly FailureKind[];
  /** Methods retried after the request may have reached the target. */
  methods: readonly string[];
  budget: RetryBudget;
}

export interface RetryBudget {
  /** Share of the active requests that may be retries at once. */
  percent: number;
  /** Concurrent retries always allowed, however few requests are active. */
  minConcurrent: number;
}

export interface RetryQuestion {
  failure: FailureKind;
  /** The try that failed, 1 for the first. */
  tryNumber: number;
  method: string;
  hasBody: boolean;
  /** Retries now in flight at this balancer, and its requests in flight (retries included). */
  retries: number;
  active: number;
}

export interface RetryAnswer {
  retry: boolean;
  /** Why, in words a learner can read. */
  reason: string;
  /** The budget's limit on concurrent retries as it stood. */
  limit: number;
}

/** Envoy: concurrent retries allowed = max(min_retry_concurrency, budget_percent × active / 100). */
export function retryBudgetLimit(active: number, budget: RetryBudget): number {
  return Math.max(budget.minConcurrent, Math.floor((budget.percent * active) / 100));
}

export function decideRetry(policy: RetryPolicy, q: RetryQuestion): RetryAnswer {
  const limit = retryBudgetLimit(q.active, policy.budget);
  const no = (reason: string): RetryAnswer => ({ retry: false, reason, limit });
  if (!policy.on.includes(q.failure)) return no(`${q.failure} is not a retry condition (retries.on: ${policy.on.join(', ')})`);
  if (q.tryNumber >= policy.tries) return no(`that was try ${q.tryNumber} of ${policy.tries}`);
  if (q.hasBody) return no('the request has a body, and only requests without one are replayed');
  if (q.failure !== 'connect-error' && !policy.methods.includes(q.method)) {
    return no(`${q.method} is not retried once the request may have reached the target (retries.methods: ${policy.methods.join(', ')})`);
  }
  const budget = `max(${policy.budget.minConcurrent}, ${policy.budget.percent}% of ${q.active} active) = ${limit}`;
  if (q.retries >= limit) return no(`retry budget spent: ${q.retries} retries in flight, limit ${budget}`);
  return {
    retry: true,
    reason: `${q.failure} on try ${q.tryNumber} of ${policy.tries}; retry ${q.retries + 1} in flight of ${budget}`,
    limit,
  };
}
