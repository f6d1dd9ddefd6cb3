/**
 * The event log: the text twin of the animation. Each line is built from engine events only (the
 * duration is the entry node's own measurement), and the buffer keeps the most recent `capacity`.
 */
import type { EventOf, NodeState } from '../../../../engine/src/events.ts';
import { faultEffect } from '../faults/fault-words.ts';
import { formatBytes, formatMs } from '../format.ts';
import { classifyOutcome, type OutcomeClass } from '../outcome.ts';
import { answerError, entryHop, routeOf, type Hop, type Trace } from '../traces/trace-store.ts';

export type LogKind = 'request' | 'connection' | 'node' | 'fault' | 'health' | 'circuit' | 'traffic' | 'config' | 'error' | 'stream';

export interface LogEntry {
  kind: LogKind;
  /** Engine time for engine events, browser time for the learner's own actions. */
  ts: number;
  text: string;
  /** The engine's own sentence behind the line, when the line is a summary of it (health, circuits). */
  detail?: string;
  /** For request lines: opens the trace. */
  rid?: string;
  outcome?: OutcomeClass;
  /** For request lines: the last node it reached or tried, whose colour it wears when that node is a target (a service a balancer picked). */
  target?: string;
  /** For request lines: the consumer a gateway named (the text says `as` it), shown in its colour. */
  consumer?: string;
}

export interface LogLine extends LogEntry {
  id: number;
}

export function requestEntry(trace: Trace): LogEntry {
  const entry = entryHop(trace);
  const status = entry?.status;
  const route = routeOf(trace);
  const via = route.map((step) => (step.failed ? `${step.node} ✕` : step.node)).join('→');
  const code = entry === undefined ? undefined : answerError(trace, entry);
  const answer = `${status ?? '?'}${code ? ` ${code}` : ''}`;
  const consumer = trace.hops.find((hop) => hop.consumer !== undefined)?.consumer;
  const cached = trace.hops.find((hop) => hop.cache !== undefined);
  return {
    kind: 'request',
    ts: entry?.completedTs ?? 0,
    text: `${trace.method || '?'} ${trace.path || '?'}${consumer ? ` as ${consumer}` : ''} → ${answer} via ${via} in ${formatMs(entry?.durationMs)}${cached ? ` · ${xCacheWords(cached)}` : ''}`,
    rid: trace.rid,
    outcome: classifyOutcome(status, code),
    target: route.at(-1)?.node,
    ...(consumer === undefined ? {} : { consumer }),
  };
}

/** A request line's text around the consumer it names (`… as NAME …`), for the log to show the name in its colour; undefined when it names none. */
export function aroundConsumer(line: LogEntry): { before: string; after: string } | undefined {
  if (line.consumer === undefined) return undefined;
  const words = ` as ${line.consumer} `;
  const at = line.text.indexOf(words);
  return at < 0 ? undefined : { before: `${line.text.slice(0, at)} as `, after: line.text.slice(at + words.length - 1) };
}

/** What a proxy's cache said about a request, as its response header reads, with the origin's 304 when it revalidated. */
function xCacheWords(hop: Hop): string {
  const cache = hop.cache;
  if (cache === undefined) return '';
  return `X-Cache ${cache.xCache}${cache.fwdStatus === 304 ? ' (origin 304)' : ''}`;
}

/**
 * A caching proxy's background refresh (stale-while-revalidate), settled: it went upstream on its own,
 * after a stale answer, and no client waits for it.
 */
export function refreshEntry(trace: Trace): LogEntry {
  const refresh = trace.refresh;
  const entry = entryHop(trace);
  const steps = routeOf(trace);
  const via = [refresh?.node ?? '?', ...steps.map((step) => (step.failed ? `${step.node} ✕` : step.node))].join('→');
  const answer = refresh?.status !== undefined ? String(refresh.status) : (refresh?.error ?? '?');
  const outcome = refresh?.cache ? ` · X-Cache ${refresh.cache.xCache}` : '';
  return {
    kind: 'request',
    ts: refresh?.ts ?? entry?.completedTs ?? 0,
    text: `background refresh ${trace.method || 'GET'} ${trace.path || '?'} → ${answer} via ${via} in ${formatMs(refresh?.durationMs)}${outcome}`,
    rid: trace.rid,
    outcome: classifyOutcome(refresh?.status, refresh?.error),
    target: steps.at(-1)?.node,
  };
}

