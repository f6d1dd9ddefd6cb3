import type { Lesson } from './format.ts';

/**
 * `credentials` lists the consumer and turns authentication on (every route then requires it);
 * `openStatus` lets the monitor's `/status` through without a key.
 */
const sandbox = ({ credentials, openStatus }: { credentials: boolean; openStatus: boolean }) => ({
  version: 1 as const,
  name: 'Authentication at the edge',
  nodes: [
    {
      id: 'api',
      kind: 'gateway' as const,
      listen: 8081,
      label: 'API gateway',
      ...(credentials && { consumers: [{ name: 'mobile', apiKeys: ['k-mobile'] }], credentials: { apiKey: { header: 'x-api-key' } } }),
      routes: [
        { match: { path: '/users/*' }, to: 'users' },
        { match: { path: '/admin/*' }, to: 'admin' },
        { match: { path: '/status' }, to: 'status', ...(openStatus && { auth: 'none' as const }) },
      ],
    },
    { id: 'users', kind: 'service' as const, listen: 9001, latency: '20ms' },
    { id: 'admin', kind: 'service' as const, listen: 9002, latency: '20ms', label: 'admin (internal)' },
    { id: 'status', kind: 'service' as const, listen: 9003, latency: '5ms' },
  ],
  traffic: [
    { name: 'app', to: 'api', rate: 5, clients: 3, paths: ['/users/{1..50}'], headers: { 'x-api-key': 'k-mobile' } },
    { name: 'prober', to: 'api', rate: 5, clients: 2, paths: ['/users/{1..50}', '/admin/{1..5}'] },
    { name: 'monitor', to: 'api', rate: 2, clients: 1, paths: ['/status'] },
  ],
});

export const authAtTheEdge: Lesson = {
  id: 'auth-at-the-edge',
  title: 'Authentication at the edge',
  track: 'gateway',
  summary:
    'The gateway checks every caller’s credential before anything reaches a service: no key, no entry. Then open one public door on purpose.',
  startConfig: sandbox({ credentials: false, openStatus: false }),
  steps: [
    {
      id: 'no-key-no-entry',
      title: 'No key, no entry',
      body: [
        'Three flows call `api`: the `mobile` app sends its API key in `x-api-key`; a **prober** sends no key and tries `/users` and `/admin`; a monitor polls `/status`.',
        'Today the gateway checks nothing, so the prober would reach `admin`. Turn authentication on: list the consumer, `consumers: [{ name: mobile, apiKeys: [k-mobile] }]`, and where the gateway reads keys, `credentials: { apiKey: { header: x-api-key } }`. With credentials, every route requires a consumer unless it says otherwise.',
        'Start the traffic: the prober’s requests bounce back from `api` with **401** `EDGE_UNAUTHORIZED` (the trace’s `auth` stage says why), and `admin` sees nothing at all (the goal checks it had no request in the last second).',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_UNAUTHORIZED', op: '>=', value: 10 },
          { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.2xx', op: '>=', value: 10 },
          { type: 'metric', node: 'admin', metric: 'ratePerSecond', op: '==', value: 0 },
        ],
      },
      hints: [
        'A gateway needs two things to know its callers: who they are (`consumers`) and where their credential is (`credentials`).',
        'Both go on the gateway, not on a route; the app’s key is `k-mobile`.',
        'In `api`’s "Settings", open `consumers`: "Add to consumers"; the new `consumers[0]` opens and waits until you apply it: give it `name` `mobile` and press "Apply" beside it. Then, under its `apiKeys`, "Add to apiKeys" `k-mobile` (refused until the gateway reads keys: the form says why and keeps it). Then open `credentials`: "Set credentials", open `apiKey`, "Set apiKey", and set its `header` to `x-api-key`; that field applies it all. Then start the traffic.',
      ],
      solution: [
        { action: 'config', body: sandbox({ credentials: true, openStatus: false }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'a-public-status-page',
      title: 'A public door, on purpose',
      body: [
        'The monitor has no key either, so its `/status` checks are refused too: the monitor thinks the service is down.',
        'Open that one route: `auth: none` on the `/status` route. Every other route still requires a key.',
        'The goal: the status checks reach `status`, and still nothing reaches `admin`.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'status', metric: 'statusClasses.2xx', op: '>=', value: 5 },
          { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_UNAUTHORIZED', op: '>=', value: 5 },
          { type: 'metric', node: 'admin', metric: 'ratePerSecond', op: '==', value: 0 },
        ],
      },
      hints: [
        'A route’s `auth` is `required`, `optional` or `none`.',
        'In `api`’s "Settings", under `routes`, open `routes[2]` (its `match` says `/status`) and set its `auth` to `none` (it applies at once), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox({ credentials: true, openStatus: true }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
