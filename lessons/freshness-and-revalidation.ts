import type { Lesson } from './format.ts';

type Validator = 'etag' | 'lastModified';

/**
 * A caching proxy in front of a news service whose articles are fresh for only 2 s; `validator` makes
 * the service send a validator (ETag or Last-Modified) that a stale copy can be checked with.
 */
const sandbox = (validator: Validator | null) => ({
  version: 1 as const,
  name: 'Freshness and revalidation',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'news', label: 'Reverse proxy', cache: {} },
    {
      id: 'news',
      kind: 'service' as const,
      listen: 9001,
      latency: '40ms',
      responseSize: '16kb',
      cache: [{ path: '/articles/*', cacheControl: 'public, max-age=2', etag: validator === 'etag', lastModified: validator === 'lastModified' }],
    },
  ],
  traffic: [{ name: 'readers', to: 'edge', rate: 20, clients: 4, paths: ['/articles/{1..10}'] }],
});

export { sandbox as freshnessSandbox };

export const freshnessAndRevalidation: Lesson = {
  id: 'freshness-and-revalidation',
  title: 'Freshness and revalidation',
  track: 'reverse-proxy',
  summary:
    'A stored answer is fresh only for its max-age. After that the cache must ask again, and with a validator the origin can answer “not modified” in a few bytes instead of the whole body again.',
  startConfig: sandbox(null),
  steps: [
    {
      id: 'stale-means-fetch-again',
      title: 'Stale means fetch it all again',
      body: [
        '`edge` caches, but `news` allows only `max-age=2`: each of its 10 articles (16 KB each) is fresh for 2 seconds. After that the stored copy is **stale**, and a shared cache may not use it without asking the origin.',
        '`news` sends no validator (no `ETag`, no `Last-Modified`), so the cache has nothing to ask with: it fetches the whole article again, a **MISS**, every 2 seconds per article.',
        'Start the traffic. In the cache panel each entry’s freshness drains in 2 s; the trace of a miss says why it went to `news`.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge', metric: 'cache.MISS', op: '>=', value: 30 },
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'With 10 articles fresh for 2 s each, 30 misses take about 6 seconds.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'ask-not-modified',
      title: 'Ask “has it changed?”',
      body: [
        'Give the origin’s answers a validator: `etag: true` on `news`’s cache rule (a tag of the content) or `lastModified: true` (when it last changed). Either one works.',
        'Now a stale copy is **revalidated**: `edge` sends `If-None-Match` (or `If-Modified-Since`) with the stored validator, `news` answers **304 Not Modified** with no body, and `edge` serves its stored 16 KB, fresh for 2 s more: `X-Cache: REVALIDATED`.',
        'The goal counts the 304s `news` sends and the revalidations at `edge`.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'news', metric: 'statusClasses.3xx', op: '>=', value: 15 },
          { type: 'metric', node: 'edge', metric: 'cache.REVALIDATED', op: '>=', value: 15 },
        ],
      },
      hints: [
        'The validator comes from the origin: it is set on the service, in its `cache` rule for `/articles/*`.',
        'Open `news`, its "Settings": in its cache rule, next to `cacheControl`, set `etag` (or `lastModified`) to on; it applies at once. Keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox('etag') },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'clients-revalidate-too',
      title: 'Clients revalidate too',
      body: [
        'A browser keeps its own copy and revalidates it the same way. Make the readers do so: start the traffic with `conditional: true` (each client sends back the `ETag` it last got for an article).',
        'While `edge` holds a fresh copy with that tag, it answers the reader’s `If-None-Match` itself: **304**, no body, and nothing goes to `news`. The traffic panel counts the 304s the readers got.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge', metric: 'statusClasses.3xx', op: '>=', value: 40 },
      hints: [
        'This is a change to the traffic, not to a node.',
        'Start the traffic with `conditional: true` (`POST /api/traffic` with `{"action":"start","conditional":true}`).',
      ],
      solution: [{ action: 'traffic', body: { action: 'start', conditional: true } }],
    },
  ],
};
