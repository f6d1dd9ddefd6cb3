import type { Lesson } from './format.ts';

/** The two limits the lesson compares: the same average, 10 requests per second. */
const fixedWindow = { algorithm: 'fixed-window' as const, limit: 10, window: '1s', key: 'global' as const };
const tokenBucket = { algorithm: 'token-bucket' as const, rate: 10, burst: 1, key: 'global' as const };

/**
 * `api` limits the clients; `capacity` stands for what the service can take (13 in any second,
 * counted over a sliding window), so a burst that got past `api` shows as its 429s.
 */
const sandbox = (limit: typeof fixedWindow | typeof tokenBucket) => ({
  version: 1 as const,
  name: 'Token bucket vs fixed window',
  nodes: [
    { id: 'api', kind: 'gateway' as const, listen: 8081, label: 'API gateway', routes: [{ match: { path: '/*' }, to: 'capacity', rateLimit: limit }] },
    {
      id: 'capacity',
      kind: 'gateway' as const,
      listen: 8082,
      label: 'Service capacity: 13 in any second',
      routes: [
        { match: { path: '/*' }, to: 'reports', rateLimit: { algorithm: 'sliding-window-log' as const, limit: 13, window: '1s', key: 'global' as const } },
      ],
    },
    { id: 'reports', kind: 'service' as const, listen: 9001, latency: '10ms' },
  ],
  // Bursts of 1 s at 30 per second, then 0.5 s of quiet: the bursts drift across the clock's seconds.
  traffic: [{ name: 'bursty', to: 'api', clients: 6, shape: 'bursts' as const, rate: 30, on: '1s', off: '500ms', offRate: 0, paths: ['/reports/{1..20}'] }],
});

export const boundaryBurst: Lesson = {
  id: 'boundary-burst',
  title: 'Token bucket vs fixed window: the boundary burst',
  track: 'gateway',
  summary:
    'Both limits allow 10 requests per second on average. A fixed window lets up to twice that through across a window boundary; a token bucket never lets through more than its burst on top of its rate.',
  startConfig: sandbox(tokenBucket),
  steps: [
    {
      id: 'a-steady-bucket',
      title: 'A token bucket: never more than burst plus rate',
      body: [
        '`api` limits the clients with a **token bucket**: `rate: 10, burst: 1`. A token drips in every 100 ms and at most one waits, so in any one second, whenever it starts, at most 1 + 10 = 11 requests pass.',
        'Behind it, `capacity` stands for what the service can really take: 13 requests in any one second, counted over a sliding window. Whatever gets past `api` beyond that, `capacity` refuses with **429**.',
        'Start the bursty traffic (one second at 30 per second, half a second of quiet) and watch the bucket in `api`’s inspector drain and refill: the 429s all come from `api`, and `capacity` refuses nothing.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'reports', metric: 'statusClasses.2xx', op: '>=', value: 30 },
          { type: 'metric', node: 'capacity', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '==', value: 0 },
        ],
      },
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'About 7 requests a second get through: the goal takes four or five seconds.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'twice-the-limit',
      title: 'A fixed window: twice the limit across a boundary',
      body: [
        'Switch `api`’s limit to `{ algorithm: fixed-window, limit: 10, window: 1s, key: global }`: the same 10 per second, counted in windows that start again at 0 on every second of the clock. Cheaper, and simpler to explain.',
        'But a burst that straddles a boundary gets 10 through at the end of one window and 10 more at the start of the next: 20 within a few hundred milliseconds. Watch the window’s count in `api`’s inspector fall back to 0 at each boundary, and `capacity` start refusing.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'capacity', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '>=', value: 2 },
      hints: [
        'The gateway inspector can switch a limit’s algorithm on the running config.',
        'A window takes `limit` and `window` instead of `rate` and `burst`.',
        'In `api`’s "Settings", under `routes`, open `routes[0]` and its `rateLimit`, and switch its `algorithm` from `token-bucket` to `fixed-window`; its fields show below it, `key` `global` kept from the bucket: set `limit` 10 and `window` `1s` (the window applies it). Keep the traffic running: within a few bursts one straddles a second.',
      ],
      solution: [
        { action: 'config', body: sandbox(fixedWindow) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
