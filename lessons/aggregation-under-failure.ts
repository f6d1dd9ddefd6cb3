import type { Lesson } from './format.ts';

type Policy = 'fail-whole' | 'partial';

/** `/profile/:id` answers from two services at once, under the given partial-failure policy. */
const sandbox = (policy: Policy) => ({
  version: 1 as const,
  name: 'Aggregation under a failing upstream',
  nodes: [
    {
      id: 'api',
      kind: 'gateway' as const,
      listen: 8081,
      label: 'API gateway',
      routes: [
        {
          match: { path: '/profile/:id' },
          aggregate: {
            policy,
            upstreams: [
              { name: 'user', to: 'users', path: '/users/{route.param.id}', timeout: '500ms' },
              { name: 'orders', to: 'orders', path: '/orders?user={route.param.id}', timeout: '500ms' },
            ],
          },
        },
      ],
    },
    { id: 'users', kind: 'service' as const, listen: 9001, latency: '20ms' },
    { id: 'orders', kind: 'service' as const, listen: 9002, latency: '30ms' },
  ],
  traffic: [{ name: 'profiles', to: 'api', rate: 4, clients: 4, paths: ['/profile/{1..50}'] }],
});

export const aggregationUnderFailure: Lesson = {
  id: 'aggregation-under-failure',
  title: 'Aggregation under a failing upstream',
  track: 'gateway',
  summary:
    'A gateway route that answers from two services at once must decide what one failure means: fail the whole answer, or answer what arrived and mark what did not.',
  startConfig: sandbox('fail-whole'),
  steps: [
    {
      id: 'one-down-all-down',
      title: 'One upstream down, every answer lost',
      body: [
        '`/profile/:id` has no single service behind it: `api` calls `users` and `orders` at once and merges their JSON into one answer (`aggregate`). Its policy is `fail-whole`: any upstream that fails fails the answer.',
        'Start the traffic, then stop `orders`. Every profile now fails with **502** `EDGE_AGGREGATE_FAILED`, although `users` answers every call: watch the trace’s `aggregate` stage name the upstream that failed.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_AGGREGATE_FAILED', op: '>=', value: 5 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'The "Stop orders" button above the topology injects a `down` fault.',
        'Start the traffic and inject a `down` fault on `orders`.',
      ],
      solution: [
        { action: 'traffic', body: { action: 'start' } },
        { action: 'fault', body: { target: 'orders', type: 'down' } },
      ],
    },
    {
      id: 'answer-what-arrived',
      title: 'Answer what arrived',
      body: [
        'A profile without its orders is still worth showing. Change the route’s policy to `partial`: the gateway answers **200** with what arrived, the failed upstream listed under `_errors` and in the `x-edgelab-partial` header.',
        'Keep `orders` stopped and called. The goal: 10 profiles answered partial, without their orders (under `fail-whole` not one can; starting `orders` again, or dropping it from the aggregate, does not count).',
      ].join('\n\n'),
      // Partial answers are the goal: clearing the fault brings profiles back whole, and dropping `orders`
      // from the aggregate makes them whole without it; neither is the gateway answering through a failure.
      goal: {
        all: [
          { type: 'metric', node: 'api', metric: 'partial', op: '>=', value: 10 },
          { type: 'metric', node: 'api', metric: 'statusClasses.2xx', op: '>=', value: 10 },
          { type: 'metric', node: 'users', metric: 'statusClasses.2xx', op: '>=', value: 10 },
          { type: 'metric', node: 'orders', metric: 'statusClasses.2xx', op: '==', value: 0 },
        ],
      },
      hints: [
        'The policy is a field of the route’s `aggregate`.',
        'Open `api`, its "Settings": under `routes`, the `/profile/:id` route’s `aggregate` has a `policy`; set it to `partial` (it applies at once) and leave the fault in place.',
      ],
      solution: [
        { action: 'config', body: sandbox('partial') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
