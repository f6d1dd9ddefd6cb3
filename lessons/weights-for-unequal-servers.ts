import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Lesson } from './format.ts';

/**
 * `big` handles 8 requests at once, `small-1` and `small-2` one each, all 100 ms a request: 80, 10 and 10
 * a second, and none keeps a queue. `bigWeight` absent is round robin, equal turns.
 */
export const weightsSandbox = (bigWeight?: number): EdgeConfigInput => ({
  version: 1,
  name: 'Weights for unequal servers',
  nodes: [
    {
      id: 'lb',
      kind: 'balancer',
      listen: 8082,
      label: 'Load balancer',
      ...(bigWeight === undefined
        ? { algorithm: 'round-robin' as const, targets: ['big', 'small-1', 'small-2'] }
        : { algorithm: 'weighted-round-robin' as const, targets: [{ to: 'big', weight: bigWeight }, 'small-1', 'small-2'] }),
    },
    { id: 'big', kind: 'service', listen: 9001, latency: '100ms', capacity: { concurrency: 8 }, label: '8 cores' },
    { id: 'small-1', kind: 'service', listen: 9002, latency: '100ms', capacity: { concurrency: 1 }, label: '1 core' },
    { id: 'small-2', kind: 'service', listen: 9003, latency: '100ms', capacity: { concurrency: 1 }, label: '1 core' },
  ],
  traffic: [{ name: 'app', to: 'lb', rate: 45, clients: 10, paths: ['/items/{1..50}'] }],
});

/** "Error rate under 1% over the last 200 requests" at the balancer. */
export const lbErrorRate = errorRateUnder('lb', 0.01, { requests: 200 }, 200);

export const weightsForUnequalServers: Lesson = {
  id: 'weights-for-unequal-servers',
  title: 'Weights for unequal servers',
  track: 'load-balancing',
  summary: 'One big server and two small ones get equal turns, and the small ones turn requests away. Give each a weight in proportion to what it can do.',
  startConfig: weightsSandbox(),
  steps: [
    {
      id: 'weigh-the-servers',
      title: 'Weigh the servers',
      body: [
        'Behind `lb` sit one big server, `big` (8 requests at once, 100 ms each: 80 a second), and two small ones, `small-1` and `small-2` (one at a time: 10 a second each). None keeps a queue: a request that finds a server full gets **503** (`SERVICE_OVERLOADED`).',
        'Start the traffic, 45 requests a second. Round robin gives each server 15: `big` idles while the small ones are over their 10 and refuse the rest.',
        'Goal: `lb`’s error rate under **1%** over the last 200 requests, with the same three servers.',
      ].join('\n\n'),
      goal: lbErrorRate,
      hints: [
        'Press "Resume traffic" and open the inspector of `lb`: the three get equal shares, but can they take them?',
        'A weight says how many turns a server gets for each turn of a weight-1 server. `big` can do 8 times what a small one can.',
        'Switch `lb` to `weighted-round-robin` and give `big` a `weight` of 6 (or up to 8): `targets: [{ to: big, weight: 6 }, small-1, small-2]`. Each small one then gets about 1 request in 8, under its 10 a second.',
      ],
      solution: [
        { action: 'config', body: weightsSandbox(6) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
