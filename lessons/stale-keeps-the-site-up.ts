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
    'When the origin goes down, a cache that may only serve fresh answers goes down with it a moment later. stale-if-error (or stale-while-revalidate) lets it keep answering from what it stored.',
  startConfig: sandbox(FRESH_ONLY),
  steps: [
    {
      id: 'origin-down-site-down',
      title: 'Origin down, site down',
      body: [
        '`edge` caches `home`’s five pages, each fresh for 2 seconds (`max-age=2`).',
        'Start the traffic, then stop `home`. For up to 2 seconds `edge` still answers from fresh copies; then each copy goes stale, the cache must ask `home`, the connection is refused, and visitors get **502**. The cache did not save the site: a stale copy may not be served without the origin’s permission.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge', metric: 'statusClasses.5xx', op: '>=', value: 10 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'The "Stop home" button above the topology injects a `down` fault.',
        'Start the traffic and inject a `down` fault on `home`.',
      ],
      solution: [
        { action: 'traffic', body: { action: 'start' } },
        { action: 'fault', body: { target: 'home', type: 'down' } },
      ],
    },
    {
      id: 'serve-stale-on-error',
      title: 'Permission to serve stale',
      body: [
        'The permission is the origin’s to give, in its `Cache-Control` (RFC 5861): `stale-if-error=600` lets a cache serve a stale copy for 10 minutes when the origin fails; `stale-while-revalidate=600` lets it answer stale at once while it refreshes in the background, and keep doing so while the refresh fails.',
        'A stored copy carries the headers it was stored with, so the new directive must reach the cache first: start `home` again, add the directive to its cache rule for `/pages/*`, apply, let every page be fetched once more (2 seconds), then stop `home` again.',
        'The goal: with `home` down, `edge` answers from stale copies (**STALE** in `X-Cache`, the trace says why).',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'edge', metric: 'cache.STALE', op: '>=', value: 20 },
          { type: 'metric', node: 'home', metric: 'ratePerSecond', op: '==', value: 0 },
        ],
      },
      hints: [
        'The directive goes on the service, `home`: its `cacheControl` for `/pages/*`.',
        'Only copies stored after the change carry it: `home` must be up for a couple of seconds after you apply.',
        'Start `home`, set its `cacheControl` to `public, max-age=2, stale-if-error=600`, apply, wait 2 seconds, and stop `home` again.',
      ],
      solution: [
        { action: 'clearFaults' },
        { action: 'config', body: sandbox(STALE_IF_ERROR) },
        { action: 'traffic', body: { action: 'start' } },
        { action: 'wait', ms: 3000 },
        { action: 'fault', body: { target: 'home', type: 'down' } },
      ],
    },
  ],
};
