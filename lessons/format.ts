/**
 * The lesson format: a lesson is plain typed data (start config, steps, goals, hints, a reference
 * solution), never code with hidden state. One checker (`checker.ts`) interprets every goal, one
 * machine (`lesson.machine.ts`) runs every lesson, and one test (`lessons.test.ts`) proves each
 * lesson solvable by applying its solution to a real engine.
 */
import type { EdgeConfigInput, TrafficFlow } from '../engine/src/config/schema.ts';
import type { EdgeErrorCode } from '../engine/src/errors.ts';
import type { FaultSpecInput as FaultSpec } from '../engine/src/faults/spec.ts';
import type { capacitySpec } from '../engine/src/config/capacity.ts';
import type { ClientMetrics, KeyMetrics, LatencySummary, NodeMetrics, TlsMetrics, XCacheWord } from '../engine/src/events.ts';
import type { z } from 'zod';

/** The lesson index's tracks, in the order it shows them. */
export const TRACKS = ['fundamentals', 'load-balancing', 'gateway', 'reverse-proxy', 'weak-points', 'capstones'] as const;
export type Track = (typeof TRACKS)[number];

export interface Lesson {
  /** Kebab-case and stable: the web app stores progress under it. */
  id: string;
  title: string;
  /** Which track of the lesson index it belongs to. */
  track?: Track;
  /** One or two sentences for the lesson list. */
  summary: string;
  /**
   * The sandbox the lesson starts from, in the config's input shape (the same thing a learner would
   * write in YAML). Inline rather than a path, so a lesson never changes because an example did.
   */
  startConfig: EdgeConfigInput;
  steps: [LessonStep, ...LessonStep[]];
}

export interface LessonStep {
  /** Kebab-case, unique within the lesson. */
  id: string;
  title: string;
  /** A few short paragraphs; `inline code` and **bold** are the only markup. */
  body: string;
  goal: Goal;
  /** Revealed one at a time, from a nudge to nearly the answer. */
  hints: string[];
  /**
   * The reference solution: what a learner would do, as control API calls, applied in order. The
   * web app's "show me" button runs it, and the proof test runs it against a real engine.
   */
  solution: [LessonAction, ...LessonAction[]];
}

/** Every node-level number a goal can read: the fields of `NodeMetrics`, dotted into its records. */
export type StatusClass = keyof NodeMetrics['statusClasses'];

/**
 * Counters only grow while the engine runs (they restart with the engine, and for a node that a
 * replaced config adds or changes the kind of). A goal reads them as growth since the step began (or
 * since the latest config applied during the step: lesson.machine.ts), unless it says `since: 'start'`.
 * So "stayed at 0" (`==`, 0) holds only if nothing was counted since then: a fix applied as a config
 * clears what the wrong attempt counted; for "none any more" without a config change (a fault cleared),
 * read the gauge `ratePerSecond == 0` (nothing in the last second) with a growth goal beside it.
 */
/** `partial`: a gateway's aggregate answers that went out without an upstream (policy `partial`). */
export type CounterMetric =
  | 'requests'
  | 'errors'
  | 'partial'
  | `statusClasses.${StatusClass}`
  | `errorCodes.${EdgeErrorCode}`
  | CacheMetric
  | TlsMetric
  | ClientMetric
  | TargetMetric
  | KeyMetric;

/**
 * What the lab's own clients saw of the flows that enter at a node first (`to`), failover included:
 * `clients.requests` settled, `clients.2xx`, `clients.lost` (no entry answered: the requests no node can
 * count), `clients.failedOver` (sent on to another entry). All 0 at a node no flow enters first.
 */
export type ClientMetric = `clients.${keyof ClientMetrics}`;

/**
 * An l7 balancer's first picks of request keys it had seen before (the hash key, or the client address
 * for a picker that hashes none), against the key's last target: `keys.stayed` on it, `keys.moved` to
 * another while it was still in the pool (a broken session, a key a change of the pool need not have
 * moved), `keys.rehomed` because it left the pool or could not take requests (events.ts KeyOutcome).
 */
export type KeyMetric = `keys.${keyof KeyMetrics}`;

/** A balancer's completed requests answered by one of its targets (`targets.app-2`): its share per target. */
export type TargetMetric = `targets.${string}`;

/** A caching proxy's requests by what its cache said in `X-Cache` (`cache.HIT`, `cache.COLLAPSED`, ...). */
export type CacheMetric = `cache.${XCacheWord}`;

/**
 * A TLS proxy's handshakes (`tls.handshakes` established, `tls.failed`, `tls.resumed`) and the requests
 * that came over TLS by protocol (`tls.requests.h2`, `tls.requests.http/1.1`); all 0 at a plain proxy.
 */