export function cachePurgedEntry(event: EventOf<'cache.purged'>): LogEntry {
  const what = event.url !== undefined ? event.url : event.prefix === undefined || event.prefix === '/' ? 'everything' : `everything under ${event.prefix}`;
  return { kind: 'config', ts: event.ts, text: `cache of ${event.node} purged: ${plural(event.entries, 'stored response')} dropped (${what})` };
}

export function nodeStateEntry(event: EventOf<'node.state'>, previous: NodeState | undefined): LogEntry {
  const change = previous !== undefined && previous !== event.state ? `${previous} → ${event.state}` : event.state;
  const port = event.state === 'up' && event.port !== null ? ` on :${event.port}` : '';
  return { kind: 'node', ts: event.ts, text: `${event.node} (${event.kind}) ${change}${port}${event.reason ? `: ${event.reason}` : ''}` };
}

export function trafficEntry(event: EventOf<'traffic.state'>): LogEntry {
  const flows = event.flows.map((f) => `${f.name} ${f.rate} req/s → ${f.to}`).join(', ');
  return { kind: 'traffic', ts: event.ts, text: event.running ? `traffic running${flows ? `: ${flows}` : ''}` : 'traffic paused' };
}

/** A flow taken away by a config applied (it removed the node the flow enters at, or brought its own traffic): said as the engine says it. */
export function flowStoppedEntry(event: EventOf<'traffic.flow-stopped'>): LogEntry {
  return { kind: 'traffic', ts: event.ts, text: event.message };
}

export function configEntry(event: EventOf<'config.applied'>): LogEntry {
  return { kind: 'config', ts: event.ts, text: `config applied: ${event.name} (${event.nodes} nodes)` };
}

export function countsResetEntry(event: EventOf<'metrics.reset'>): LogEntry {
  const nodes = Object.keys(event.nodes).length;
  return { kind: 'config', ts: event.ts, text: `counts reset: ${nodes} ${nodes === 1 ? 'node counts' : 'nodes count'} again from zero` };
}

/** Why a fault ended, as the log says it. */
const FAULT_ENDINGS: Record<EventOf<'fault.ended'>['reason'], string> = {
  cleared: 'cleared',
  expired: 'ended (its scenario time was up)',
  'target-removed': 'ended (its target left the config)',
  'scenario-restarted': 'ended (the scenario restarted)',
};

/** A fault starting or ending, with what that does to the target in words (fault-words.ts). */
export function faultEntry(event: EventOf<'fault.started'> | EventOf<'fault.ended'>): LogEntry {
  const { id, target, type, source } = event.fault;
  const started = event.type === 'fault.started';
  const what = started ? (source === 'scenario' ? 'injected by the scenario' : 'injected') : (FAULT_ENDINGS[event.reason] ?? 'ended');
  const effect = faultEffect(event.fault, started);
  return { kind: 'fault', ts: event.ts, text: `fault ${id} ${what}: ${target} ${type}${effect ? `: ${effect}` : ''}` };
}

/**
 * An l4 balancer's connection opening (its one pick) or closing (what rode it). The pick's sentence is
 * the line's detail; the line says what makes l4 different: one decision for many requests.
 */
export function connectionEntry(event: EventOf<'connection.opened'> | EventOf<'connection.closed'>): LogEntry {
  const at = `(l4 balancer ${event.node})`;
  if (event.type === 'connection.opened') {
    const text =
      event.to === undefined
        ? `connection ${event.connection} from ${event.peer} reset: no eligible target ${at}`
        : `connection ${event.connection} from ${event.peer} → ${event.to}: one pick for every request it will carry ${at}`;
    return { kind: 'connection', ts: event.ts, text, detail: event.decision.reason };
  }
  if (event.to === undefined)
    return { kind: 'connection', ts: event.ts, text: `connection ${event.connection} closed: no eligible target ${at}` };
  const carried = `carried ${plural(event.requests, 'request')}, ${formatBytes(event.bytesUp)} up, ${formatBytes(event.bytesDown)} down`;
  const text = event.error
    ? `connection ${event.connection} → ${event.to} failed (${event.error}) after ${formatMs(event.durationMs)}; ${carried} ${at}`
    : `connection ${event.connection} → ${event.to} closed after ${spanOf(Math.round(event.durationMs))}; ${carried} ${at}`;
  return { kind: 'connection', ts: event.ts, text };
}

