import type { Lesson } from './format.ts';

const apps = ['app-1', 'app-2'];

/**
 * The site's one reverse proxy `edge-a` in front of a balancer; with `pair`, a second proxy `edge-b`
 * beside it and a failover list on the traffic, as clients given two addresses (two A records, or a
 * virtual IP that moves) behave.
 */
const sandbox = (pair: boolean) => ({
  version: 1 as const,
  name: 'A redundant pair',
  nodes: [
    { id: 'edge-a', kind: 'proxy' as const, listen: 8080, to: 'lb', label: 'Reverse proxy A' },
    ...(pair ? [{ id: 'edge-b', kind: 'proxy' as const, listen: 8090, to: 'lb', label: 'Reverse proxy B' }] : []),
    { id: 'lb', kind: 'balancer' as const, listen: 8082, label: 'Load balancer', targets: apps },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '20ms' })),
  ],
  traffic: [{ name: 'site', to: 'edge-a', ...(pair ? { failover: ['edge-b'] } : {}), rate: 25, clients: 8, paths: ['/pages/{1..50}'] }],
});

export const redundantPair: Lesson = {
  id: 'redundant-pair',
  track: 'weak-points',
  title: 'The proxy as a single point of failure',
  summary:
    'One reverse proxy is one door: when it dies, the whole site is gone, however many servers stand behind it. Add a second proxy and let the clients fail over between them.',
  startConfig: sandbox(false),
  steps: [
    {
      id: 'kill-the-only-door',
      title: 'Kill the only door',
      body: [
        'Every client of the site knows one address: `edge-a`. Behind it, `lb` balances two servers, so losing a server would not matter.',
        'Start the traffic, then inject a **down** fault on `edge-a`: its listener closes, and every connection to it is refused. Watch the dots stop at the client: nothing reaches `lb`, and no node can even count what was lost. Only the clients can: the goal reads what they saw.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge-a', metric: 'clients.lost', op: '>=', value: 20 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'Open the faults panel, choose the target `edge-a` and the type `down`, and inject it.',
      ],
      solution: [
        { action: 'traffic', body: { action: 'start', rate: 25 } },
        { action: 'fault', body: { target: 'edge-a', type: 'down' } },
      ],
    },
    {
      id: 'a-second-door',
      title: 'A second door, and clients that use it',
      body: [
        'Keep `edge-a` down. Add a second proxy `edge-b` with the same upstream (`to: lb`), and give the traffic flow the second address: `failover: [edge-b]`.',
        'A client now sends to `edge-a`; when the connection is refused, reset or times out, it retries that request once at `edge-b` and keeps using `edge-b`. Every 10 seconds one request tries `edge-a` again (`failback`), so the site goes back to it once it is up.',
        'The goal: with `edge-a` still down, at least 99% of the clients’ requests answered with 2xx, over at least 200 requests.',
      ].join('\n\n'),
      goal: {
        all: [
          {
            type: 'ratio',
            label: 'the 2xx share of the clients sent to edge-a',
            counted: 'client requests',
            part: { node: 'edge-a', metrics: ['clients.2xx'] },
            whole: { node: 'edge-a', metrics: ['clients.requests'] },
            atLeast: 200,
            op: '>=',
            value: 0.99,
          },
          // edge-a stays down: a site that works only because edge-a came back has not lost its single point of failure.
          { type: 'metric', node: 'edge-a', metric: 'requests', op: '==', value: 0 },
        ],
      },
      hints: [
        'Leave the fault on `edge-a`: clearing it brings the site back, but the next crash would take it down again.',
        'Press "Build" above the diagram, then "+ Reverse proxy", and click `lb`: a second proxy in front of the same balancer (F2 renames it `edge-b` if you like). Press "Done building".',
        'Then give the clients the second address: in the traffic panel, on the flow `site`, tick the new proxy under "Failover" and press "Apply failover" (the same as `failover: [edge-b]` on the flow in the "Clients" box’s settings).',
      ],
      solution: [
        { action: 'config', body: sandbox(true) },
        { action: 'traffic', body: { action: 'start', rate: 25 } },
      ],
    },
  ],
};
