import type { Lesson } from './format.ts';

/** A gateway in front of two services; `/orders` is written as an exact path until `ordersPrefix` fixes it. */
const sandbox = (ordersPrefix: boolean) => ({
  version: 1 as const,
  name: 'One door',
  nodes: [
    {
      id: 'api',
      kind: 'gateway' as const,
      listen: 8081,
      label: 'API gateway',
      routes: [
        { match: { path: '/users/*' }, to: 'users' },
        { match: { path: ordersPrefix ? '/orders/*' : '/orders' }, to: 'orders' },
      ],
    },
    { id: 'users', kind: 'service' as const, listen: 9001, latency: '30ms' },
    { id: 'orders', kind: 'service' as const, listen: 9002, latency: '30ms' },
  ],
  traffic: [{ name: 'shop', to: 'api', rate: 4, clients: 4, paths: ['/users/{1..50}', '/orders/{1..20}'] }],
});

export const oneDoor: Lesson = {
  id: 'one-door',
  title: 'One door: routing by path',
  track: 'gateway',
  summary:
    'An API gateway is the single entry point: clients call one address, and the gateway sends each request to the service its path names. See what happens to a path no route claims, then add the route.',
  startConfig: sandbox(false),
  steps: [
    {
      id: 'no-route-no-entry',
      title: 'A path nobody routes',
      body: [
        'Clients send everything to the gateway `api`: `/users/...` and `/orders/...` alike. They never learn where the services live.',
        'The gateway has two routes: `/users/*` to `users`, and `/orders` to `orders`. But `/orders` is an **exact** path: it matches `/orders` and nothing else, so `/orders/12` matches no route. A request no route matches is answered by the gateway itself: **404** with the code `EDGE_NO_ROUTE`, and it never reaches a service.',
        'Start the traffic. Watch the `/orders/...` requests bounce back from `api` (grey crosses: the edge answered by itself, no server was picked), and open a request trace: its `route` stage says no route matched.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_NO_ROUTE', op: '>=', value: 5 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'About half the requests are `/orders/...`: at 10 requests per second the goal takes a second or two.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start', rate: 10 } }],
    },
    {
      id: 'add-the-orders-route',
      title: 'A prefix for /orders',
      body: [
        'Make the `/orders` route a **prefix**: `/orders/*` matches `/orders`, `/orders/` and everything under them.',
        'Routes are tried most specific first, so the order you write them in does not matter here. Open the gateway inspector: the route table shows the hits of each route.',
        'The goal: both services answer through the one door.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'orders', metric: 'statusClasses.2xx', op: '>=', value: 10 },
          { type: 'metric', node: 'users', metric: 'statusClasses.2xx', op: '>=', value: 10 },
        ],
      },
      hints: [
        'Routes live in the gateway’s `routes` list: open `api`, its "Settings", and each route’s `match` holds its `path`.',
        'Compare the two routes’ paths: one ends in `/*`.',
        'In `api`’s "Settings", change the `path` of the `/orders` route to `/orders/*` and press Enter (it applies at once); keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox(true) },
        { action: 'traffic', body: { action: 'start', rate: 10 } },
      ],
    },
  ],
};
