/**
 * The one interpreter of lesson goals. Pure: it reads metric snapshots (now, when the step began, and
 * the ticks between, for goals over a window) and says whether the goal is met, how far along it is,
 * the measured value against its target, and sentences a learner can read: what it is, and why not yet.
 */
import type {
  CompareOp,
  ConsumerGoal,
  ConsumerMetric,
  CounterMetric,
  CounterSum,
  EachGoal,
  Goal,
  HoldGoal,
  KeepGoal,
  LatencyGoal,
  Metric,
  MetricGoal,
  MetricsByNode,
  RatioGoal,
  RatioWindow,
  RemovedGoal,
  ConfigGoal,
  Snapshot,
} from './format.ts';
import type { NodeMetrics, TlsMetrics } from '../engine/src/events.ts';
import { metricProblem } from './metric-names.ts';

export interface GoalReport {
  met: boolean;
  /** 0..1, for a progress bar. Exactly 1 only when met, so a full bar always means done. */
  progress: number;
  /** "users-2 has answered 12 of 20 requests with 2xx since the step began" */
  detail: string;
  /** One sentence on what is missing ("lb’s p99 over the last 5 s is 212 ms: 62 ms above 150 ms"); only while unmet. */
  whyNot?: string;
  /**
   * The measured value against the target, for a live readout (a leaf's, or how long a `hold` has held).
   * A share not yet judged (too few requests counted) reads as it stands so far.
   */
  readout?: Readout;
  /** A `hold`'s: the reading of the goal it holds, now (its `readout` is the time held). */
  holding?: Readout;
  /** An `all` goal's parts, in order, so the page can show which are met and which are not. */
  parts?: GoalReport[];
  /**
   * A guard's (`keep`): the rule it keeps. A guard is a condition to leave standing, not something to
   * achieve: an `all` leaves it out of its progress and its readout, and the page shows it apart.
   */
  rule?: string;
}

/** "p99 212 ms, goal < 150 ms": a reading in the unit it is shown in (a share as a percent). */
export interface Readout {
  measured: number;
  op: CompareOp;
  target: number;
  unit: '' | 'ms' | '%' | 's';
}

/**
 * What the baseline marks, for the sentence: the step's beginning, or a config the engine applied
 * during the step (from which the step counts again, lesson.machine.ts).
 */
export type CountedFrom = 'step' | 'change';

const SINCE: Record<CountedFrom, string> = { step: ' since the step began', change: ' since the last config change' };

/** The highest progress an unmet goal reports. */
const UNMET_CEILING = 0.99;

/** How many requests a latency goal's window must hold to be judged, unless it says. */
export const LATENCY_MIN_REQUESTS = 20;

/**
 * The config the engine runs (`GET /api/config`), as goals on the config read it: `runningConfig` in
 * config-goal.ts makes one. Apart from the checker so that judging it (with the engine's own schema) is
 * loaded only where a lesson has such a goal: the page loads it on demand.
 */
export interface RunningConfig {
  judge(goal: ConfigGoal): GoalReport;
}

/** A goal on the config before the running config was read. */
export function configNotRead(): GoalReport {
  const detail = 'the running config has not been read yet';
  return { met: false, progress: 0, detail, whyNot: `${detail}: is the engine up?` };
}

/** Whether `goal` has a part that reads the running config: only then need the page read it. */
export function readsRunningConfig(goal: Goal): boolean {
  if ('all' in goal) return goal.all.some(readsRunningConfig);
  if ('any' in goal) return goal.any.some(readsRunningConfig);
  if ('hold' in goal) return readsRunningConfig(goal.hold);
  if ('keep' in goal) return readsRunningConfig(goal.keep);
  return goal.type === 'config';
}

/** What every goal is read against: the snapshot now, the baseline, the ticks between, and the running config. */
interface Reading {
  metrics: MetricsByNode;
  baseline: MetricsByNode;
  from: CountedFrom;
  history: readonly Snapshot[];
  running: RunningConfig | undefined;
}

