/**
 * The one interpreter of lesson goals. Pure: it reads two metric snapshots (now, and when the step
 * began) and says whether the goal is met, how far along it is, and a sentence a learner can read.
 */
import type {
  CompareOp,
  ConsumerGoal,
  ConsumerMetric,
  CounterMetric,
  CounterSum,
  EachGoal,
  Goal,
  Metric,
  MetricGoal,
  MetricsByNode,
  RatioGoal,
} from './format.ts';
import type { NodeMetrics, TlsMetrics } from '../engine/src/events.ts';

export interface GoalReport {
  met: boolean;
  /** 0..1, for a progress bar. Exactly 1 only when met, so a full bar always means done. */
  progress: number;
  /** "users-2 has answered 12 of 20 requests with 2xx since the step began" */
  detail: string;
  /** An `all` goal's parts, in order, so the page can show which are met and which are not. */
  parts?: GoalReport[];
}

/**
 * What the baseline marks, for the sentence: the step's beginning, or a config the engine applied
 * during the step (from which the step counts again, lesson.machine.ts).
 */
export type CountedFrom = 'step' | 'change';

const SINCE: Record<CountedFrom, string> = { step: ' since the step began', change: ' since the last config change' };

/** The highest progress an unmet goal reports. */
const UNMET_CEILING = 0.99;

export function checkGoal(goal: Goal, metrics: MetricsByNode, baseline: MetricsByNode, from: CountedFrom = 'step'): GoalReport {
  if ('all' in goal) {
    const reports = goal.all.map((g) => checkGoal(g, metrics, baseline, from));
    const unmet = reports.find((r) => !r.met);
    return {
      met: unmet === undefined,
      progress: mean(reports.map((r) => r.progress)),
      detail: unmet ? unmet.detail : reports.map((r) => r.detail).join('; '),
      parts: reports,
    };
  }
  if ('any' in goal) {
    const reports = goal.any.map((g) => checkGoal(g, metrics, baseline, from));
    const best = reports.find((r) => r.met) ?? reports.reduce((a, b) => (b.progress > a.progress ? b : a));
    return { met: best.met, progress: best.progress, detail: best.detail };
  }
  if (goal.type === 'metric') return checkNode(goal, goal.node, metrics, baseline, from);
  if (goal.type === 'consumer') return checkConsumer(goal, metrics, baseline, from);
  if (goal.type === 'ratio') return checkRatio(goal, metrics, baseline, from);
  return checkEach(goal, metrics, baseline, from);
}

function checkEach(goal: EachGoal, metrics: MetricsByNode, baseline: MetricsByNode, from: CountedFrom): GoalReport {
  const reports = goal.nodes.map((node) => checkNode(goal, node, metrics, baseline, from));
  const done = reports.filter((r) => r.met).length;
  if (done === reports.length) return { met: true, progress: 1, detail: reports.map((r) => r.detail).join('; ') };
  const furthestBehind = reports.reduce((a, b) => (!b.met && (a.met || b.progress < a.progress) ? b : a));
  return {
    met: false,
    progress: mean(reports.map((r) => r.progress)),
    detail: `${furthestBehind.detail} (${done} of ${reports.length} nodes done)`,
  };
}

type Leaf = Pick<MetricGoal, 'metric' | 'since' | 'op' | 'value'>;

function checkNode(goal: Leaf, node: string, metrics: MetricsByNode, baseline: MetricsByNode, from: CountedFrom): GoalReport {
  const now = metrics[node];
  if (!now) return { met: false, progress: 0, detail: `${node} reports no metrics yet` };
  const counter = isCounter(goal.metric);
  const sinceStep = counter && goal.since !== 'start';
  const actual = sinceStep
    ? growth(readMetric(now, goal.metric), baseline[node] && readMetric(baseline[node], goal.metric))
    : readMetric(now, goal.metric);
  return judge(actual, goal, counter, sinceStep ? SINCE[from] : '', (shown) => sentence(node, goal.metric, shown));
}

