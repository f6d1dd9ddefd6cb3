/**
 * "What just happened": a short account of a lesson step once its goal is met, drawn from the engine's
 * own numbers and events of that step. Which target each balancer's requests went to and how the
 * entry fared come from the engine's counters (the growth between two snapshots, never counted from
 * events in the browser, which a busy stream may sample); what decided things on the way (a target
 * ejected, a circuit opened, a fault, a config applied) comes from the events the engine never samples.
 * Pure, so every line is tested without a page.
 */
import type { EngineEvent, EventOf, NodeMetrics, XCacheWord } from '../../../../engine/src/events.ts';
import type { MetricsByNode } from '../../../../lessons/format.ts';

/** The events an account lists: decisions and changes, none of them per request. */
export type NotableEvent = EventOf<
  'target.health' | 'circuit.state' | 'fault.started' | 'fault.ended' | 'config.applied' | 'node.state' | 'limiter.store' | 'cache.purged' | 'metrics.reset'
>;

const NOTABLE_TYPES: ReadonlySet<string> = new Set([
  'target.health',
  'circuit.state',
  'fault.started',
  'fault.ended',
  'config.applied',
  'node.state',
  'limiter.store',
  'cache.purged',
  'metrics.reset',
]);

/** Health changes worth telling: a target leaving or rejoining a pool, not each check on the way. */
const TOLD_HEALTH: ReadonlySet<string> = new Set(['down', 'up', 'ejected', 'returned', 'ejection-skipped']);

export function isNotable(event: EngineEvent): event is NotableEvent {
  if (!NOTABLE_TYPES.has(event.type)) return false;
  if (event.type === 'target.health') return TOLD_HEALTH.has(event.change);
  // A node starting or up is the config's doing (said by its config.applied); a failure is news.
  if (event.type === 'node.state') return event.state === 'failed' || event.state === 'stopped';
  return true;
}

export interface StepAccountInput {
  /** The engine's counts when the account starts (the step began, or the last config applied in it), and when the goal was met. */
  before: MetricsByNode;
  after: MetricsByNode;
  /** The step's notable events, oldest first (`isNotable`). */
  events: readonly NotableEvent[];
  /** Where the traffic enters: the flows' first nodes. */
  entries: readonly string[];
  /** Each balancer's targets as configured, so a target that answered nothing is named too. */
  balancerTargets?: Readonly<Record<string, readonly string[]>>;
  /** A time of day for an event's engine timestamp ("12:03:04"). */
  timeOf: (ts: number) => string;
}

/** The most events an account lists; the rest are counted. */
export const EVENTS_LISTED = 6;

/** The account, one sentence a line: balancers' shares, then the events with their times, then the entry, the refusals and the caches. */
export function summariseStep(input: StepAccountInput): string[] {
  const { before, after } = input;
  const lines: string[] = [];
  for (const [id, node] of Object.entries(after)) {
    if (node.kind === 'balancer') {
      const line = balancerLine(id, node, before[id], input.balancerTargets?.[id]);
      if (line) lines.push(line);
    }
  }
  const events = withoutFaultStops(input.events);
  lines.push(...events.slice(0, EVENTS_LISTED).map((event) => eventLine(event, input.timeOf)));
  if (events.length > EVENTS_LISTED) lines.push(`…and ${events.length - EVENTS_LISTED} more changes in the event log.`);
  for (const entry of input.entries) {
    const node = after[entry];
    if (node) lines.push(entryLine(entry, node, before[entry]));
  }
  for (const [id, node] of Object.entries(after)) {
    // An entry's refusals are in its own line; its cache is told like any other proxy's.
    const line = input.entries.includes(id) ? undefined : refusalsLine(id, node, before[id]);
    if (line) lines.push(line);
    const cache = cacheLine(id, node, before[id]);
    if (cache) lines.push(cache);
  }
  return lines.length > 0 ? lines : ['The engine counted no requests during this step.'];
}

/**
 * The events less the stops a "down" or "flap" fault of the step made: its `fault.started` line already
 * says the node was stopped, and a flap stops it again every period, which would crowd out the rest.
 */
function withoutFaultStops(events: readonly NotableEvent[]): NotableEvent[] {
  const downed = new Set(
    events.flatMap((e) => (e.type === 'fault.started' && (e.fault.type === 'down' || e.fault.type === 'flap') ? [e.fault.target] : [])),
  );
  return events.filter((e) => !(e.type === 'node.state' && e.state === 'stopped' && downed.has(e.node)));
}

/** A counter's growth; one below its earlier value was reset, so all of it is growth (as the checker reads it). */
function growth(now: number, before: number | undefined): number {
  return before === undefined || now < before ? now : now - before;
}

