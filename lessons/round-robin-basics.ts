import type { Lesson } from './format.ts';

/**
 * The default sandbox (examples/classic-edge.yaml) under a name of its own, so a fresh engine serving the
 * example never passes for this lesson's sandbox after a reload (validate-lesson.ts); traffic stopped
 * until the learner starts it.
 */
export const roundRobinBasics: Lesson = {
  id: 'round-robin-basics',
  title: 'Round robin: taking turns',
  track: 'load-balancing',
  summary:
    'Watch a load balancer spread requests over three servers in turn, then see what happens when one of them goes down, and when it comes back.',
  startConfig: {
    version: 1,
    name: 'Round robin basics',
    nodes: [
      { id: 'edge', kind: 'proxy', listen: 8080, to: 'api', label: 'Reverse proxy' },
      {
        id: 'api',
        kind: 'gateway',
        listen: 8081,
        label: 'API gateway',
        routes: [
          { match: { path: '/users/*' }, to: 'users' },
          { match: { path: '/orders/*' }, to: 'orders-1' },
        ],
      },
      {
        id: 'users',
        kind: 'balancer',
        listen: 8082,
        algorithm: 'round-robin',
        targets: ['users-1', 'users-2', 'users-3'],
        label: 'Load balancer',
      },
      { id: 'users-1', kind: 'service', listen: 9001, latency: '40ms' },
      { id: 'users-2', kind: 'service', listen: 9002, latency: { distribution: 'uniform', min: '30ms', max: '70ms' } },
      { id: 'users-3', kind: 'service', listen: 9003, latency: { distribution: 'lognormal', median: '60ms', sigma: 0.5 } },
      { id: 'orders-1', kind: 'service', listen: 9011, latency: '25ms' },
    ],
    traffic: [{ name: 'browse', to: 'edge', rate: 4, clients: 6, paths: ['/users/{1..50}', '/users/{1..50}', '/orders/{1..10}'] }],
  },
  steps: [
    {
      id: 'spread-the-load',
      title: 'Round robin takes turns',
      body: [
        'A request to `/users/...` passes the reverse proxy `edge` and the gateway `api`, then reaches the load balancer `users`.',
        'With **round robin**, the balancer sends each request to the next server in a fixed rotation: users-1, users-2, users-3, users-1, ...',
        'Start the traffic and watch the dots spread evenly over the three servers, even though users-3 is the slowest.',
      ].join('\n\n'),
      goal: { type: 'each', nodes: ['users-1', 'users-2', 'users-3'], metric: 'statusClasses.2xx', op: '>=', value: 20 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top, or raise the rate.',
        'Raise the rate to about 20 requests per second and the goal takes a few seconds.',
        'Round robin ignores how fast a server is: each one gets every third request, so all three reach 20 at about the same time.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start', rate: 20 } }],
    },
    {
      id: 'a-server-goes-down',
      title: 'A server goes down',
      body: [
        'Now stop `users-2`, as if its process had crashed.',
        'Round robin does not know: it still sends every third request to users-2. The connection is refused, and the balancer answers **502** with the error code `EDGE_UPSTREAM_REFUSED`.',
        'Keep the traffic running and watch the failures appear at the balancer.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'users', metric: 'errorCodes.EDGE_UPSTREAM_REFUSED', op: '>=', value: 3 },
      hints: [
        'The "Stop users-2" button above the topology injects a down fault: its listener closes.',
        'Inject a `down` fault on the node `users-2`.',
        'If nothing fails, check that the traffic is still running.',
      ],
      solution: [{ action: 'fault', body: { target: 'users-2', type: 'down' } }],
    },
    {
      id: 'back-in-rotation',
      title: 'Back in the rotation',
      body: [
        'Start `users-2` again by clearing the fault.',
        'Round robin never took it out of the rotation, so the very next turn that falls on users-2 succeeds again.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'users-2', metric: 'statusClasses.2xx', op: '>=', value: 10 },
      hints: ['The button that stopped users-2 now reads "Start users-2".', 'Clear the `down` fault on users-2.'],
      solution: [{ action: 'clearFaults' }],
    },
  ],
};