export type TlsMetric = `tls.${'handshakes' | 'failed' | 'resumed'}` | `tls.requests.${keyof TlsMetrics['requests']}`;

/**
 * Gauges are read as they are now: a baseline means nothing for them, so they take no `since`.
 * `activeFaults`: the faults on the node (or an edge into it) now, API or scenario: "the incident is
 * still playing", which clearing every fault would end. `scenarioFaults`: of those, the ones the config's
 * `scenario` started: a fault injected in the place of a scripted one does not count.
 */
export type GaugeMetric = 'inFlight' | 'ratePerSecond' | 'activeFaults' | 'scenarioFaults' | `latency.${keyof LatencySummary}`;

export type Metric = CounterMetric | GaugeMetric;

/**
 * Where a counter is counted from.
 * - `step` (the default): growth since the step began, so a goal already met before the step is not
 *   met for free ("users-2 has answered 20 requests since the step began").
 * - `start`: the engine's running total.
 */
export type Since = 'step' | 'start';

export type CompareOp = '>=' | '>' | '<=' | '<' | '==';

/** A metric with how to read it: `since` is allowed on counters and is a type error on gauges. */
export type Measure = { metric: CounterMetric; since?: Since } | { metric: GaugeMetric; since?: never };

export type Comparison = { op: CompareOp; value: number };

/**
 * A goal is data. Leaves read one metric of one node (`metric`) or of each node in a set (`each`);
 * `all` and `any` combine goals. Arrays are non-empty so no goal is met vacuously.
 *
 * @example { type: 'each', nodes: ['users-1', 'users-2', 'users-3'], metric: 'statusClasses.2xx', op: '>=', value: 20 }
 */
export type Goal =
  | MetricGoal
  | EachGoal
  | ConsumerGoal
  | RatioGoal
  | LatencyGoal
  | HoldGoal
  | RemovedGoal
  | ConfigGoal
  | KeepGoal
  | { all: [Goal, ...Goal[]] }
  | { any: [Goal, ...Goal[]] };

/**
 * A goal that must stay true, judged at every metrics tick, for `seconds` on end: "p99 under 150 ms for
 * 10 s". A tick where it is false starts the count again; ticks before the step began (or before the
 * latest config applied during it) never count, so a state met before the step is not met for free.
 *
 * @example { hold: { type: 'latency', node: 'users', stat: 'p99', op: '<', value: 150 }, seconds: 10 }
 */
export type HoldGoal = { hold: Goal; seconds: number };

/**
 * A node is gone from the running config: met once a snapshot lists the running nodes and not it. Beside
 * "`legacy` has handled 0 requests" in an `any`, it accepts both ways out of a hop: route around it, or
 * remove it (a removed node reports no metrics, so a goal that reads its counters stays unmet).
 *
 * @example { any: [{ type: 'metric', node: 'legacy', metric: 'requests', op: '==', value: 0 }, { type: 'removed', node: 'legacy' }] }
 */
export type RemovedGoal = { type: 'removed'; node: string };

/**
 * A guard: a condition the lesson's problem starts with and the learner must leave standing (the fault
 * that is the problem, the fragile server's capacity), so the goal cannot be met by removing the problem
 * instead of solving it. It is no part of what the learner achieves: an `all` counts only its other parts
 * in its progress, the page shows it apart as a condition that holds or was broken, and once broken its
 * "why not" starts with `rule`, a sentence that says what must stay and why.
 *
 * @example { keep: { type: 'metric', node: 'app-1', metric: 'activeFaults', op: '>=', value: 1 }, rule: 'app-1’s bad disk must stay: “Clear all” ends the problem instead of building around it' }
 */
export type KeepGoal = { keep: Goal; rule: string };

/**
 * A part of the running config (`GET /api/config`) as the lesson set it: a node's `capacity`, or lines
 * of the `scenario`, each still there with the same fields. Both sides are read as the engine parses them,
 * so `'0s'` and `0` match. Met only while the running config is known; wrap it in `keep`.
 *
 * @example { type: 'config', node: 'app-1', capacity: { concurrency: 3, queue: 20 } }
 */
export type ConfigGoal =
  | { type: 'config'; node: string; capacity: CapacityInput; scenario?: never }
  | { type: 'config'; scenario: [ScenarioLine, ...ScenarioLine[]]; node?: never; capacity?: never };

/** A node's `capacity` as a config writes it. */
export type CapacityInput = z.input<ReturnType<typeof capacitySpec>>;

