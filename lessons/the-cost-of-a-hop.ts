import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, Lesson } from './format.ts';

/** What `legacy` costs each request that passes it, in ms: an old proxy in another data centre. */
const LEGACY_MS = 150;

/**
 * A shop behind four hops: `edge`, then (at the start) the old proxy `legacy`, the gateway `api`, the
 * balancer `lb` and two services of 20 ms. `legacy` forwards everything unchanged and costs each request
 * 150 ms: a `latency` fault from 0 s in the config's scenario, so it is there from the first request and
 * comes back with every config that keeps it. `route` is what `edge` sends to: `legacy`, or `api` around
 * it (`legacy` left idle); `removed` takes `legacy` and its scenario line out of the config.
 */
export const hopSandbox = (route: 'through-legacy' | 'around-legacy' | 'removed'): EdgeConfigInput => ({
  version: 1,
  name: 'The cost of a hop',
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: route === 'through-legacy' ? 'legacy' : 'api', label: 'Reverse proxy' },
    ...(route === 'removed' ? [] : [{ id: 'legacy', kind: 'proxy' as const, listen: 8083, to: 'api', label: 'Old proxy' }]),
    { id: 'api', kind: 'gateway', listen: 8081, label: 'API gateway', routes: [{ match: { path: '/*' }, to: 'lb' }] },
    { id: 'lb', kind: 'balancer', listen: 8082, label: 'Load balancer', targets: ['app-1', 'app-2'] },
    { id: 'app-1', kind: 'service', listen: 9001, latency: '20ms' },
    { id: 'app-2', kind: 'service', listen: 9002, latency: '20ms' },
  ],
  traffic: [{ name: 'shoppers', to: 'edge', rate: 20, clients: 6, paths: ['/items/{1..50}'] }],
  ...(route === 'removed' ? {} : { scenario: [{ at: '0s', target: 'legacy', type: 'latency' as const, ms: LEGACY_MS }] }),
});

/**
 * `edge`'s p99 under 150 ms for 5 s on end, with `legacy` out of the way (idle, or gone) and the shop
 * still answered through `api` and `lb`. Through `legacy` every request takes over 170 ms (20 + 150 and
 * the hops); around it the p99 is about 30 ms, and stays under 150 on a loaded machine. Clearing
 * its latency fault, the one way under the bound with `legacy` still in the path, is refused
 * by the second part (capstone-lessons.test.ts).
 */
export const hopRemovedGoal: Goal = {
  all: [
    { hold: { type: 'latency', node: 'edge', stat: 'p99', op: '<', value: 150 }, seconds: 5 },
    {
      any: [
        { type: 'metric', node: 'legacy', metric: 'requests', op: '==', value: 0 },
        { type: 'removed', node: 'legacy' },
      ],
    },
    { type: 'each', nodes: ['api', 'lb'], metric: 'requests', op: '>=', value: 50 },
  ],
};

export const theCostOfAHop: Lesson = {
  id: 'the-cost-of-a-hop',
  title: 'The cost of a hop',
  track: 'fundamentals',
  summary:
    'Every box a request passes adds its own time. Measure what each hop adds, find the one that adds the most and does nothing, and take it out of the path until the p99 at the door is under 150 ms.',
  startConfig: hopSandbox('through-legacy'),
  steps: [
    {
      id: 'measure-each-hop',
      title: 'Measure what each hop adds',
      body: [
        'The shoppers’ requests pass `edge`, `legacy`, `api` and `lb` before `app-1` or `app-2` answers in 20 ms. Each box’s latency is the time from when a request reached it to when its answer left: its own work **plus everything behind it**. So what a hop adds is its latency minus that of the box it sends to.',
        'Start the traffic and open the inspectors one by one, from `app-1` back to `edge`: read each p50 and subtract. A hop on the same machine costs well under a millisecond. One costs far more.',
        'Goal: measure what the customers wait: `edge`’s p50 at or above 150 ms for 3 s on end.',
      ].join('\n\n'),
      goal: { hold: { type: 'latency', node: 'edge', stat: 'p50', op: '>=', value: 150 }, seconds: 3 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        '`app-1` answers in about 20 ms, and `lb` and `api` add almost nothing to that. Compare `api` with `legacy`, and `legacy` with `edge`.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'route-around-it',
      title: 'Take the hop that is not needed out of the path',
      body: [
        '`legacy` is an old proxy in another data centre that forwards everything unchanged: no cache, no filter, no route of its own. It costs every request 150 ms (the `latency` in the config’s `scenario` stands for the distance) and does nothing for it.',
        'Nobody can make the distance shorter. But the request does not have to go there: point `edge` at `api` directly (`legacy` may stay, idle), or remove `legacy` and its `scenario` line from the config.',
        'Goal: `edge`’s p99 under **150 ms** for 5 s on end, with `legacy` handling no request any more, and the shop still answered through `api` and `lb` (at least 50 requests each).',
      ].join('\n\n'),
      goal: hopRemovedGoal,
      hints: [
        'Clearing the fault only hides the distance, and the goal does not count it: a request that still passes `legacy` still crosses it.',
        'Open `edge` and its "Settings": its `to` is `legacy`. What does `legacy` send to?',
        'In `edge`’s "Settings", set `to` to `api` and press Enter: it applies at once. `legacy` stays in the config, idle (the config warns that nothing sends to it); to remove it too, press "Build", focus `legacy` and press Delete.',
      ],
      solution: [
        { action: 'config', body: hopSandbox('removed') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
