import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Goal, Lesson, ScenarioLine } from './format.ts';

/** What a build may set on its balancer besides its targets. */
type BalancerFields = Omit<Extract<EdgeConfigInput['nodes'][number], { kind: 'balancer' }>, 'id' | 'kind' | 'targets'>;

/** What one server of the shop can do: 3 requests at once and 20 waiting. */
const shopCapacity = { concurrency: 3, queue: 20 } as const;

/** One copy of the shop: 40 ms a request, 3 at once and 20 waiting, so at most 75 a second. */
const shop = (id: string, listen: number) => ({ id, kind: 'service', listen, latency: '40ms', capacity: shopCapacity }) as const;

const traffic: EdgeConfigInput['traffic'] = [{ name: 'shoppers', to: 'edge', rate: 60, clients: 10, paths: ['/items/{1..50}'] }];

/** `app-1`'s bad disk: one answer in five is a 503, from the first request on, in every config that keeps `app-1`. */
const badDisk: [ScenarioLine] = [{ at: '0s', target: 'app-1', type: 'errors', rate: 0.2, status: 503 }];

/** The bare sandbox: `edge` in front of the one server, `app-1`, which has a bad disk and is near its capacity. */
export const bareSandbox: EdgeConfigInput = {
  version: 1,
  name: 'Build to an SLO',
  nodes: [{ id: 'edge', kind: 'proxy', listen: 8080, to: 'app-1', label: 'Reverse proxy' }, shop('app-1', 9001)],
  traffic,
  scenario: badDisk,
};

/**
 * A build: `edge` in front of a balancer `lb` over `targets` (copies of the shop `app-1` to `app-3`, all
 * run), with `lb`'s own fields (an algorithm, retries, outlier detection...). The reference is all three
 * with retries; others are judged in capstone-lessons.test.ts.
 */
export const balancedBuild = (targets: [string, ...string[]], lb: BalancerFields = {}): EdgeConfigInput => ({
  version: 1,
  name: 'Build to an SLO',
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'lb', label: 'Reverse proxy' },
    { id: 'lb', kind: 'balancer', listen: 8082, label: 'Load balancer', targets, ...lb },
    shop('app-1', 9001),
    shop('app-2', 9002),
    shop('app-3', 9003),
  ],
  traffic,
  scenario: badDisk,
});

/**
 * The SLO at the door, held for 8 s on end: `edge`'s p99 over its last 5 s under 250 ms, and its error
 * rate over the last 3 s under 1%. Guards keep the problem as the lesson set it: `app-1`'s bad disk still
 * active as the scenario started it and still scripted as it was (not cleared, replaced by an injected
 * fault, deleted or softened), and `app-1` no bigger than it
 * was, so the SLO is met by building the edge, not by a better server (capstone-lessons.test.ts).
 */
export const sloGoal: Goal = {
  all: [
    {
      hold: {
        all: [{ type: 'latency', node: 'edge', stat: 'p99', op: '<', value: 250 }, errorRateUnder('edge', 0.01, { seconds: 3 }, 100)],
      },
      seconds: 8,
    },
    {
      keep: { type: 'metric', node: 'app-1', metric: 'scenarioFaults', op: '>=', value: 1 },
      rule: 'app-1’s bad disk must still be failing: clearing its fault removes the problem instead of building around it (a fault injected in its place is not it)',
    },
    {
      keep: { type: 'config', scenario: badDisk },
      rule: 'app-1’s bad disk must stay in the scenario as the lesson scripted it (one answer in five a 503): a softer disk is not the SLO met',
    },
    {
      keep: { type: 'config', node: 'app-1', capacity: shopCapacity },
      rule: 'app-1’s capacity must stay as the lesson set it (3 at once, 20 waiting): the SLO is to be met by building the edge, not by a bigger server',
    },
  ],
};

export const buildToSlo: Lesson = {
  id: 'build-to-slo',
  title: 'Build the edge to an SLO',
  track: 'capstones',
  summary:
    'One server with a bad disk, near its capacity, straight behind the proxy. Build the edge from parts until the door meets its SLO: p99 under 250 ms and under 1% errors, held for 8 s, with the bad disk still there.',
  startConfig: bareSandbox,
  steps: [
    {
      id: 'meet-the-slo',
      title: 'Meet the SLO at the door',
      body: [
        'The shop runs on one server, `app-1`, straight behind the reverse proxy `edge`. The shoppers send 60 requests a second; `app-1` does 40 ms each, 3 at once, so about 75 a second at most: the queue is never far. Worse, `app-1` has a **bad disk**: one answer in five is a 503 (an `errors` fault in the config’s `scenario`, there from the first request). Nobody can repair it today.',
        'The SLO the shop promised, read at `edge`: **p99 under 250 ms** and **error rate under 1%** over the last 3 s, both held for **8 s** on end, with the bad disk still there.',
        'House rules: the bad disk stays as it is (no clearing its fault, no editing its `scenario` line), and `app-1` stays the size it is (its `capacity`, 3 at once and 20 waiting): a bigger server is not an edge you built.',
        'Build it from the parts you know: copies of the server (another `kind: service` like `app-1`, on its own port), a load balancer in front of them, and what a balancer does about a server that fails (`retries`, `outlierDetection`, or leaving it out of the `targets`). A cache in front may help too. More than one build meets the SLO; choose yours.',
      ].join('\n\n'),
      goal: sloGoal,
      hints: [
        'Press "Resume traffic" and open the inspector of `edge`: its error rate shows the bad disk, its p99 how long the queue at `app-1` makes people wait.',
        'Copies first, on the diagram: press "Build" above the diagram; "+ Service" adds a copy of a shop server; "+ Load balancer" asks for the box it forwards to (click `app-1`); to link two boxes, focus the first, press the L key and press Enter on the second. Link `edge` to the new balancer (it takes the place of `edge`’s upstream) and the balancer to each new service, then press "Done building". Round robin alone still sends `app-1` a third of the requests, and a fifth of those fail.',
        'Then deal with the bad disk, in the new balancer’s "Settings": "Set retries" with `tries` 2 sends a failed request again to another server; or "Remove" `app-1` from its `targets` (two copies carry 60 a second with room to spare).',
      ],
      solution: [
        { action: 'config', body: balancedBuild(['app-1', 'app-2', 'app-3'], { retries: { tries: 2 } }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
