import type { FilterConfig } from '../engine/src/config/proxy/filter.ts';
import type { Lesson } from './format.ts';
import { reachedService } from './proxy-goals.ts';

type Filter = Pick<FilterConfig, 'allow' | 'deny'>;

/**
 * A proxy in front of a shop; customers send from 127.0.x.1 (the first flow's addresses), a scanner from
 * 127.1.x.1 (the second flow's). `filter` is the proxy's address filter.
 */
const sandbox = (filter: Filter | null) => ({
  version: 1 as const,
  name: 'Filter a range at the edge',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8080, to: 'shop', label: 'Reverse proxy', ...(filter && { filter }) },
    { id: 'shop', kind: 'service' as const, listen: 9001, latency: '20ms' },
  ],
  traffic: [
    { name: 'customers', to: 'edge', rate: 5, clients: 4, paths: ['/products/{1..50}'] },
    { name: 'scanner', to: 'edge', rate: 20, clients: 3, paths: ['/products/{1..50}', '/admin', '/.env', '/wp-login.php'] },
  ],
});

export { sandbox as filterSandbox };

export const filterTheRange: Lesson = {
  id: 'filter-the-range',
  title: 'Filter a range at the edge',
  track: 'reverse-proxy',
  summary:
    'A reverse proxy protects what is behind it: refuse a whole address range at the edge, and not one of its requests reaches a service.',
  startConfig: sandbox(null),
  steps: [
    {
      id: 'who-is-knocking',
      title: 'Who is knocking?',
      body: [
        'Two flows call `edge`. Four **customers** browse products from `127.0.1.1` to `127.0.4.1`. A **scanner** probes `/admin`, `/.env` and `/wp-login.php` from three addresses of its own, `127.1.1.1` to `127.1.3.1`, four times as fast.',
        '`edge` filters nothing, so `shop` answers all of it. Start the traffic, and open a request’s trace: `request.received` at `edge` names the client’s address.',
      ].join('\n\n'),
      goal: reachedService('edge', 'shop', '>=', 0.95, 60),
      hints: ['Traffic is stopped: press "Resume traffic" at the top.', 'Both flows start together; a few seconds is enough.'],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'deny-the-range',
      title: 'Deny the range',
      body: [
        'Refuse the scanner’s whole range at the edge with the proxy’s filter: `filter: { deny: [127.1.0.0/16] }`. Or turn it around and let only the customers’ range in: `filter: { allow: [127.0.0.0/16] }`.',
        'A refused request bounces at `edge` with **403** `EDGE_FILTER_ADDRESS_DENIED` (the trace’s `filter` step names the rule) and is never forwarded. Blocking one address would not do: the scanner has three.',
        'The goal: the scanner is refused, the customers still get through, and at most 30% of `edge`’s requests reach `shop` (the customers send a fifth of them).',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'edge', metric: 'errorCodes.EDGE_FILTER_ADDRESS_DENIED', op: '>=', value: 40 },
          { type: 'metric', node: 'shop', metric: 'statusClasses.2xx', op: '>=', value: 15 },
          reachedService('edge', 'shop', '<=', 0.3, 100),
        ],
      },
      hints: [
        'The filter is a field of the proxy, `edge`; a range is written in CIDR: `127.1.0.0/16` is every `127.1.x.y`.',
        'Every scanner address starts with `127.1.`; every customer address with `127.0.`.',
        'Open `edge`, its "Settings": "Set filter", then "Add to deny" and type `127.1.0.0/16` (Enter applies it). Keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox({ deny: ['127.1.0.0/16'] }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
