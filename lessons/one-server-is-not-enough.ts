import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Lesson } from './format.ts';

/** An app that handles 4 requests at once, 100 ms each: 40 requests per second at most, and no queue. */
const app = (id: string, listen: number) =>
  ({ id, kind: 'service', listen, latency: '100ms', capacity: { concurrency: 4 } }) as const;

const traffic: EdgeConfigInput['traffic'] = [{ name: 'shop', to: 'edge', rate: 60, clients: 10, paths: ['/products/{1..50}'] }];

/** The start: `edge` in front of one `app`, which 60 requests per second overload. */
export const oneServerSandbox: EdgeConfigInput = {
  version: 1,
  name: 'One server is not enough',
  nodes: [{ id: 'edge', kind: 'proxy', listen: 8080, to: 'app', label: 'Reverse proxy' }, app('app', 9001)],
  traffic,
};

/** The fix: `edge` sends to a balancer over `copies` copies of the app (the original among them). */
export const scaledOutSandbox = (copies: number): EdgeConfigInput => {
  const ids = ['app', ...Array.from({ length: copies - 1 }, (_, i) => `app-${i + 2}`)];
  return {
    version: 1,
    name: 'One server is not enough',
    nodes: [
      { id: 'edge', kind: 'proxy', listen: 8080, to: 'lb', label: 'Reverse proxy' },
      { id: 'lb', kind: 'balancer', listen: 8082, algorithm: 'round-robin', targets: ids, label: 'Load balancer' },
      ...ids.map((id, i) => app(id, 9001 + i)),
    ],
    traffic,
  };
};

/** "Error rate under 1% over the last 200 requests", at the door the customers use. */
export const edgeErrorRate = errorRateUnder('edge', 0.01, { requests: 200 }, 200);

export const oneServerIsNotEnough: Lesson = {
  id: 'one-server-is-not-enough',
  title: 'One server is not enough',
  track: 'load-balancing',
  summary: 'A single app is at capacity and turns customers away with 503s. Put a balancer in front of more copies of it until the error rate is under 1%.',
  startConfig: oneServerSandbox,
  steps: [
    {
      id: 'scale-out',
      title: 'Add a balancer and more servers',
      body: [
        'The reverse proxy `edge` sends every request to one server, `app`. It handles **4 requests at once**, 100 ms each: at most 40 a second. The shop sends 60.',
        'Start the traffic: a third of the requests find `app` full and get **503** (`SERVICE_OVERLOADED`), and `edge` passes them on to the customers.',
        'A faster machine has limits too. Run more copies of `app` and put a **load balancer** in front of them. Goal: `edge`’s error rate under **1%** over the last 200 requests.',
      ].join('\n\n'),
      goal: edgeErrorRate,
      hints: [
        'Press "Resume traffic" and open the inspector of `app`: how many requests are in flight, against its capacity?',
        'Each copy adds 40 requests per second. Two copies are just enough on paper; three leave room for bursts.',
        'On the diagram: press "Build" above the diagram; "+ Service" adds a copy of a shop server; "+ Load balancer" asks for the box it forwards to (click `app`); to link two boxes, focus the first, press the L key and press Enter on the second. Link `edge` to the new balancer (it takes the place of `edge`’s upstream) and the balancer to each new service, then press "Done building".',
      ],
      solution: [
        { action: 'config', body: scaledOutSandbox(3) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
