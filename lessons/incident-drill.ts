import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { errorRateUnder } from './error-rate.ts';
import type { Goal, Lesson, ScenarioLine } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3', 'app-4'];

/** What a drill's balancer may set besides its targets: its resilience. */
type Resilience = Omit<Extract<EdgeConfigInput['nodes'][number], { kind: 'balancer' }>, 'id' | 'kind' | 'targets'>;

/**
 * The incident, on a timeline from when a config is applied (every config replays it from 0 s): `app-1`
 * crashes at 2 s and is back at 8 s; at 5 s a bad deploy makes `app-2` answer every request with 503,
 * and it stays; from 10 s `app-3` flaps, down 1 s in every 4, for good. Never more than two of the four
 * are failing at once, so two healthy servers can always carry the traffic.
 */
const incident: [ScenarioLine, ...ScenarioLine[]] = [
  { at: '2s', for: '6s', target: 'app-1', type: 'down' },
  { at: '5s', target: 'app-2', type: 'errors', rate: 1, status: 503 },
  { at: '10s', target: 'app-3', type: 'flap', period: '4s', downFor: '1s' },
];

/** `edge` in front of `lb` over four copies of the shop (4 at once, 30 ms each); `resilience` goes on `lb`. */
export const drillSandbox = (resilience: Resilience = {}): EdgeConfigInput => ({
  version: 1,
  name: 'Incident drill',
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'lb', label: 'Reverse proxy' },
    { id: 'lb', kind: 'balancer', listen: 8082, label: 'Load balancer', algorithm: 'round-robin', targets: apps, ...resilience },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '30ms', capacity: { concurrency: 4, queue: 8 } })),
  ],
  traffic: [{ name: 'shoppers', to: 'edge', rate: 60, clients: 10, paths: ['/items/{1..50}'] }],
  scenario: incident,
});

/** The servers whose scripted fault lasts to the end (no `for`): theirs must still be active while the goal is judged. */
const lastingFaults = incident.filter((line) => line.for === undefined).map((line) => line.target) as [string, ...string[]];

/**
 * The SLO through the incident: `edge`'s error rate over the last 12 s (the crash, the bad deploy and
 * the flapping in one window, once it is full) under 1%, with the incident still as scripted. Two guards,
 * both read from `incident` itself so they cannot drift from it: every line of it is still in the running
 * scenario (deleting or softening one, the crash that is over by 8 s included, is caught), and the faults
 * that last to the end are still active as the scenario started them ("Clear all" ends the incident, and a
 * fault injected in the place of one is not it: a drill that passes because the incident stopped has
 * drilled nothing). One mechanism is not enough
 * (capstone-lessons.test.ts): health checks alone let each flap's first second fail, retries alone run
 * out of budget against a server that fails every request.
 */
export const drillGoal: Goal = {
  all: [
    errorRateUnder('edge', 0.01, { seconds: 12 }, 300),
    {
      keep: { type: 'config', scenario: incident },
      rule: 'the incident must stay in the scenario as scripted, every line of it: a drill without one of its faults drills less',
    },
    {
      keep: { type: 'each', nodes: lastingFaults, metric: 'scenarioFaults', op: '>=', value: 1 },
      rule: 'the bad deploy and the flapping must still be playing: “Clear all” ends the incident instead of surviving it',
    },
  ],
};

export const incidentDrill: Lesson = {
  id: 'incident-drill',
  title: 'Incident drill',
  track: 'capstones',
  summary:
    'A scripted incident plays on four servers: a crash, a bad deploy, a flapping network. Watch it break the SLO, then make the balancer resilient enough that the shoppers see under 1% errors while it plays again.',
  startConfig: drillSandbox(),
  steps: [
    {
      id: 'watch-the-incident',
      title: 'Watch the incident',
      body: [
        'Four copies of the shop stand behind `lb`, round robin, nothing else. The config’s `scenario` scripts an incident, replayed from 0 s each time a config is applied: `app-1` **crashes** at 2 s and comes back at 8 s; at 5 s a **bad deploy** makes `app-2` answer every request with 503, and it stays; from 10 s `app-3` **flaps**, down for 1 s in every 4.',
        'Start the traffic and watch the errors climb at `edge`. The event log shows each fault as the scenario starts it, and each one that ends.',
        'Goal: see the SLO break: at least 30 errors (5xx) reach the shoppers through `edge`.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'edge', metric: 'statusClasses.5xx', op: '>=', value: 30 },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top.',
        'Open the inspector of `lb`: its error codes say which kind of failure each server gave it.',
      ],
      solution: [{ action: 'traffic', body: { action: 'start' } }],
    },
    {
      id: 'keep-the-slo',
      title: 'Keep the SLO through it',
      body: [
        'Drill rule: you may not stop the incident ("Clear all" ends it, and the goal does not count a drill without one). You may change `lb`: applying its config replays the incident from 0 s, against your changes.',
        'Each failure needs its answer. A crashed or flapping server refuses connections; a bad deploy answers fast and wrong. **Health checks** (`healthCheck`) take a server out after a few failed probes, but the requests in between still fail. **Retries** (`retries`) send a failed request again to another server, within a budget. **Outlier detection** (`outlierDetection`) ejects a server that keeps failing live requests.',
        'Goal: `edge`’s error rate under **1%** over the last 12 s, with the bad deploy and the flapping still playing.',
      ].join('\n\n'),
      goal: drillGoal,
      hints: [
        'Try one mechanism first and watch what still gets through: which failure does it miss?',
        'Health checks alone: every flap fails requests until the checks notice. Retries alone: a server that fails every request uses up the retry budget. Together they cover each other.',
        'Open `lb`, its "Settings": "Set healthCheck" with `interval` `500ms`, `timeout` `250ms`, `fall` 2 and `rise` 2, and "Set retries" with `tries` 3 (or "Set outlierDetection" with the retries). Each field applies as you leave it and replays the incident.',
      ],
      solution: [
        {
          action: 'config',
          body: drillSandbox({ healthCheck: { interval: '500ms', timeout: '250ms', fall: 2, rise: 2 }, retries: { tries: 3 } }),
        },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
