import type { Lesson } from './format.ts';

/** Everyone on users-v1; testers mark their requests with `x-canary: true`. `canary` adds their route to users-v2. */
const sandbox = (canary: boolean) => ({
  version: 1 as const,
  name: 'Canary by header',
  nodes: [
    {
      id: 'api',
      kind: 'gateway' as const,
      listen: 8081,
      label: 'API gateway',
      routes: [
        { match: { path: '/users/*' }, to: 'users-v1' },
        // The team reaches the new version by its own path; the testers' app only knows /users.
        { match: { path: '/v2/users/*' }, to: 'users-v2' },
        ...(canary ? [{ match: { path: '/users/*', headers: { 'x-canary': 'true' } }, to: 'users-v2' }] : []),
      ],
    },
    { id: 'users-v1', kind: 'service' as const, listen: 9001, latency: '30ms', label: 'users v1' },
    // The new version has a bug: a fifth of its answers are 503s.
    { id: 'users-v2', kind: 'service' as const, listen: 9002, latency: '30ms', errorRate: 0.2, errorStatus: 503, label: 'users v2 (canary)' },
  ],
  traffic: [
    { name: 'everyone', to: 'api', rate: 8, clients: 6, paths: ['/users/{1..50}'] },
    { name: 'testers', to: 'api', rate: 4, clients: 2, paths: ['/users/{1..50}'], headers: { 'x-canary': 'true' } },
  ],
});

export const canaryByHeader: Lesson = {
  id: 'canary-by-header',
  title: 'A canary by header',
  track: 'gateway',
  summary:
    'Release a new version to a few users first: a gateway route that matches a header sends only the testers to the canary, and taking that route away rolls the release back.',
  startConfig: sandbox(false),
  steps: [
    {
      id: 'route-the-testers',
      title: 'Send the testers to the canary',
      body: [
        'Two flows call `api`: **everyone**, and a few **testers** whose requests carry the header `x-canary: true`. Today every `/users/...` request goes to `users-v1`; the team reaches the new version, `users-v2`, by its own path `/v2/users/...`, which the testers’ app does not know.',
        'Add a second route for `/users/*` that also matches the header: `{ match: { path: /users/*, headers: { x-canary: "true" } }, to: users-v2 }`.',
        'A route with a header condition is more specific than the same path without one, so it wins for the testers and everyone else stays on v1. Start the traffic and open a trace of a tester’s request: its `route` stage names the route that matched.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'users-v2', metric: 'requests', op: '>=', value: 10 },
          { type: 'metric', node: 'users-v1', metric: 'statusClasses.2xx', op: '>=', value: 20 },
        ],
      },
      hints: [
        'Routes match on `headers` as well as `path`; a header value given as a string must be equal.',
        'Quote the value in YAML (`"true"`): a header value is text.',
        'In `api`’s "Settings", "Add to routes": the new `routes[2]` opens and waits, not applied, saying what it still needs. Give it `to` `users-v2`, open its `match`, "Set match", and give it `path` `/users/*` and `headers` `x-canary: "true"`; then press "Apply" beside `routes[2]`, and it goes live whole. Then start the traffic.',
      ],
      solution: [
        { action: 'config', body: sandbox(true) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'roll-back',
      title: 'The canary fails: roll it back',
      body: [
        'Watch `users-v2`: about one answer in five is a **503**. Only the testers see them: that is what a canary is for.',
        'Roll back: remove the canary route, so the testers go to `users-v1` like everyone else. Nothing else changes, and no service restarts.',
        'The goal: v1 serves every request, and the canary has had none for a second.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'users-v1', metric: 'statusClasses.2xx', op: '>=', value: 30 },
          // Nothing reached the canary in the last second: a gauge, so the requests it took before the
          // rollback do not count against it.
          { type: 'metric', node: 'users-v2', metric: 'ratePerSecond', op: '==', value: 0 },
        ],
      },
      hints: [
        'The route with the header condition is the only thing that sends anyone to v2.',
        'In `api`’s "Settings", under `routes`, press "Remove" beside the `x-canary` route, `routes[2]` (it applies at once), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox(false) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