/** One line of a config's `scenario` as a config writes it. */
export type ScenarioLine = NonNullable<EdgeConfigInput['scenario']>[number];

/** The statistics a latency goal can read (ms). */
export type LatencyStat = keyof LatencySummary;

/**
 * One node's latency over its recent window (`NodeMetrics.recent`: the last 5 s), not since the start:
 * "users' p99 is under 150 ms". Judged only once the window holds `minRequests` (default 20), since the
 * p99 of a handful says nothing and an empty window's 0 ms would meet any ceiling. Wrap it in `hold`.
 */
export type LatencyGoal = { type: 'latency'; node: string; stat: LatencyStat; minRequests?: number } & Comparison;

/** One node's metric compares true. */
export type MetricGoal = { type: 'metric'; node: string } & Measure & Comparison;

/** Every listed node's metric compares true, each on its own (not their sum). */
export type EachGoal = { type: 'each'; nodes: [string, ...string[]] } & Measure & Comparison;

/** The counters a gateway keeps per consumer its authentication named (`NodeMetrics.consumers`). */
export type ConsumerMetric = 'requests' | `statusClasses.${StatusClass}` | `errorCodes.${EdgeErrorCode}`;

/**
 * One consumer's counter at one gateway compares true: "only the abuser gets 429s" without counting
 * anyone else's. A consumer the gateway has not named yet has counted nothing.
 *
 * @example { type: 'consumer', node: 'api', consumer: 'abuser', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '>=', value: 5 }
 */
export type ConsumerGoal = { type: 'consumer'; node: string; consumer: string; metric: ConsumerMetric; since?: Since } & Comparison;

/** The sum of some counters of one node: `edge`'s `cache.HIT` + `cache.STALE` + `cache.COLLAPSED`. */
export type CounterSum = { node: string; metrics: [CounterMetric, ...CounterMetric[]] };

/**
 * A share: how much one sum of counters grew against another (each on one node), as a number 0..1. It is
 * judged only once `whole` has grown by `atLeast`, since a share of three requests says nothing; the
 * sentence reads "`label` is 62% of 143 `counted`". Counters count as in any goal (`since`).
 *
 * @example the hit ratio, judged over at least 100 lookups:
 * { type: 'ratio', label: 'edge’s hit ratio', counted: 'lookups', atLeast: 100, op: '>=', value: 0.5,
 *   part: { node: 'edge', metrics: ['cache.HIT'] }, whole: { node: 'edge', metrics: ['cache.HIT', 'cache.MISS'] } }
 */
export type RatioGoal = {
  type: 'ratio';
  label: string;
  /** What `whole` counts, in the plural: `lookups`, `requests at edge`. */
  counted: string;
  part: CounterSum;
  whole: CounterSum;
  atLeast: number;
  since?: Since;
  /**
   * A sliding window instead of the whole step: the last `requests` counted by `whole` (the fewest
   * latest ticks that hold that many), or the last `seconds` of ticks. Judged once the window is full
   * and holds `atLeast`; counters are read tick to tick, so `since` does not apply.
   *
   * @example "error rate under 1% over the last 200 requests": over: { requests: 200 }, atLeast: 200, op: '<', value: 0.01
   */
  over?: RatioWindow;
} & Comparison;

export type RatioWindow = { requests: number } | { seconds: number };

/**
 * The body of `POST /api/traffic`: stop, or start. A bare start runs the config's flows; given fields
 * replace those of the config's first flow (`{ action: 'start', rate: 20 }` changes only the rate).
 */
export type TrafficCommand = { action: 'stop' } | ({ action: 'start' } & Partial<z.input<typeof TrafficFlow>>);

/** One thing a learner does, as the control API call that does it. */
export type LessonAction =
  /** `POST /api/traffic` */
  | { action: 'traffic'; body: TrafficCommand }
  /** `POST /api/faults`: `{ target, type }`, where `target` is a node id or an edge `"api->users"`. */
  | { action: 'fault'; body: FaultSpec }
  /** `DELETE /api/faults/:id` for every active fault. */
  | { action: 'clearFaults' }
  /** `PUT /api/config` */
  | { action: 'config'; body: EdgeConfigInput }
  /** Let the sandbox run for a while before the next action. */
  | { action: 'wait'; ms: number };

/** Per-node metrics, as `GET /api/metrics` (`nodes`) and the `metrics.tick` event report them. */
export type MetricsByNode = Record<string, NodeMetrics>;

/** One metrics tick, with when it was taken (ms since the epoch): what windowed goals read over time. */
export interface Snapshot {
  ts: number;
  nodes: MetricsByNode;
}
