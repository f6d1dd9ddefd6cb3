import type { z } from 'zod';
import type { CacheSchema } from '../engine/src/config/proxy/cache.ts';
import type { Lesson } from './format.ts';
import { hitRatio, reachedService } from './proxy-goals.ts';

/**
 * A proxy in front of a product catalogue whose answers may be stored for a minute; shoppers ask for
 * products by popularity (Zipf: a few hot, a long tail). `cache` is the proxy's cache, or null for none.
 */
const sandbox = (cache: z.input<typeof CacheSchema> | null) => ({
  version: 1 as const,
  name: 'Cache the hot path',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'catalog', label: 'Reverse proxy', ...(cache && { cache }) },
    {
      id: 'catalog',
      kind: 'service' as const,
      listen: 9001,
      latency: '60ms',
      cache: [{ path: '/products/*', cacheControl: 'public, max-age=60', etag: true }],
    },
  ],
  traffic: [
    {
      name: 'shoppers',
      to: 'edge',
      rate: 30,
      clients: 6,
      paths: ['/products/{key}'],
      keys: { count: 200, distribution: 'zipf' as const, s: 1.1 },
    },
  ],
});

export { sandbox as hotPathSandbox };

export const cacheTheHotPath: Lesson = {
  id: 'cache-the-hot-path',
  title: 'Cache the hot path',
  track: 'reverse-proxy',
  summary:
    'A few products take most of the traffic. A cache at the reverse proxy answers them itself: the service’s load falls, and the hit ratio rises as the popular answers are stored.',
  startConfig: sandbox(null),
  steps: [
    {
      id: 'every-request-reaches-the-origin',
      title: 'Every request reaches the origin',
      body: [
        'Shoppers ask `edge` for `/products/{key}`, 30 times a second. Which product is drawn by popularity (Zipf’s law): product 1 most often, then 2, and a long tail of 200. Real traffic looks like this.',
        '`catalog` already says its answers may be kept: `Cache-Control: public, max-age=60` and an `ETag`. But `edge` has no cache, so it forwards every request, even the hundredth for product 1 in a minute, and `catalog` works for each.',
        'Start the traffic and watch every dot travel all the way to `catalog`. The goal counts the share of `edge`’s requests that reach it.',
      ].join('\n\n'),
      goal: reachedService('edge', 'catalog', '>=', 0.95, 60),
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'Two seconds of traffic is enough: every request reaches `catalog`.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'turn-on-the-cache',
      title: 'Turn on the cache',
      body: [
        'Give `edge` a cache: `cache: {}` (64 MB, keyed by method, host, path and query; the proxy inspector’s cache switch does the same).',
        'The first request for a product is a **MISS**: it goes to `catalog`, and the answer is stored. Every request for it in the next 60 s is a **HIT**: `edge` answers from its store, the dot turns back at the proxy, and `catalog` never sees it. The response says so in `X-Cache` and `Cache-Status`, and so does the trace.',
        'The goal: at least half of the lookups are hits, and at most half of the requests reach `catalog`. The popular products are stored first, so the hit ratio climbs quickly and keeps climbing as the tail fills in.',
      ].join('\n\n'),
      goal: {
        all: [hitRatio('edge', '>=', 0.5, 150), reachedService('edge', 'catalog', '<=', 0.5, 150)],
      },
      hints: [
        'A cache belongs to the reverse proxy, `edge`, not to the service.',
        'The defaults are fine: any `cache:` on `edge` stores what `catalog` allows.',
        'Open `edge`, its "Settings", and press "Set cache" (or switch its cache on in the proxy inspector): it applies at once. Keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox({}) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
