import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Goal, Lesson } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3'];

/**
 * What `lb` does about a target that answers badly: nothing (the start), active health checks (they ask
 * `/health`, which `app-2` answers fine), passive outlier detection, or a circuit breaker per target.
 */
export type Guard = 'none' | 'healthCheck' | 'outlierDetection' | 'circuitBreaker';

const guards = {
  none: {},
  healthCheck: { healthCheck: { path: '/health', interval: '500ms', timeout: '250ms', fall: 2, rise: 2 } },
  outlierDetection: { outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '30s' } },
  circuitBreaker: { circuitBreaker: { consecutiveFailures: 3, coolDown: '30s' } },
} as const;

/**
 * Three apps behind `lb`, round robin; `app-2` runs a bad deploy and fails half its requests with 500s,
 * while its process is up and its health endpoint answers 200. A third of the traffic meets it: about one
 * request in six fails.
 */
export const outlierSandbox = (guard: Guard): EdgeConfigInput => ({
  version: 1,
  name: 'Outlier detection and circuit breaking',
  nodes: [
    { id: 'lb', kind: 'balancer', listen: 8082, algorithm: 'round-robin', targets: apps, label: 'Load balancer', ...guards[guard] },
    ...apps.map((id, i) => ({
      id,
      kind: 'service' as const,
      listen: 9001 + i,
      latency: '20ms',
      ...(id === 'app-2' && { errorRate: 0.5, errorStatus: 500, label: 'Bad deploy' }),
    })),
  ],
  traffic: [{ name: 'app', to: 'lb', rate: 40, clients: 10, paths: ['/items/{1..50}'] }],
});

/**
 * The clients see under 1% errors over the last 200 requests, because `lb` stopped sending to `app-2`
 * (at most 5% of those answers are its), which is still in the pool (it answered since the change).
 * Retries alone would hide the errors but keep `app-2` answering a sixth of the requests: not this fix.
 */
export const badServerOut: Goal = {
  all: [
    errorRateUnder('lb', 0.01, { requests: 200 }, 200),
    {
      type: 'ratio',
      label: 'app-2’s share of the answers',
      counted: 'requests at lb',
      part: { node: 'lb', metrics: ['targets.app-2'] },
      whole: { node: 'lb', metrics: ['requests'] },
      over: { requests: 200 },
      atLeast: 200,
      op: '<=',
      value: 0.05,
    },
    { type: 'metric', node: 'lb', metric: 'targets.app-2', op: '>=', value: 1 },
  ],
};

export const outlierDetectionAndCircuitBreaking: Lesson = {
  id: 'outlier-detection-and-circuit-breaking',
  title: 'Outlier detection and circuit breaking',
  track: 'load-balancing',
  summary:
    'One server runs a bad deploy and fails half its requests, yet answers its health checks. Let the balancer judge it by its live answers: eject it, or trip its circuit, until the error rate is under 1%.',
  startConfig: outlierSandbox('none'),
  steps: [
    {
      id: 'take-the-bad-one-out',
      title: 'Take the half-broken server out',
      body: [
        'Three apps sit behind `lb`. `app-2` got a bad deploy: its process is up and its health endpoint answers 200, but **half** of its real answers are 500s. Round robin sends it a third of the traffic, so about one request in six fails.',
        'Health checks ask `/health`, and `app-2` passes them: they cannot see this. The balancer has to judge each server by its **live answers**: **outlier detection** (`outlierDetection`) ejects a server after a run of failures, for a while; a **circuit breaker** (`circuitBreaker`) opens after a run of failures and refuses to send to it until a cool-down has passed and a trial request succeeds.',
        'Goal: `lb`’s error rate under **1%** over the last 200 requests, with `app-2` taking at most 5% of them, and still in the pool.',
      ].join('\n\n'),
      goal: badServerOut,
      hints: [
        'Press "Resume traffic" and open the inspector of `app-2`: how do its answers compare with those of `app-1`?',
        'Half of `app-2`’s answers fail, so a run of 3 failures in a row comes every 14 requests or so: a rule on failures in a row catches it within a second or two.',
        'Open `lb`, its "Settings", press "Set outlierDetection" and set its `consecutiveFailures` to 3 and `baseEjectionTime` to `30s` (or "Set circuitBreaker": `consecutiveFailures` 3, `coolDown` `30s`). Each field applies as you leave it.',
      ],
      solution: [
        { action: 'config', body: outlierSandbox('outlierDetection') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