/** A span of time as a person says it: `30 s`, `1.5 s`, `250 ms`. */
export function spanOf(ms: number): string {
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000} s`;
  return formatMs(ms);
}

function num(detail: Record<string, unknown>, key: string): number | undefined {
  const value = detail[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What made passive outlier detection call a target an outlier, from the event's numbers. */
function outlierCause(detail: Record<string, unknown>): string | undefined {
  const consecutive = num(detail, 'consecutiveFailures');
  if (consecutive !== undefined) return `${consecutive} consecutive failures`;
  const percent = num(detail, 'failurePercent');
  if (percent === undefined) return undefined;
  const failures = num(detail, 'failures');
  const requests = num(detail, 'requests');
  const windowMs = num(detail, 'windowMs');
  const counts =
    failures !== undefined && requests !== undefined
      ? ` (${failures} of ${requests} requests${windowMs !== undefined ? ` in ${spanOf(windowMs)}` : ''})`
      : '';
  return `a ${percent}% failure rate${counts}`;
}

/**
 * A balancer's view of one target changed: active health checks (a check failed or passed, the target
 * went down or came back up) or passive outlier detection (ejected, returned, ejection skipped). The
 * line is built from the event's numbers; the engine's own sentence is kept as the line's detail.
 */
export function healthEntry(event: EventOf<'target.health'>): LogEntry {
  const { node, target, detail } = event;
  const at = `(balancer ${node})`;
  const streak = num(detail, 'streak');
  const rise = num(detail, 'rise');
  const fall = num(detail, 'fall');
  const status = num(detail, 'status');
  const durationMs = num(detail, 'durationMs');
  const answer = [status !== undefined ? `status ${status}` : '', durationMs !== undefined ? `in ${formatMs(durationMs)}` : '']
    .filter(Boolean)
    .join(' ');
  let text: string;
  switch (event.change) {
    case 'check-failed':
      text = `${target} failed a health check${answer ? ` (${answer})` : ''}${streak !== undefined && fall !== undefined ? `: ${streak} of ${fall} failures in a row mark it down` : ''} ${at}`;
      break;
    case 'check-passed':
      text = `${target} passed a health check${answer ? ` (${answer})` : ''}${streak !== undefined && rise !== undefined ? `: ${streak} of ${rise} passes in a row bring it back` : ''} ${at}`;
      break;
    case 'down':
      text = `${target} is down: ${fall !== undefined ? `${plural(fall, 'health check')} failed in a row` : 'its health checks failed'}, no new requests go to it${rise !== undefined ? ` until ${plural(rise, 'check')} pass in a row` : ''} ${at}`;
      break;
    case 'up':
      text = `${target} is up again: ${rise !== undefined ? `${plural(rise, 'health check')} passed in a row` : 'its health checks passed'}, back in rotation ${at}`;
      break;
    case 'ejected': {
      const ejectionMs = num(detail, 'ejectionMs');
      const cause = outlierCause(detail);
      const times = num(detail, 'timesEjected');
      const ejected = num(detail, 'ejectedTargets');
      const targets = num(detail, 'targets');
      const notes = [
        `balancer ${node}`,
        times !== undefined ? `ejection ${times}` : '',
        ejected !== undefined && targets !== undefined ? `${ejected} of ${targets} targets out` : '',
      ]
        .filter(Boolean)
        .join(', ');
      text = `${target} ejected${ejectionMs !== undefined ? ` for ${spanOf(ejectionMs)}` : ''}${cause ? ` after ${cause}` : ''} (${notes})`;
      break;
    }
    case 'returned':
      text = `${target} returned to rotation: its ejection time is over ${at}`;
      break;
    case 'ejection-skipped': {
      const cause = outlierCause(detail);
      const ejected = num(detail, 'ejectedTargets');
      const targets = num(detail, 'targets');
      const max = num(detail, 'maxEjectionPercent');
      const already =
        ejected !== undefined && targets !== undefined
          ? `: ${ejected} of ${targets} targets are already ejected${max !== undefined ? ` (at most ${max}% may be)` : ''}`
          : '';
      text = `${target} not ejected${cause ? ` despite ${cause}` : ''}${already} ${at}`;
      break;
    }
  }
  return { kind: 'health', ts: event.ts, text, detail: event.reason };
}

/** A balancer's circuit breaker for one target changed state: closed → open → half-open → closed (or open again). */
export function circuitEntry(event: EventOf<'circuit.state'>): LogEntry {
  const { node, target, from, to, detail } = event;
  const coolDownMs = num(detail, 'coolDownMs');
  const trialRequests = num(detail, 'trialRequests');
  let meaning: string;
  if (to === 'open') {
    const failures = num(detail, 'failures');
    const cause =
      from === 'half-open' ? 'a trial request failed' : failures !== undefined ? `${failures} consecutive failures` : 'failures';
    meaning = `after ${cause}, requests skip ${target}${coolDownMs !== undefined ? ` for ${spanOf(coolDownMs)}` : ''}`;
  } else if (to === 'half-open') {
    meaning = `the cool-down is over, ${trialRequests !== undefined ? plural(trialRequests, 'trial request') : 'trial requests'} may test ${target}`;
  } else {
    const successes = num(detail, 'trialSuccesses');
    meaning = `${successes !== undefined ? `${plural(successes, 'trial request')} succeeded` : 'the trial requests succeeded'}, ${target} takes requests again`;
  }
  return {
    kind: 'circuit',
    ts: event.ts,
    text: `circuit to ${target} ${from} → ${to}: ${meaning} (balancer ${node})`,
    detail: event.reason,
  };
}

export function tlsConnectionEntry(event: EventOf<'tls.connection'>): LogEntry {
  const text =
    event.outcome === 'established'
      ? `${event.node}: TLS connection from ${event.peer}: ${event.protocol}, ${event.tlsVersion} ${event.cipher}, handshake ${formatMs(event.handshakeMs)}${event.resumed ? ' (resumed)' : ''}`
      : `${event.node}: TLS handshake from ${event.peer} failed after ${formatMs(event.handshakeMs)}: ${event.reason}`;
  return { kind: 'connection', ts: event.ts, text };
}

export function tlsCertificateEntry(event: EventOf<'tls.certificate'>): LogEntry {
  const { tls } = event;
  return {
    kind: 'node',
    ts: event.ts,
    text: `${event.node}: TLS with ${tls.selfSigned ? 'a self-signed certificate' : 'the certificate'} ${tls.certFile} (SHA-256 ${tls.fingerprint256.slice(0, 23)}…); trust it with curl --cacert ${tls.certFile}`,
    detail: `SHA-256 ${tls.fingerprint256}; ${tls.protocols.join(' and ')} by ALPN${tls.warnings?.length ? `; ${tls.warnings.join('; ')}` : ''}`,
  };
}

export function engineErrorEntry(event: EventOf<'engine.error'>): LogEntry {
  return { kind: 'error', ts: event.ts, text: `engine error${event.node ? ` at ${event.node}` : ''}: ${event.message}` };
}

export function droppedEntry(dropped: number, ts: number): LogEntry {
  return {
    kind: 'stream',
    ts,
    text: `this tab fell behind: ${dropped} request events were skipped (dots and log lines are a sample; the counts stay exact)`,
  };
}

/** The most recent lines, newest first; `lines` is a fresh array after every change. */
export class LogBuffer {
  #lines: LogLine[] = [];
  #nextId = 1;
  readonly #capacity: number;

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  get lines(): readonly LogLine[] {
    return this.#lines;
  }

  push(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    const added = entries.map((entry) => ({ ...entry, id: this.#nextId++ })).reverse();
    this.#lines = [...added, ...this.#lines].slice(0, this.#capacity);
  }

  clear(): void {
    this.#lines = [];
  }
}
