import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, Lesson, RatioGoal } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3'];

/** `lb`'s retry policy: `tries` in all, and its budget (concurrent retries <= max(minConcurrent, percent of active tries)). */
export interface RetrySetting {
  tries: number;
  budget: { percent: number; minConcurrent: number };
}

/** Five tries and a budget that never says no: every failure is tried again, up to four times. */
export const naiveRetries: RetrySetting = { tries: 5, budget: { percent: 100, minConcurrent: 1000 } };
/** Envoy's default budget: retries at most 20% of the tries in flight, 3 always allowed. */
export const budgetedRetries: RetrySetting = { tries: 5, budget: { percent: 20, minConcurrent: 3 } };

/**
 * An incident: the apps' shared database fails, and 80% of their answers are 503s, each after the usual
 * 300 ms. 40 requests a second reach `lb`, about 12 tries in flight. With five tries and no budget a
 * request takes 1 + 0.8 + 0.64 + 0.51 + 0.41 = 3.4 tries on average: the apps get 3.4 times the traffic.
 * A budget of 20% (3 retries in flight) adds at most 3 retries every 300 ms: 1.25 times.
 */
export const retrySandbox = (retries: RetrySetting | undefined): EdgeConfigInput => ({
  version: 1,
  name: 'Retry storms and budgets',
  nodes: [
    { id: 'lb', kind: 'balancer', listen: 8082, algorithm: 'round-robin', targets: apps, label: 'Load balancer', ...(retries && { retries }) },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '300ms', errorRate: 0.8, errorStatus: 503, label: 'Database failing' })),
  ],
  traffic: [{ name: 'app', to: 'lb', rate: 40, clients: 10, paths: ['/orders/{1..50}'] }],
});

/** One app's tries against the requests the clients sent, over the last 5 s: a third in calm times, at most a half here. */
const loadOf = (app: string): RatioGoal => ({
  type: 'ratio',
  label: `${app}’s tries per client request`,
  counted: 'requests at lb',
  part: { node: app, metrics: ['requests'] },
  whole: { node: 'lb', metrics: ['requests'] },
  over: { seconds: 5 },
  atLeast: 100,
  op: '<=',
  value: 0.5,
});

/**
 * The storm is over while the incident goes on: each app gets at most half as many tries as clients send
 * requests (its share is a third: 1.5 times the calm load at most), and each still answers 503s.
 */
export const loadBounded: Goal = {
  all: [
    loadOf('app-1'),
    loadOf('app-2'),
    loadOf('app-3'),
    // The incident is still on: mending the database is not this lesson's fix.
    { type: 'each', nodes: apps, metric: 'statusClasses.5xx', op: '>=', value: 10 },
  ],
};

export const retryStormsAndBudgets: Lesson = {
  id: 'retry-storms-and-budgets',
  title: 'Retry storms and retry budgets',
  track: 'load-balancing',
  summary:
    'During an incident, a balancer that retries every failure up to five times sends the failing apps three times the traffic. Give its retries a budget so the load stays bounded while the incident lasts.',
  startConfig: retrySandbox(naiveRetries),
  steps: [
    {
      id: 'stop-the-storm',
      title: 'Stop the retry storm',
      body: [
        'An incident: the database behind `app-1`, `app-2` and `app-3` is failing, and **80%** of their answers are 503s (`errorRate: 0.8`). `lb` was set up to hide failures: it retries each failed try at another app, up to 5 `tries` in all, with a `budget` that never says no.',
        'Start the traffic, 40 requests a second. Each client request now costs the apps 3.4 tries on average: the apps (and their database) get more than three times the load, just when they can least take it. That is a **retry storm**.',
        'Goal: each app gets at most **half** as many tries as the clients send requests over the last 5 s (its share of the calm load is a third), while the incident goes on.',
      ].join('\n\n'),
      goal: loadBounded,
      hints: [
        'Press "Resume traffic", then open the inspector of `app-1` and compare its requests per second with the 40 a second the clients send.',
        'A **retry budget** caps the retries in flight at a share of all tries in flight (Envoy’s default: 20%, with 3 always allowed), so retries can never multiply the load, whatever fails.',
        'Open `lb` (click its box), open its "Settings" and, under `retries`, its `budget`: set `percent` to 20 and `minConcurrent` to 3 (or lower). Each field applies as you leave it. Fewer `tries` alone is not enough: two tries still nearly double the load when most fail.',
      ],
      solution: [
        { action: 'config', body: retrySandbox(budgetedRetries) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