function balancerLine(id: string, now: NodeMetrics, before: NodeMetrics | undefined, configured: readonly string[] = []): string | undefined {
  const names = [...new Set([...configured, ...Object.keys(now.targets ?? {})])];
  const counts = names.map((target) => ({ target, count: growth(now.targets?.[target] ?? 0, before?.targets?.[target]) }));
  if (counts.every((c) => c.count === 0)) return undefined;
  return `At ${id}, requests were answered by ${counts.map((c) => `${c.target} ${times(c.count)}`).join(', ')}.`;
}

function eventLine(event: NotableEvent, timeOf: (ts: number) => string): string {
  const at = `at ${timeOf(event.ts)}`;
  switch (event.type) {
    case 'target.health':
      return healthLine(event, at);
    case 'circuit.state':
      return `${event.node} ${event.to === 'open' ? 'opened' : event.to === 'half-open' ? 'half-opened' : 'closed'} its circuit to ${event.target} ${at}: ${event.reason}`;
    case 'fault.started':
      return event.fault.type === 'down' ? `${event.fault.target} was stopped (a “down” fault) ${at}.` : `${/^[aeiou]/.test(event.fault.type) ? 'An' : 'A'} “${event.fault.type}” fault began on ${event.fault.target} ${at}.`;
    case 'fault.ended':
      return event.fault.type === 'down' ? `${event.fault.target} was started again ${at}.` : `The “${event.fault.type}” fault on ${event.fault.target} ended ${at}.`;
    case 'config.applied':
      return `A config was applied ${at} (“${event.name}”).`;
    case 'node.state':
      return `${event.node} ${event.state === 'failed' ? 'failed' : 'stopped'} ${at}${event.reason ? `: ${event.reason}` : ''}.`;
    case 'limiter.store':
      return `${event.node}’s limit store went ${event.state} ${at}.`;
    case 'cache.purged':
      return `${event.node}’s cache was purged ${at} (${times(event.entries, 'stored response')}).`;
    case 'metrics.reset':
      return `The counts were reset ${at}.`;
  }
}

function healthLine(event: EventOf<'target.health'>, at: string): string {
  const { node, target } = event;
  switch (event.change) {
    case 'ejected':
      return `${target} was ejected by ${node}’s outlier detection ${at}.`;
    case 'returned':
      return `${target} returned to ${node}’s pool ${at}.`;
    case 'down':
      return `${node}’s health checks marked ${target} down ${at}.`;
    case 'up':
      return `${node}’s health checks marked ${target} up again ${at}.`;
    default:
      return `${node} kept ${target} in its pool ${at}: ${event.reason}`;
  }
}

function entryLine(id: string, now: NodeMetrics, before: NodeMetrics | undefined): string {
  const requests = growth(now.requests, before?.requests);
  const errors = growth(now.errors, before?.errors);
  const codes = grownCodes(now, before);
  const why = codes.length > 0 ? ` (${codes.map(([code, n]) => `${code} ${times(n)}`).join(', ')})` : '';
  let line = `At the entry, ${id} answered ${times(requests, 'request')}: ${times(errors, 'error')}${why}.`;
  if (now.clients !== undefined) {
    const lost = growth(now.clients.lost, before?.clients?.lost);
    const failedOver = growth(now.clients.failedOver, before?.clients?.failedOver);
    if (lost > 0 || failedOver > 0) line += ` Its clients lost ${times(lost, 'request')} and failed over ${times(failedOver, 'request')} to another entry.`;
  }
  return line;
}

/** A node's own refusals (edge error codes) during the step, the most frequent first. */
function refusalsLine(id: string, now: NodeMetrics, before: NodeMetrics | undefined): string | undefined {
  const codes = grownCodes(now, before);
  if (codes.length === 0) return undefined;
  return `${id} answered ${codes.map(([code, n]) => `${code} ${times(n)}`).join(', ')}.`;
}

function cacheLine(id: string, now: NodeMetrics, before: NodeMetrics | undefined): string | undefined {
  if (now.cache === undefined) return undefined;
  const words = Object.entries(now.cache)
    .map(([word, n]) => [word, growth(n, before?.cache?.[word as XCacheWord])] as const)
    .filter(([, n]) => n > 0);
  if (words.length === 0) return undefined;
  return `${id}’s cache said ${words.map(([word, n]) => `${word} ${times(n)}`).join(', ')}.`;
}

function grownCodes(now: NodeMetrics, before: NodeMetrics | undefined): Array<[string, number]> {
  return Object.entries(now.errorCodes)
    .map(([code, n]) => [code, growth(n, before?.errorCodes[code])] as [string, number])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** "41 times", "1 time", "3 requests", "1 request". */
function times(n: number, word = 'time'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : `${word}s`}`;
}
