import type { Lesson } from './format.ts';

type Key = 'global' | 'consumer';

/** Two consumers with API keys; `limit` puts a token bucket on the route, shared by `key`. */
const sandbox = (limit: Key | null) => ({
  version: 1 as const,
  name: 'Throttle the abusive client',
  nodes: [
    {
      id: 'api',
      kind: 'gateway' as const,
      listen: 8081,
      label: 'API gateway',
      consumers: [
        { name: 'mobile', apiKeys: ['k-mobile'] },
        { name: 'scraper', apiKeys: ['k-scraper'] },
      ],
      credentials: { apiKey: { header: 'x-api-key' } },
      routes: [
        {
          match: { path: '/users/*' },
          to: 'users',
          ...(limit && { rateLimit: { algorithm: 'token-bucket' as const, rate: 10, burst: 10, key: limit } }),
        },
      ],
    },
    { id: 'users', kind: 'service' as const, listen: 9001, latency: '20ms' },
  ],
  traffic: [
    { name: 'app', to: 'api', rate: 3, clients: 3, paths: ['/users/{1..50}'], auth: { consumers: ['mobile'] } },
    { name: 'scraper', to: 'api', rate: 40, clients: 1, paths: ['/users/{1..50}'], auth: { consumers: ['scraper'] } },
  ],
});

export const throttleTheAbuser: Lesson = {
  id: 'throttle-the-abuser',
  title: 'Throttle the abusive client',
  track: 'gateway',
  summary:
    'One consumer sends ten times more than the rest. A limit per consumer refuses only the abuser; a limit shared by everyone punishes the innocent too.',
  startConfig: sandbox(null),
  steps: [
    {
      id: 'who-is-calling',
      title: 'Who is calling?',
      body: [
        'Two consumers call `api` with their API keys: the `mobile` app at 3 requests per second, and a `scraper` at 40. The gateway knows each request’s consumer, and counts them apart.',
        'Start the traffic. Open a request trace: its `auth` stage names the consumer. Nothing limits anyone yet: the scraper takes everything it asks for, and `users` pays for it.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'consumer', node: 'api', consumer: 'scraper', metric: 'statusClasses.2xx', op: '>=', value: 80 },
          { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.2xx', op: '>=', value: 5 },
        ],
      },
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'Both flows start together; the scraper reaches 80 in about two seconds.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'a-bucket-per-consumer',
      title: 'A bucket per consumer',
      body: [
        'Protect `users` with a rate limit on the route, one token bucket per consumer: `rateLimit: { algorithm: token-bucket, rate: 10, burst: 10, key: consumer }`. Every request takes a token from its consumer’s bucket; when that bucket is empty the gateway answers **429** `EDGE_RATE_LIMITED`.',
        'The scraper empties its own bucket and gets the 429s (they bounce back from `api` as triangles, the shape of a 429, each tagged with its consumer’s colour), while the mobile app, far under 10 per second, is never refused.',
        'Watch the limit’s drawing in the gateway inspector: the busiest keys, the scraper refused and mobile only accepted. The trace’s `rate-limit` stage says whose bucket decided.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'consumer', node: 'api', consumer: 'scraper', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '>=', value: 20 },
          { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.2xx', op: '>=', value: 10 },
          { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.4xx', op: '==', value: 0 },
        ],
      },
      hints: [
        'A rate limit goes on the route, next to `to`.',
        'The limit’s `key` says whose bucket a request takes its token from; authenticated requests have a consumer.',
        'In `api`’s "Settings", under `routes`, give the route a `rateLimit` of the `token-bucket` form with `rate` 10, `burst` 10 and `key` `consumer` (each applies as you leave it), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox('consumer') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'one-limit-for-all',
      title: 'Why not one limit for all?',
      body: [
        'Change the limit’s key to `global`: one bucket for the whole route, whoever calls.',
        'The scraper empties it ten times a second, and now the mobile app’s requests are refused too: a shared limit protects `users`, but punishes the innocent with the guilty.',
      ].join('\n\n'),
      goal: { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '>=', value: 3 },
      hints: ['Only the `key` changes.', 'In `api`’s "Settings", set the `key` of the route’s `rateLimit` to `global` (it applies at once), and watch the mobile consumer.'],
      solution: [
        { action: 'config', body: sandbox('global') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