/** A consumer's counters are all counters: read as growth since the step began unless `since: 'start'`. */
function checkConsumer(goal: ConsumerGoal, metrics: MetricsByNode, baseline: MetricsByNode, from: CountedFrom): GoalReport {
  const now = metrics[goal.node];
  if (!now) return { met: false, progress: 0, detail: `${goal.node} reports no metrics yet` };
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
function checkRatio(goal: RatioGoal, metrics: MetricsByNode, baseline: MetricsByNode, from: CountedFrom): GoalReport {
  const part = sumOf(goal.part, metrics, baseline, goal.since);
  const whole = sumOf(goal.whole, metrics, baseline, goal.since);
  const since = goal.since === 'start' ? '' : SINCE[from];
  if (part === undefined || whole === undefined) {
    const missing = metrics[goal.part.node] ? goal.whole.node : goal.part.node;
    return { met: false, progress: 0, detail: `${missing} reports no metrics yet` };
  }
  const target = `(goal: ${goal.op} ${percent(goal.value)})`;
  if (whole < goal.atLeast) {
    return {
      met: false,
      progress: (whole / goal.atLeast) * 0.5,
      detail: `${goal.label}: ${format(whole)} of ${format(goal.atLeast)} ${goal.counted} counted${since}, to judge it ${target}`,
    };
  }
  const share = part / whole;
  const met = compare(share, goal.op, goal.value);
  return {
    met,
    progress: met ? 1 : Math.min(0.5 + closeness(share, goal.op, goal.value) * 0.5, UNMET_CEILING),
    detail: `${goal.label} is ${percent(share)} of ${format(whole)} ${goal.counted}${since} ${target}`,
  };
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
function judge(actual: number, goal: { op: CompareOp; value: number }, counter: boolean, since: string, say: (shown: string) => string): GoalReport {
  const met = compare(actual, goal.op, goal.value);
  const shown = counter && goal.op === '>=' ? `${format(actual)} of ${format(goal.value)}` : format(actual);
  const target = counter && goal.op === '>=' ? '' : ` (goal: ${goal.op} ${format(goal.value)})`;
  return {
    met,
    progress: met ? 1 : Math.min(closeness(actual, goal.op, goal.value), UNMET_CEILING),
    detail: `${say(shown)}${since}${target}`,
  };
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
    metric.startsWith('clients.')
  );
}

/** The value of one metric; a status class or error code the node has not seen yet is 0. */
export function readMetric(node: NodeMetrics, metric: Metric): number {
  const dot = metric.indexOf('.');
  if (metric === 'partial') return node.partial ?? 0;
  if (dot === -1) return node[metric as 'requests' | 'errors' | 'inFlight' | 'ratePerSecond'];
  const group = metric.slice(0, dot) as 'statusClasses' | 'errorCodes' | 'latency' | 'cache' | 'tls' | 'clients';
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
  if (metric === 'partial') return `${node} has answered ${shown} requests partial (an aggregate without an upstream that failed)`;
  const [group, key] = metric.split('.') as [string, string];
  if (group === 'statusClasses') return `${node} has answered ${shown} requests with ${key}`;
  if (group === 'errorCodes') return `${node} has returned ${key} ${shown} times`;
  if (group === 'cache') return `${node}’s cache has answered ${shown} requests ${key}`;
  if (group === 'tls') return tlsSentence(node, metric.slice('tls.'.length), shown);
  if (group === 'clients') return clientSentence(node, key, shown);
  return `${node} ${key} latency is ${shown} ms`;
}

/** The client side of a flow's first entry: what the lab's clients that were given its address saw. */
function clientSentence(node: string, key: string, shown: string): string {
  if (key === 'lost') return `clients sent to ${node} have lost ${shown} requests (no entry answered)`;
  if (key === 'failedOver') return `clients sent to ${node} have failed over ${shown} requests to another entry`;
  if (key === '2xx') return `clients sent to ${node} have had ${shown} answers with 2xx`;
  return `clients sent to ${node} have settled ${shown} requests`;
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

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function clamp(n: number): number {
  return Math.max(0, Math.min(1, n));
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
