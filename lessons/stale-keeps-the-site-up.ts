import type { Lesson } from './format.ts';

/** A caching proxy in front of a home service whose pages are fresh for 2 s, with `cacheControl` as given. */
const sandbox = (cacheControl: string) => ({
  version: 1 as const,
  name: 'Stale answers keep the site up',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'home', label: 'Reverse proxy', cache: {} },
    { id: 'home', kind: 'service' as const, listen: 9001, latency: '30ms', cache: [{ path: '/pages/*', cacheControl }] },
  ],
  traffic: [{ name: 'visitors', to: 'edge', rate: 20, clients: 5, paths: ['/pages/{1..5}'] }],
});

const FRESH_ONLY = 'public, max-age=2';
const STALE_IF_ERROR = 'public, max-age=2, stale-if-error=600';

export { sandbox as staleSandbox };

export const staleKeepsTheSiteUp: Lesson = {
  id: 'stale-keeps-the-site-up',
  title: 'Stale answers keep the site up',
  track: 'reverse-proxy',
  summary:
    'When the origin answers with errors, a cache that may only serve fresh answers passes them on a moment later. stale-if-error (or stale-while-revalidate) lets it keep answering from what it stored.',
  startConfig: sandbox(FRESH_ONLY),
  steps: [
    {
      id: 'origin-down-site-down',
      title: 'Origin failing, site failing',
      body: [
        '`edge` caches `home`’s five pages, each fresh for 2 seconds (`max-age=2`).',
        'Start the traffic, then make `home` fail: an `errors` fault with rate 1 and status 503, so every answer it gives is a 503. For up to 2 seconds `edge` still answers from fresh copies; then each copy goes stale, the cache must ask `home`, `home` answers 503, and visitors get the **503**. The cache did not save the site: a stale copy may not stand in for the origin’s answer without the origin’s permission.',
        '(Were `home` unreachable instead, a `down` fault, the cache would serve its stale copies on its own: RFC 9111 lets a cache that cannot reach the origin do that, and `edge` does, with `staleIfError` on by default. An origin that answers is not unreachable.)',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge', metric: 'statusClasses.5xx', op: '>=', value: 10 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'Right-click `home` and choose an `errors` fault: rate 1, status 503.',
        'Start the traffic and inject an `errors` fault on `home` with rate 1 and status 503.',
      ],
      solution: [
        { action: 'traffic', body: { action: 'start' } },
        { action: 'fault', body: { target: 'home', type: 'errors', rate: 1, status: 503 } },
      ],
    },
    {
      id: 'serve-stale-on-error',
      title: 'Permission to serve stale',
      body: [
        'The permission is the origin’s to give, in its `Cache-Control` (RFC 5861): `stale-if-error=600` lets a cache serve a stale copy for 10 minutes when the origin answers 500, 502, 503 or 504; `stale-while-revalidate=600` lets it answer stale at once while it refreshes in the background, and keep doing so while the refresh fails.',
        'A stored copy carries the headers it was stored with, so the new directive must reach the cache first: clear the fault, add the directive to `home`’s cache rule for `/pages/*`, apply, let every page be fetched once more (2 seconds), then make `home` fail again.',
        'The goal: with `home` answering 503, `edge` answers from stale copies (**STALE** in `X-Cache`, the trace says why).',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'edge', metric: 'cache.STALE', op: '>=', value: 20 },
          { type: 'metric', node: 'home', metric: 'statusClasses.5xx', op: '>=', value: 5 },
        ],
      },
      hints: [
        'The directive goes on the service, `home`: its `cacheControl` for `/pages/*`.',
        'Only copies stored after the change carry it: `home` must answer well for a couple of seconds after you apply.',
        '"Clear all" faults, then in `home`’s "Settings" set the `cacheControl` of its rule for `/pages/*` to `public, max-age=2, stale-if-error=600` (it applies as you leave it), wait 2 seconds, and inject the 503 `errors` fault on `home` again.',
      ],
      solution: [
        { action: 'clearFaults' },
        { action: 'config', body: sandbox(STALE_IF_ERROR) },
        { action: 'traffic', body: { action: 'start' } },
        { action: 'wait', ms: 3000 },
        { action: 'fault', body: { target: 'home', type: 'errors', rate: 1, status: 503 } },
      ],
    },
  ],
};
