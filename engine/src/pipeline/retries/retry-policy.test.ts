import { describe, expect, it } from 'vitest';
import { decideRetry, retryBudgetLimit, type RetryPolicy, type RetryQuestion } from './retry-policy.ts';

const policy: RetryPolicy = {
  tries: 3,
  on: ['connect-error', 'reset', 'timeout', '5xx'],
  methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
  budget: { percent: 20, minConcurrent: 3 },
};
const ask = (extra: Partial<RetryQuestion> = {}): RetryQuestion => ({
  failure: 'reset',
  tryNumber: 1,
  method: 'GET',
  hasBody: false,
  retries: 0,
  active: 1,
  ...extra,
});

describe('retry budget', () => {
  it.each([
    [0, 3],
    [10, 3],
    [15, 3],
    [19, 3],
    [20, 4],
    [100, 20],
    [101, 20],
  ])('with %i active requests, %i concurrent retries are allowed (max(3, 20%%))', (active, limit) => {
    expect(retryBudgetLimit(active, policy.budget)).toBe(limit);
  });

  it('a minimum of 0 and a share of 0 allow no retry at all', () => {
    expect(retryBudgetLimit(1_000, { percent: 0, minConcurrent: 0 })).toBe(0);
  });
});

describe('retry decision', () => {
  it('a failure the policy does not name is not retried', () => {
    const answer = decideRetry({ ...policy, on: ['connect-error', 'reset'] }, ask({ failure: '5xx' }));
    expect(answer).toEqual({ retry: false, reason: '5xx is not a retry condition (retries.on: connect-error, reset)', limit: 3 });
  });

  it.each<[string, Partial<RetryQuestion>, boolean, RegExp]>([
    ['a reset GET is retried', {}, true, /^reset on try 1 of 3; retry 1 in flight of max\(3, 20% of 1 active\) = 3$/],
    ['the last try is not', { tryNumber: 3 }, false, /^that was try 3 of 3$/],
    ['a request with a body is not', { hasBody: true }, false, /has a body/],
    ['a POST that may have reached the target is not', { method: 'POST' }, false, /POST is not retried/],
    [
      'a POST whose connection was refused is (nginx: it never reached the target)',
      { method: 'POST', failure: 'connect-error' },
      true,
      /connect-error on try 1/,
    ],
    [
      'the budget stops the fourth concurrent retry among few requests',
      { retries: 3, active: 10 },
      false,
      /^retry budget spent: 3 retries in flight, limit max\(3, 20% of 10 active\) = 3$/,
    ],
    ['many active requests raise the budget', { retries: 3, active: 20 }, true, /retry 4 in flight of max\(3, 20% of 20 active\) = 4/],
  ])('%s', (_name, question, retry, reason) => {
    const answer = decideRetry(policy, ask(question));
    expect(answer.retry).toBe(retry);
    expect(answer.reason).toMatch(reason);
  });
});