/**
 * `history` holds the ticks since the baseline, oldest first, the last being the one `metrics` is (the
 * lesson machine keeps it); goals over a window (`hold`, a ratio `over` a window) need it and are unmet
 * without it. `running` is the config the engine runs (`GET /api/config`): goals on the config need it
 * and are unmet without it. Other goals read only `metrics` and `baseline`.
 */
export function checkGoal(
  goal: Goal,
  metrics: MetricsByNode,
  baseline: MetricsByNode,
  from: CountedFrom = 'step',
  history: readonly Snapshot[] = [],
  running: RunningConfig | undefined = undefined,
): GoalReport {
  return check(goal, { metrics, baseline, from, history, running });
}

function check(goal: Goal, at: Reading): GoalReport {
  if ('all' in goal) return checkAll(goal.all, at);
  if ('keep' in goal) return checkKeep(goal, at);
  if ('any' in goal) {
    const reports = goal.any.map((g) => check(g, at));
    return reports.find((r) => r.met) ?? reports.reduce((a, b) => (b.progress > a.progress ? b : a));
  }
  if ('hold' in goal) return checkHold(goal, at);
  if (goal.type === 'removed') return checkRemoved(goal, at);
  if (goal.type === 'config') return at.running === undefined ? configNotRead() : at.running.judge(goal);
  const unknown = metricsOf(goal).map(metricProblem).find((p) => p !== undefined);
  if (unknown) return { met: false, progress: 0, detail: `this goal cannot be judged: ${unknown}`, whyNot: `This goal cannot be judged: ${unknown}.` };
  if (goal.type === 'metric') return checkNode(goal, goal.node, at);
  if (goal.type === 'consumer') return checkConsumer(goal, at);
  if (goal.type === 'ratio') return goal.over ? checkWindowRatio(goal, goal.over, at) : checkRatio(goal, at);
  if (goal.type === 'latency') return checkLatency(goal, at);
  return checkEach(goal, at);
}

/** The metric names a leaf reads. */
function metricsOf(goal: Exclude<Goal, HoldGoal | RemovedGoal | ConfigGoal | KeepGoal | { all: unknown } | { any: unknown }>): string[] {
  if (goal.type === 'ratio') return [...goal.part.metrics, ...goal.whole.metrics];
  if (goal.type === 'latency') return [`latency.${goal.stat}`];
  return [goal.metric];
}

/**
 * Every part met. A broken guard is the first thing said (the learner undid the problem rather than
 * solved it); the bar, the readout and a met goal's sentence are the parts to achieve, so a guard met
 * from the start does not fill the bar, and a met goal keeps the reading of its last part that has one.
 */
function checkAll(goals: readonly Goal[], at: Reading): GoalReport {
  const reports = goals.map((g) => check(g, at));
  const aims = reports.filter((r) => r.rule === undefined);
  const counted = aims.length > 0 ? aims : reports;
  const unmet = reports.find((r) => r.rule !== undefined && !r.met) ?? reports.find((r) => !r.met);
  const reading = counted.find((r) => !r.met) ?? [...counted].reverse().find((r) => r.readout !== undefined || r.holding !== undefined);
  return {
    met: unmet === undefined,
    progress: unmet === undefined ? 1 : Math.min(mean(counted.map((r) => r.progress)), UNMET_CEILING),
    detail: unmet ? unmet.detail : counted.map((r) => r.detail).join('; '),
    ...(unmet && { whyNot: unmet.whyNot }),
    ...(reading?.readout && { readout: reading.readout }),
    ...(reading?.holding && { holding: reading.holding }),
    parts: reports,
  };
}

/** A guard: the goal it keeps, marked with its rule; broken, its "why not" says the rule first. */
function checkKeep(goal: KeepGoal, at: Reading): GoalReport {
  const report = check(goal.keep, at);
  if (report.met) return { ...report, rule: goal.rule };
  return { ...report, rule: goal.rule, whyNot: `Broken: ${goal.rule} (${report.detail}).` };
}

/**
 * True at every tick for `seconds`: walks back from now while the goal was met at each tick (judged as
 * it was then), to the tick it has held since. The history starts at the baseline, so ticks before
 * the step (or the last config change) never count.
 */
