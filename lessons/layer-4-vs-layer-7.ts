import type { Lesson } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3'];

/** A gateway in front of a TCP (l4) balancer: the gateway keeps its connections alive. */
const sandbox = (mode: 'l4' | 'l7') => ({
  version: 1 as const,
  name: 'One pick per connection',
  nodes: [
    { id: 'api', kind: 'gateway' as const, listen: 8081, label: 'API gateway', routes: [{ match: { path: '/app/*' }, to: 'lb' }] },
    { id: 'lb', kind: 'balancer' as const, listen: 8082, mode, algorithm: 'round-robin' as const, targets: apps, label: 'Load balancer' },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '40ms' })),
  ],
  traffic: [{ name: 'app', to: 'api', rate: 4, clients: 6, paths: ['/app/{1..50}'] }],
});

export const layer4VsLayer7: Lesson = {
  id: 'layer-4-vs-layer-7',
  title: 'Layer 4 vs layer 7: one pick per connection',
  track: 'load-balancing',
  summary:
    'A TCP balancer picks a server once per connection and never sees a request. Watch keep-alive connections carry all the traffic to one server, then switch the same algorithm to layer 7.',
  startConfig: sandbox('l4'),
  steps: [
    {
      id: 'one-pick-per-connection',
      title: 'Round robin, per connection',
      body: [
        'The balancer `lb` runs in **layer 4** mode (`mode: l4`): it accepts TCP connections, picks a server for each one with round robin, and relays bytes. It never reads a request, so it cannot choose per request.',
        'The gateway `api` in front of it keeps its connections open and reuses them (keep-alive), as every real proxy does.',
        'Start the traffic and watch the box of `lb`: a connection or two, each with one pick, and every request riding them to the same server.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'app-1', metric: 'statusClasses.2xx', op: '>=', value: 20 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'The first connection the gateway opens is picked for app-1; at 4 requests per second one connection carries nearly everything.',
        'Open the inspector of `lb`: its connection table shows how many requests each connection carried.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start', rate: 4 } }],
    },
    {
      id: 'switch-to-layer-7',
      title: 'The same algorithm at layer 7',
      body: [
        'Now change `lb` to `mode: l7`. An HTTP balancer reads each request, so round robin picks per request, whatever connection it came on.',
        'Keep the traffic running and watch every server get its third.',
      ].join('\n\n'),
      goal: { type: 'each', nodes: apps, metric: 'statusClasses.2xx', op: '>=', value: 10 },
      hints: [
        'Open `lb`, its "Settings", and set its `mode` from `l4` to `l7`: it applies at once.',
        'With a higher rate the goal comes sooner: each server gets every third request.',
      ],
      solution: [
        { action: 'config', body: sandbox('l7') },
        { action: 'traffic', body: { action: 'start', rate: 20 } },
      ],
    },
  ],
};
