import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, Lesson } from './format.ts';

/**
 * Three copies of one app behind `lb`. `app-1` and `app-2` answer in 20 ms, many at once; `app-3` is an
 * older machine that works one request at a time, 150 ms each (6.6 a second), queueing the rest.
 */
export const blindSpotSandbox = (algorithm: 'round-robin' | 'least-connections' | 'peak-ewma' | 'random'): EdgeConfigInput => ({
  version: 1,
  name: 'Round robin’s blind spot',
  nodes: [
    { id: 'lb', kind: 'balancer', listen: 8082, algorithm, targets: ['app-1', 'app-2', 'app-3'], label: 'Load balancer' },
    { id: 'app-1', kind: 'service', listen: 9001, latency: '20ms' },
    { id: 'app-2', kind: 'service', listen: 9002, latency: '20ms' },
    { id: 'app-3', kind: 'service', listen: 9003, latency: '150ms', capacity: { concurrency: 1, queue: 200 }, label: 'Old machine' },
  ],
  traffic: [{ name: 'app', to: 'lb', rate: 24, clients: 10, paths: ['/items/{1..50}'] }],
});

/**
 * The balancer's p99 over the last 5 s under 500 ms, for 10 s on end. Round robin sends `app-3` a third
 * of 24 requests a second, 8 where it can do 6.6, so its queue and its latency grow without end (seconds
 * within the window). Least connections sends it one only when it has no more outstanding than the
 * others, so it never queues more than a request or two (p99 at most a few hundred ms); peak EWMA learns
 * its latency and sends it fewer still (both checked in lb-lessons.test.ts). The slow one must still
 * answer some: removing it from the pool is not this lesson's fix.
 */
export const blindSpotGoal: Goal = {
  all: [
    { hold: { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 500 }, seconds: 10 },
    // Still in the pool: taking the slow server out is another lesson's fix (health checks).
    { type: 'metric', node: 'lb', metric: 'targets.app-3', op: '>=', value: 1 },
  ],
};

export const roundRobinBlindSpot: Lesson = {
  id: 'round-robin-blind-spot',
  title: 'Round robin’s blind spot',
  track: 'load-balancing',
  summary: 'One of three servers is an old, slow machine. Round robin gives it every third request anyway and its queue grows without end; pick an algorithm that notices load, and bring the p99 under 500 ms.',
  startConfig: blindSpotSandbox('round-robin'),
  steps: [
    {
      id: 'steer-around-the-slow-one',
      title: 'Steer around the slow server',
      body: [
        'Three copies of one app sit behind the balancer `lb`. Two answer in 20 ms, many at once. `app-3` is an old machine: **one request at a time**, 150 ms each, so at most 6.6 a second; the rest wait in its queue.',
        'Start the traffic (24 requests a second) and read `lb`’s p99 latency. With **round robin**, `app-3` gets every third request, 8 a second: more than it can do, so its queue, and the wait in it, grow second by second. Round robin counts turns; it never looks at how busy a server is.',
        'Goal: `lb`’s p99 over the last 5 s under **500 ms**, for 10 s on end, with all three servers still in the pool (`app-3` keeps answering some).',
      ].join('\n\n'),
      goal: blindSpotGoal,
      hints: [
        'Press "Resume traffic", then open the inspector of `lb`: how many requests does `app-3` have in flight compared with the others?',
        'An algorithm that reads each server’s load or speed sends the busy one less: look at the "Algorithm" of `lb`.',
        'Switch `lb` to `least-connections` (a server with requests piling up gets no more) or `peak-ewma` (it learns each server’s latency), and keep the traffic running. The queue `app-3` built up drains first.',
      ],
      solution: [
        { action: 'config', body: blindSpotSandbox('least-connections') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
