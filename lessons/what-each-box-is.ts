import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Lesson } from './format.ts';

const SHOP_PATHS = ['/shop/{1..20}'];
const BOTH_PATHS = [...SHOP_PATHS, '/reports/{1..5}'];

/**
 * The whole edge in five kinds of box: the clients send to the reverse proxy `edge`, which sends
 * everything to the gateway `api`; `api` routes `/shop/*` to the balancer `lb` (two copies of the shop)
 * and `/reports/*` to the `reports` service. Slow enough traffic that a learner can follow the dots.
 */
export const boxesSandbox = (paths: string[]): EdgeConfigInput => ({
  version: 1,
  name: 'What each box is',
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'api', label: 'Reverse proxy' },
    {
      id: 'api',
      kind: 'gateway',
      listen: 8081,
      label: 'API gateway',
      routes: [
        { match: { path: '/shop/*' }, to: 'lb' },
        { match: { path: '/reports/*' }, to: 'reports' },
      ],
    },
    { id: 'lb', kind: 'balancer', listen: 8082, label: 'Load balancer', targets: ['app-1', 'app-2'] },
    { id: 'app-1', kind: 'service', listen: 9001, latency: '30ms' },
    { id: 'app-2', kind: 'service', listen: 9002, latency: '30ms' },
    { id: 'reports', kind: 'service', listen: 9003, latency: '60ms' },
  ],
  traffic: [{ name: 'shoppers', to: 'edge', rate: 8, clients: 4, paths }],
});

export const whatEachBoxIs: Lesson = {
  id: 'what-each-box-is',
  title: 'What each box is',
  track: 'fundamentals',
  summary:
    'A client, a reverse proxy, an API gateway, a load balancer and services: send requests through them, make the gateway choose another path, then break one box and see where the errors start.',
  startConfig: boxesSandbox(SHOP_PATHS),
  steps: [
    {
      id: 'follow-one-request',
      title: 'Follow a request through every box',
      body: [
        'Every box on the diagram is a real HTTP server. A request from the clients goes to the **reverse proxy** `edge`, the one address the world knows. `edge` passes it to the **API gateway** `api`, which reads its path and picks where it goes: `/shop/...` to the **load balancer** `lb`. `lb` spreads requests over two copies of the shop, `app-1` and `app-2`, the **services** that do the work and answer. The answer goes back the same way.',
        'Start the traffic (8 requests a second) and follow a dot from the clients to a service and back. Click a request in the event log to see its trace: one line per box it passed, with what each box decided.',
        'Goal: every box on the way has counted at least 30 requests, and each copy of the shop has answered at least 10 of them (the balancer uses both).',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'each', nodes: ['edge', 'api', 'lb'], metric: 'requests', op: '>=', value: 30 },
          { type: 'each', nodes: ['app-1', 'app-2'], metric: 'statusClasses.2xx', op: '>=', value: 10 },
        ],
      },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'Each box’s badge counts the requests it handled. `edge`, `api` and `lb` see every request; `app-1` and `app-2` see about half each.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'another-path',
      title: 'The gateway picks the way',
      body: [
        'The gateway `api` has two routes: `/shop/*` goes to `lb`, `/reports/*` goes to the `reports` service. The shoppers only ask for `/shop/...`, so `reports` has never seen a request.',
        'Send some requests down the other path: open the "Clients" box and give the flow `shoppers` a second path, `/reports/{1..5}`, beside `/shop/{1..20}`. The proxy and the gateway are the same for both; only the gateway’s route decides where a request ends.',
        'Goal: `reports` answers at least 20 requests, and `lb` still gets the shop’s (at least 20), counted from the change.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'reports', metric: 'statusClasses.2xx', op: '>=', value: 20 },
          { type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 20 },
        ],
      },
      hints: [
        'Click the "Clients" box: its inspector lists the config’s `traffic`, and under `traffic[0]` the flow `shoppers` lists its `paths`.',
        'A path template `/reports/{1..5}` makes five paths, `/reports/1` to `/reports/5`; the clients pick among all the paths listed.',
        'Open `paths` of the flow `shoppers` (under `traffic[0]`), press "Add to paths", type `/reports/{1..5}` and press Enter: it applies at once.',
      ],
      solution: [
        { action: 'config', body: boxesSandbox(BOTH_PATHS) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'break-one-hop',
      title: 'Break one box, and find where the errors start',
      body: [
        'Now take the balancer away: inject a **down** fault on `lb`. Its listener closes, so every connection to it is refused.',
        'Who answers the shoppers then? Not `lb`: it is gone. The box in front of it, `api`, cannot connect and answers **502** itself, with the code `EDGE_UPSTREAM_REFUSED` that names what went wrong; `edge` passes that 502 back to the clients. The errors start at the hop *before* the broken one. And the `/reports/...` requests never touch `lb`: they keep working.',
        'Goal: `api` has answered `EDGE_UPSTREAM_REFUSED` at least 10 times, `edge` has passed at least 10 errors (5xx) back, and `reports` has answered at least 10 requests meanwhile.',
      ].join('\n\n'),
      goal: {
        all: [
          { type: 'metric', node: 'api', metric: 'errorCodes.EDGE_UPSTREAM_REFUSED', op: '>=', value: 10 },
          { type: 'metric', node: 'edge', metric: 'statusClasses.5xx', op: '>=', value: 10 },
          { type: 'metric', node: 'reports', metric: 'statusClasses.2xx', op: '>=', value: 10 },
        ],
      },
      hints: [
        'Open the fault form, pick the target `lb` and the type `down`, and press "Inject down".',
        'Open the inspector of `api`: its error codes show who could not reach whom. `lb` itself counts nothing while it is down.',
      ],
      solution: [{ action: 'fault', body: { target: 'lb', type: 'down' } }],
    },
  ],
};
