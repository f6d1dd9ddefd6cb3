import type { z } from 'zod';
import type { CacheSchema } from '../engine/src/config/proxy/cache.ts';
import type { Lesson } from './format.ts';
import { reachedService } from './proxy-goals.ts';

/**
 * One hot, slow dashboard behind a caching proxy: fresh for 2 s, 800 ms to make. `lock` is the proxy
 * cache's request collapsing (nginx proxy_cache_lock): off, every miss goes to the origin; left out, on.
 */
const sandbox = (lock: z.input<typeof CacheSchema>['lock']) => ({
  version: 1 as const,
  name: 'The thundering herd',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'reports', label: 'Reverse proxy', cache: lock === undefined ? {} : { lock } },
    {
      id: 'reports',
      kind: 'service' as const,
      listen: 9001,
      latency: '800ms',
      label: 'reports (slow)',
      cache: [{ path: '/dashboard', cacheControl: 'public, max-age=2' }],
    },
  ],
  traffic: [{ name: 'dashboards', to: 'edge', rate: 40, clients: 10, paths: ['/dashboard'] }],
});

export { sandbox as herdSandbox };

export const thunderingHerd: Lesson = {
  id: 'thundering-herd',
  title: 'The thundering herd',
  track: 'reverse-proxy',
  summary:
    'When a hot entry expires, every request that arrives before the new answer is a miss, and they all stampede to the origin. Collapsing them into one upstream request makes it one per expiry.',
  startConfig: sandbox(false),
  steps: [
    {
      id: 'the-stampede',
      title: 'The stampede',
      body: [
        'Everyone watches `/dashboard`: 40 requests a second, one URL. `edge` caches it for 2 s, and `reports` takes 800 ms to build it.',
        'Its cache has `lock: false`: when the entry expires, each request that arrives during the 800 ms rebuild finds no fresh copy and goes to `reports` itself. About 32 identical requests per expiry, all doing the same slow work.',
        'Start the traffic and watch the herd of dots run to `reports` every few seconds.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'reports', metric: 'requests', op: '>=', value: 50 },
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'Each herd is about 30 requests; two expiries are enough.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'one-request-per-expiry',
      title: 'One request per expiry',
      body: [
        'Turn collapsing on: `lock: true` on `edge`’s cache (the default, so removing `lock: false` does it too; `lock: { timeout: 2s }` also bounds how long a request waits).',
        'Now the first miss for the key goes to `reports`; the others that arrive meanwhile wait for its answer and are served from it: **COLLAPSED**. One upstream request per expiry, however many are waiting.',
        'The goal: requests are collapsed, and at most one in ten of `edge`’s requests reaches `reports`. A lock timeout shorter than the 800 ms rebuild would send the waiters upstream anyway.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'edge', metric: 'cache.COLLAPSED', op: '>=', value: 40 },
          reachedService('edge', 'reports', '<=', 0.1, 120),
        ],
      },
      hints: [
        'The setting is on `edge`’s cache, and its name comes from nginx’s `proxy_cache_lock`.',
        'Open `edge`, its "Settings": under `cache`, set `lock` to on (it applies at once), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox(true) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