function checkHold(goal: HoldGoal, at: Reading): GoalReport {
  const { history } = at;
  const need = goal.seconds * 1000;
  const now = check(goal.hold, at);
  const readout = (heldMs: number): Readout => ({ measured: round(heldMs / 1000), op: '>=', target: goal.seconds, unit: 's' });
  if (history.length === 0) {
    return {
      met: false,
      progress: 0,
      detail: `${now.detail} (held: no metrics ticks yet)`,
      whyNot: 'No metrics ticks have arrived yet to time it.',
      readout: readout(0),
      ...holding(now),
    };
  }
  if (!now.met) {
    return {
      met: false,
      progress: now.progress * 0.5,
      detail: now.detail,
      whyNot: thenHold(now.whyNot ?? now.detail, goal.seconds),
      readout: readout(0),
      ...holding(now),
    };
  }
  const last = history.length - 1;
  let since = history[last]!.ts;
  for (let i = last - 1; i >= 0 && history[last]!.ts - since < need; i--) {
    const then = check(goal.hold, { ...at, metrics: history[i]!.nodes, history: history.slice(0, i + 1) });
    if (!then.met) break;
    since = history[i]!.ts;
  }
  const held = history[last]!.ts - since;
  if (held >= need) return { met: true, progress: 1, detail: `${now.detail}, held for ${goal.seconds} s`, readout: readout(held), ...holding(now) };
  return {
    met: false,
    progress: Math.min(0.5 + (held / need) * 0.5, UNMET_CEILING),
    detail: `${now.detail}, held for ${format(held / 1000)} of ${goal.seconds} s`,
    whyNot: `It has held for ${format(held / 1000)} s of the ${goal.seconds} s it must hold on end.`,
    readout: readout(held),
    ...holding(now),
  };
}

/** A held goal's "why not" and what comes after it: "…: 62 ms above the ceiling; then it must hold for 3 s." */
function thenHold(why: string, seconds: number): string {
  const then = `hold for ${seconds} s`;
  return why.endsWith('?') ? `${why} Then it must ${then}.` : `${why.replace(/\.$/, '')}; then it must ${then}.`;
}

/** The held goal's reading, when it has one. */
function holding(now: GoalReport): Pick<GoalReport, 'holding'> {
  return now.readout === undefined ? {} : { holding: now.readout };
}

/** A node's recent-window latency, judged once the window holds enough requests. */
function checkLatency(goal: LatencyGoal, at: Reading): GoalReport {
  const node = at.metrics[goal.node];
  if (!node) return noMetrics(goal.node);
  const { seconds, requests, latency } = node.recent;
  const min = goal.minRequests ?? LATENCY_MIN_REQUESTS;
  if (requests < min) {
    const detail = `${goal.node} answered ${requests} requests in the last ${seconds} s, too few to judge its ${goal.stat} (${min} needed)`;
    // The few it answered have a latency to show; an empty window's 0 ms is no reading, and would look met.
    const readout: Readout | undefined = requests > 0 ? { measured: round(latency[goal.stat]), op: goal.op, target: goal.value, unit: 'ms' } : undefined;
    return { met: false, progress: (requests / min) * 0.5, detail, whyNot: `${detail}: is traffic reaching it?`, ...(readout && { readout }) };
  }
  const report = judge(latency[goal.stat], goal, false, '', (shown) => `${goal.node}’s ${goal.stat} over the last ${seconds} s is ${shown} ms`, 'ms');
  return { ...report, progress: report.met ? 1 : 0.5 + report.progress * 0.49 };
}

/** Gone once a snapshot lists running nodes and not it (an empty one says nothing: the sandbox is not up). */
function checkRemoved(goal: RemovedGoal, { metrics }: Reading): GoalReport {
  const running = Object.keys(metrics).length > 0;
  if (running && metrics[goal.node] === undefined) return { met: true, progress: 1, detail: `${goal.node} is gone from the running config` };
  if (!running) return noMetrics(goal.node);
  const detail = `${goal.node} is still in the running config`;
  return { met: false, progress: 0, detail, whyNot: `${detail}: remove it, and apply the config.` };
}

function noMetrics(node: string): GoalReport {
  return { met: false, progress: 0, detail: `${node} reports no metrics yet`, whyNot: `${node} reports no metrics yet: is the sandbox running?` };
}

