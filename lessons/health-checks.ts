import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Goal, Lesson } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3'];

/**
 * Three apps behind `lb`, round robin. `watch` is what the balancer learns about its targets from:
 * nothing (the start), active health checks, or passive outlier detection on live traffic.
 */
export const healthSandbox = (watch: 'none' | 'healthCheck' | 'outlierDetection'): EdgeConfigInput => ({
  version: 1,
  name: 'Health checks',
  nodes: [
    {
      id: 'lb',
      kind: 'balancer',
      listen: 8082,
      algorithm: 'round-robin',
      targets: apps,
      label: 'Load balancer',
      ...(watch === 'healthCheck' && { healthCheck: { path: '/health', interval: '500ms', timeout: '250ms', fall: 2, rise: 2 } }),
      ...(watch === 'outlierDetection' && { outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '30s', maxEjectionPercent: 34 } }),
    },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '20ms' })),
  ],
  traffic: [{ name: 'app', to: 'lb', rate: 40, clients: 10, paths: ['/items/{1..50}'] }],
});

/**
 * "Errors stop within seconds of a failure": `lb`'s error rate over the last 2 s stays under 1% for 5 s
 * on end, while `app-2` is still down. The balancer's own counts, since it is what answers the clients.
 */
export const errorsStopped: Goal = { hold: errorRateUnder('lb', 0.01, { seconds: 2 }, 40), seconds: 5 };

export const healthChecks: Lesson = {
  id: 'health-checks',
  title: 'Health checks: stop sending to a dead server',
  track: 'load-balancing',
  summary: 'A server dies and round robin keeps sending it every third request. Let the balancer check its servers (or watch their answers) so the errors stop within seconds.',
  startConfig: healthSandbox('none'),
  steps: [
    {
      id: 'a-server-dies',
      title: 'A server dies',
      body: [
        'Three apps sit behind `lb`. Start the traffic, then stop `app-2`, as if its process had crashed.',
        'The balancer does not know: every third request still goes to `app-2`, its connection is refused, and `lb` answers **502** (`EDGE_UPSTREAM_REFUSED`).',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'lb', metric: 'errorCodes.EDGE_UPSTREAM_REFUSED', op: '>=', value: 10 },
      hints: ['Press "Resume traffic", then "Stop app-2".', 'A `down` fault on `app-2` closes its listener: inject it from the inspector of `app-2`.'],
      solution: [
        { action: 'traffic', body: { action: 'start' } },
        { action: 'fault', body: { target: 'app-2', type: 'down' } },
      ],
    },
    {
      id: 'take-it-out',
      title: 'Take it out of the rotation',
      body: [
        '`app-2` stays down. Make `lb` notice and stop sending to it. Goal: `lb`’s error rate under **1%** over the last 2 s, for 5 s on end, with `app-2` still down.',
        'Two ways: **active health checks** (`healthCheck`: `lb` asks each server for `/health` every interval and takes it out after `fall` failures), or **outlier detection** (`outlierDetection`: `lb` ejects a server after a run of failed answers to live traffic).',
      ].join('\n\n'),
      goal: errorsStopped,
      hints: [
        'The balancer needs a way to learn that `app-2` is gone: by asking it, or by watching its answers.',
        'A check every 500 ms that takes a server out after 2 failures finds it within a second.',
        'Open `lb`, its "Settings", press "Set healthCheck" and set `interval` to `500ms` and `fall` to 2 (or "Set outlierDetection" with `consecutiveFailures` 3). Each field applies as you leave it.',
      ],
      solution: [{ action: 'config', body: healthSandbox('healthCheck') }],
    },
  ],
};
