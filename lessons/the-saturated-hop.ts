import type { Lesson } from './format.ts';

/**
 * A shop behind a proxy, a gateway and a balancer with two services. The gateway `api` can work on
 * `concurrency` requests at once and queue `queue` more: too few for the traffic, so it is the hop
 * that turns requests away while the services wait.
 */
const sandbox = (capacity: { concurrency: number; queue: number }) => ({
  version: 1 as const,
  name: 'The saturated hop',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'api', label: 'Reverse proxy' },
    { id: 'api', kind: 'gateway' as const, listen: 8081, label: 'API gateway', capacity, routes: [{ match: { path: '/*' }, to: 'lb' }] },
    { id: 'lb', kind: 'balancer' as const, listen: 8082, label: 'Load balancer', targets: ['app-1', 'app-2'] },
    { id: 'app-1', kind: 'service' as const, listen: 9001, latency: '100ms' },
    { id: 'app-2', kind: 'service' as const, listen: 9002, latency: '100ms' },
  ],
  traffic: [{ name: 'shop', to: 'edge', rate: 40, clients: 10, paths: ['/items/{1..50}'] }],
});

export const theSaturatedHop: Lesson = {
  id: 'the-saturated-hop',
  track: 'weak-points',
  title: 'The gateway as a bottleneck',
  summary:
    'Every request passes the gateway, and the gateway can only work on so many at once. Find the saturated hop from the metrics, not from a guess, and give it the room the traffic needs.',
  startConfig: sandbox({ concurrency: 2, queue: 2 }),
  steps: [
    {
      id: 'find-the-saturated-hop',
      title: 'Find the saturated hop',
      body: [
        'Shoppers send 40 requests a second to `edge`, which forwards them to the gateway `api`, then the balancer `lb` and two services that answer in 100 ms.',
        'At 40 a second and 100 ms each, about 4 requests are in the chain at any moment. The services could take far more. But `api` has a `capacity`: it works on 2 requests at once, lets 2 more wait in its queue, and turns the rest away with **503 EDGE_OVERLOADED**, as a real gateway with too few workers does.',
        'Start the traffic. Which box’s badge counts failed requests? Open its inspector: its capacity shows 2 of 2 busy and the queue full, while `app-1` and `app-2` have hardly anything in flight.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_OVERLOADED', op: '>=', value: 20 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'Compare the error counts: `api` returns the 503s itself (its code says EDGE_OVERLOADED), and the services never see those requests.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start', rate: 40 } }],
    },
    {
      id: 'give-it-room',
      title: 'Give the gateway room',
      body: [
        'A hop that refuses work while the hops behind it are idle needs more capacity, not more servers behind it.',
        'Raise `api`’s `capacity` so it can work on every request the traffic brings (say `concurrency: 32` and `queue: 16`), or remove the limit. The goal: at least 99% of the requests at `edge` answered with 2xx, over at least 200 requests.',
      ].join('\n\n'),
      goal: {
        type: 'ratio',
        label: 'edge’s 2xx share',
        counted: 'requests at edge',
        part: { node: 'edge', metrics: ['statusClasses.2xx'] },
        whole: { node: 'edge', metrics: ['requests'] },
        atLeast: 200,
        op: '>=',
        value: 0.99,
      },
      hints: [
        'Open the inspector of `api` (click its box): its "Capacity" shows every slot busy and the queue full.',
        'About 4 requests are in flight on average, and bursts bring more: a concurrency of 2 cannot keep up, 32 leaves plenty of room.',
        'In `api`’s inspector set "Concurrency" to 32 and "Queue" to 16, and press "Apply capacity" (or "Remove the limit"); the traffic keeps running.',
      ],
      solution: [
        { action: 'config', body: sandbox({ concurrency: 32, queue: 16 }) },
        { action: 'traffic', body: { action: 'start', rate: 40 } },
      ],
    },
  ],
};