function checkEach(goal: EachGoal, at: Reading): GoalReport {
  const reports = goal.nodes.map((node) => checkNode(goal, node, at));
  const done = reports.filter((r) => r.met).length;
  if (done === reports.length) return { met: true, progress: 1, detail: reports.map((r) => r.detail).join('; ') };
  const furthestBehind = reports.reduce((a, b) => (!b.met && (a.met || b.progress < a.progress) ? b : a));
  return {
    met: false,
    progress: mean(reports.map((r) => r.progress)),
    detail: `${furthestBehind.detail} (${done} of ${reports.length} nodes done)`,
    whyNot: furthestBehind.whyNot,
    readout: furthestBehind.readout,
  };
}

type Leaf = Pick<MetricGoal, 'metric' | 'since' | 'op' | 'value'>;

function checkNode(goal: Leaf, node: string, { metrics, baseline, from }: Reading): GoalReport {
  const now = metrics[node];
  if (!now) return noMetrics(node);
  const counter = isCounter(goal.metric);
  const sinceStep = counter && goal.since !== 'start';
  const actual = sinceStep
    ? growth(readMetric(now, goal.metric), baseline[node] && readMetric(baseline[node], goal.metric))
    : readMetric(now, goal.metric);
  return judge(actual, goal, counter, sinceStep ? SINCE[from] : '', (shown) => sentence(node, goal.metric, shown), goal.metric.startsWith('latency.') ? 'ms' : '');
}

/** A consumer's counters are all counters: read as growth since the step began unless `since: 'start'`. */
function checkConsumer(goal: ConsumerGoal, { metrics, baseline, from }: Reading): GoalReport {
  const now = metrics[goal.node];
  if (!now) return noMetrics(goal.node);
  const sinceStep = goal.since !== 'start';
  const before = baseline[goal.node];
  const actual = sinceStep
    ? growth(readConsumerMetric(now, goal.consumer, goal.metric), before && readConsumerMetric(before, goal.consumer, goal.metric))
    : readConsumerMetric(now, goal.consumer, goal.metric);
  return judge(actual, goal, true, sinceStep ? SINCE[from] : '', (shown) => consumerSentence(goal, shown));
}

/**
 * A share of two sums' growth. Until `whole` has grown by `atLeast` the goal is unmet and its progress
 * fills the first half of the bar; past that, the share's closeness fills the rest.
 */
function checkRatio(goal: RatioGoal, { metrics, baseline, from }: Reading): GoalReport {
  const part = sumOf(goal.part, metrics, baseline, goal.since);
  const whole = sumOf(goal.whole, metrics, baseline, goal.since);
  if (part === undefined || whole === undefined) return noMetrics(metrics[goal.part.node] ? goal.whole.node : goal.part.node);
  return judgeShare(goal, part, whole, goal.since === 'start' ? '' : SINCE[from]);
}

/**
 * A share over a sliding window of ticks: the last `seconds`, or the fewest latest ticks in which
 * `whole` grew by `requests` (so "the last 200 requests" is at least 200, to the tick).
 */
function checkWindowRatio(goal: RatioGoal, over: RatioWindow, at: Reading): GoalReport {
  const { history, metrics } = at;
  const missing = [goal.part.node, goal.whole.node].find((node) => !metrics[node]);
  if (missing) return noMetrics(missing);
  const last = history.length - 1;
  const growthFrom = (i: number) => ({
    part: sumOf(goal.part, metrics, history[i]!.nodes, 'step') ?? 0,
    whole: sumOf(goal.whole, metrics, history[i]!.nodes, 'step') ?? 0,
  });
  if ('seconds' in over) {
    const { seconds } = over;
    const nowTs = history[last]?.ts ?? 0;
    let from = -1;
    for (let i = last - 1; i >= 0; i--) {
      if (nowTs - history[i]!.ts >= seconds * 1000) {
        from = i;
        break;
      }
    }
    if (from === -1) {
      const span = last > 0 ? (nowTs - history[0]!.ts) / 1000 : 0;
      const detail = `${goal.label}: the window holds ${format(span)} of the ${seconds} s it judges`;
      const soFar = last > 0 ? growthFrom(0) : undefined;
      return {
        met: false,
        progress: (span / seconds) * 0.25,
        detail,
        whyNot: `${detail}; it fills as the ticks come in.`,
        ...shareSoFar(goal, soFar?.part ?? 0, soFar?.whole ?? 0),
      };
    }
    const { part, whole } = growthFrom(from);
    return judgeShare(goal, part, whole, ` in the last ${seconds} s`);
  }
  const { requests } = over;
  let counted = 0;
  for (let i = last - 1; i >= 0; i--) {
    const { part, whole } = growthFrom(i);
    counted = whole;
    if (whole >= requests) return judgeShare(goal, part, whole, ` (the last ${requests} or just over)`);
  }
  const detail = `${goal.label}: ${format(counted)} of the last ${requests} ${goal.counted} counted, to judge it`;
  const soFar = last > 0 ? growthFrom(0) : { part: 0, whole: 0 };
  return {
    met: false,
    progress: (counted / requests) * 0.5,
    detail,
    whyNot: `${detail}: more traffic fills the window.`,
    ...shareSoFar(goal, soFar.part, soFar.whole),
  };
}

/** `part` of `whole`, judged once `whole` holds `atLeast`; `where` says what was counted (" since the step began"). */
function judgeShare(goal: RatioGoal, part: number, whole: number, where: string): GoalReport {
  const target = `(goal: ${OP_WORDS[goal.op]} ${percent(goal.value)})`;
  if (whole < goal.atLeast) {
    const detail = `${goal.label}: ${format(whole)} of ${format(goal.atLeast)} ${goal.counted} counted${where}, to judge it ${target}`;
    return { met: false, progress: (whole / goal.atLeast) * 0.5, detail, whyNot: `${detail}: more traffic is needed.`, ...shareSoFar(goal, part, whole) };
  }
  const share = part / whole;
  const met = compare(share, goal.op, goal.value);
  const detail = `${goal.label} is ${percent(share)} of ${format(whole)} ${goal.counted}${where} ${target}`;
  return {
    met,
    progress: met ? 1 : Math.min(0.5 + closeness(share, goal.op, goal.value) * 0.5, UNMET_CEILING),
    detail,
    readout: { measured: round(share * 100), op: goal.op, target: round(goal.value * 100), unit: '%' },
    ...(!met && { whyNot: `${goal.label} is ${percent(share)}${where}: ${gap(share * 100, goal.op, goal.value * 100, '%')}.` }),
  };
}

/** The share as it stands before it can be judged, as a readout; none before anything was counted. */
function shareSoFar(goal: RatioGoal, part: number, whole: number): Pick<GoalReport, 'readout'> {
  if (whole <= 0) return {};
  return { readout: { measured: round((part / whole) * 100), op: goal.op, target: round(goal.value * 100), unit: '%' } };
}

/** A sum's growth since the baseline (or its total, `since: 'start'`); undefined when its node reports nothing. */
function sumOf(sum: CounterSum, metrics: MetricsByNode, baseline: MetricsByNode, since: RatioGoal['since']): number | undefined {
  const now = metrics[sum.node];
  if (!now) return undefined;
  const before = since === 'start' ? undefined : baseline[sum.node];
  return sum.metrics.reduce((total, metric) => total + growth(readMetric(now, metric), before && readMetric(before, metric)), 0);
}

/**
 * The verdict on one reading: `>=` on a counter reads "12 of 20", anything else states its comparison;
 * `since` is what a growth is counted from (" since the step began"), empty for a reading as it is.
 */
function judge(
  actual: number,
  goal: { op: CompareOp; value: number },
  counter: boolean,
  since: string,
  say: (shown: string) => string,
  unit: Readout['unit'] = '',
): GoalReport {
  const met = compare(actual, goal.op, goal.value);
  // A count on its way up reads as progress ("12 of 20"); past its goal, as the count and the goal ("30 ... (goal: at least 20)").
  const counting = counter && goal.op === '>=' && actual <= goal.value;
  const shown = counting ? `${format(actual)} of ${format(goal.value)}` : format(actual);
  const target = counting ? '' : ` (goal: ${OP_WORDS[goal.op]} ${format(goal.value)}${unit && ` ${unit}`})`;
  return {
    met,
    progress: met ? 1 : Math.min(closeness(actual, goal.op, goal.value), UNMET_CEILING),
    detail: `${say(shown)}${since}${target}`,
    readout: { measured: round(actual), op: goal.op, target: goal.value, unit },
    ...(!met && { whyNot: `${say(format(actual))}${since}: ${gap(actual, goal.op, goal.value, unit)}.` }),
  };
}

/** How far a reading is from its target, in words: "8 more to go", "62 ms above 150 ms". */
function gap(actual: number, op: CompareOp, value: number, unit: Readout['unit']): string {
  const u = (n: number) => `${format(n)}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;
  switch (op) {
    case '>=':
      return unit === '' ? `${format(value - actual)} more to go` : `${u(value - actual)} short of ${u(value)}`;
    case '>':
      return `it must rise above ${u(value)}`;
    case '<=':
    case '<':
      return `${u(actual - value)} ${op === '<' && actual === value ? 'at' : 'above'} the ceiling of ${u(value)}`;
    case '==':
      return `it must be exactly ${u(value)}`;
  }
}

/**
 * Growth of a counter since the baseline. A node missing from the baseline (it appeared during the
 * step) counts from 0; a counter below its baseline was restarted (engine or config restart), so
 * everything it counted since then is growth.
 */
function growth(now: number, before: number | undefined): number {
  if (before === undefined || now < before) return now;
  return now - before;
}

function isCounter(metric: Metric): metric is CounterMetric {
  return (
    metric === 'requests' ||
    metric === 'errors' ||
    metric === 'partial' ||
    metric.startsWith('statusClasses.') ||
    metric.startsWith('errorCodes.') ||
    metric.startsWith('cache.') ||
    metric.startsWith('tls.') ||
    metric.startsWith('clients.') ||
    metric.startsWith('targets.') ||
    metric.startsWith('keys.')
  );
}

/** The value of one metric; a status class or error code the node has not seen yet is 0. */
export function readMetric(node: NodeMetrics, metric: Metric): number {
  const dot = metric.indexOf('.');
  if (metric === 'partial') return node.partial ?? 0;
  if (dot === -1) return node[metric as 'requests' | 'errors' | 'inFlight' | 'ratePerSecond' | 'activeFaults' | 'scenarioFaults'] ?? 0;
  const group = metric.slice(0, dot) as 'statusClasses' | 'errorCodes' | 'latency' | 'cache' | 'tls' | 'clients' | 'targets' | 'keys';
  if (group === 'tls') return readTls(node, metric.slice(dot + 1));
  const record = node[group] as Record<string, number> | undefined;
  return record?.[metric.slice(dot + 1)] ?? 0;
}

/** `handshakes`, `requests.h2`, `requests.http/1.1` (a protocol name has a dot of its own); 0 before the first handshake. */
function readTls(node: NodeMetrics, key: string): number {
  const tls = node.tls;
  if (tls === undefined) return 0;
  if (key.startsWith('requests.')) return tls.requests[key.slice('requests.'.length) as keyof TlsMetrics['requests']] ?? 0;
  return tls[key as 'handshakes' | 'failed' | 'resumed'] ?? 0;
}

/** One consumer's counter at a gateway; a consumer not named yet, or a code it has not had, is 0. */
export function readConsumerMetric(node: NodeMetrics, consumer: string, metric: ConsumerMetric): number {
  const counts = node.consumers?.[consumer];
  if (!counts) return 0;
  if (metric === 'requests') return counts.requests;
  const dot = metric.indexOf('.');
  const record: Record<string, number> = metric.slice(0, dot) === 'statusClasses' ? counts.statusClasses : counts.errorCodes;
  return record[metric.slice(dot + 1)] ?? 0;
}

/** A comparison as a learner reads it ("at least 20", "at most 5%"): the page never shows `>=` or `<=`. */
export const OP_WORDS: Readonly<Record<CompareOp, string>> = {
  '>=': 'at least',
  '>': 'above',
  '<=': 'at most',
  '<': 'below',
  '==': 'exactly',
};

function compare(actual: number, op: CompareOp, value: number): boolean {
  switch (op) {
    case '>=':
      return actual >= value;
    case '>':
      return actual > value;
    case '<=':
      return actual <= value;
    case '<':
      return actual < value;
    case '==':
      return actual === value;
  }
}

/** How close an unmet comparison is, 0..1: the share of the way up to a floor or down to a ceiling. */
function closeness(actual: number, op: CompareOp, value: number): number {
  if (op === '>=' || op === '>') return value > 0 ? clamp(actual / value) : 0;
  if (op === '<=' || op === '<') return actual > 0 ? clamp(value / actual) : 0;
  return 0;
}

function sentence(node: string, metric: Metric, shown: string): string {
  if (metric === 'requests') return `${node} has handled ${shown} requests`;
  if (metric === 'errors') return `${node} has returned ${shown} errors`;
  if (metric === 'inFlight') return `${node} has ${shown} requests in flight`;
  if (metric === 'ratePerSecond') return `${node} completes ${shown} requests per second`;
  if (metric === 'activeFaults') return `${node}’s faults active now: ${shown}`;
  if (metric === 'scenarioFaults') return `${node}’s scenario faults active now: ${shown}`;
  if (metric === 'partial') return `${node} has answered ${shown} requests partial (an aggregate without an upstream that failed)`;
  const [group, key] = metric.split('.') as [string, string];
  if (group === 'statusClasses') return `${node} has answered ${shown} requests with ${key}`;
  if (group === 'errorCodes') return `${node} has returned ${key} ${shown} times`;
  if (group === 'cache') return `${node}’s cache has answered ${shown} requests ${key}`;
  if (group === 'tls') return tlsSentence(node, metric.slice('tls.'.length), shown);
  if (group === 'clients') return clientSentence(node, key, shown);
  if (group === 'targets') return `${node} has had ${shown} requests answered by ${metric.slice('targets.'.length)}`;
  if (group === 'keys') return keySentence(node, key, shown);
  return `${node} ${key} latency is ${shown} ms`;
}

/** The client side of a flow's first entry: what the lab's clients that were given its address saw. */
function clientSentence(node: string, key: string, shown: string): string {
  if (key === 'lost') return `clients sent to ${node} have lost ${shown} requests (no entry answered)`;
  if (key === 'failedOver') return `clients sent to ${node} have failed over ${shown} requests to another entry`;
  if (key === '2xx') return `clients sent to ${node} have had ${shown} answers with 2xx`;
  return `clients sent to ${node} have settled ${shown} requests`;
}

/** A balancer's returning keys (clients, sessions, hashed keys) by where their request went against their last target. */
function keySentence(node: string, key: string, shown: string): string {
  if (key === 'stayed') return `${node} has sent ${shown} returning keys to the same target as last time`;
  if (key === 'moved') return `${node} has moved ${shown} keys to another target while their last one was still in the pool`;
  return `${node} has rehomed ${shown} keys whose last target left the pool or could not take them`;
}

function tlsSentence(node: string, key: string, shown: string): string {
  if (key === 'handshakes') return `${node} has completed ${shown} TLS handshakes`;
  if (key === 'failed') return `${node} has had ${shown} failed TLS handshakes`;
  if (key === 'resumed') return `${node} has resumed ${shown} TLS sessions`;
  return `${node} has received ${shown} requests over TLS as ${key.slice('requests.'.length)}`;
}

function consumerSentence({ node, consumer, metric }: ConsumerGoal, shown: string): string {
  if (metric === 'requests') return `consumer ${consumer} has sent ${shown} requests through ${node}`;
  const [group, key] = metric.split('.') as [string, string];
  if (group === 'statusClasses') return `consumer ${consumer} has had ${shown} ${key} answers at ${node}`;
  return `consumer ${consumer} has got ${key} ${shown} times at ${node}`;
}

/** A share as a whole percent: 0.625 -> 62%. */
function percent(share: number): string {
  return `${Math.floor(share * 100)}%`;
}

/** To a tenth, for a readout. */
function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function clamp(n: number): number {
  return Math.max(0, Math.min(1, n));
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
