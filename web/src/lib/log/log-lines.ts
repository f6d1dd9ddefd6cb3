/**
 * The event log: the text twin of the animation. Each line is built from engine events only (the
 * duration is the entry node's own measurement), and the buffer keeps the most recent `capacity`.
 */
import type { EventOf, NodeState } from '../../../../engine/src/events.ts';
import { formatMs } from '../format.ts';
import { classifyOutcome, type OutcomeClass } from '../outcome.ts';
import { answerError, entryHop, routeOf, type Trace } from '../traces/trace-store.ts';

export type LogKind = 'request' | 'node' | 'fault' | 'traffic' | 'config' | 'error' | 'stream';

export interface LogEntry {
  kind: LogKind;
  /** Engine time for engine events, browser time for the learner's own actions. */
  ts: number;
  text: string;
  /** For request lines: opens the trace. */
  rid?: string;
  outcome?: OutcomeClass;
}

export interface LogLine extends LogEntry {
  id: number;
}

export function requestEntry(trace: Trace): LogEntry {
  const entry = entryHop(trace);
  const status = entry?.status;
  const via = routeOf(trace)
    .map((step) => (step.failed ? `${step.node} ✕` : step.node))
    .join('→');
  const code = entry === undefined ? undefined : answerError(trace, entry);
  const answer = `${status ?? '?'}${code ? ` ${code}` : ''}`;
  return {
    kind: 'request',
    ts: entry?.completedTs ?? 0,
    text: `${trace.method || '?'} ${trace.path || '?'} → ${answer} via ${via} in ${formatMs(entry?.durationMs)}`,
    rid: trace.rid,
    outcome: classifyOutcome(status, code),
  };
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

export function configEntry(event: EventOf<'config.applied'>): LogEntry {
  return { kind: 'config', ts: event.ts, text: `config applied: ${event.name} (${event.nodes} nodes)` };
}

export function faultEntry(event: EventOf<'fault.started'> | EventOf<'fault.ended'>): LogEntry {
  const { id, target, type } = event.fault;
  const what = event.type === 'fault.started' ? 'injected' : 'cleared';
  const effect = type === 'down' ? (event.type === 'fault.started' ? ': its listener is closed, connections are refused' : ': it listens again') : '';
  return { kind: 'fault', ts: event.ts, text: `fault ${id} ${what}: ${target} ${type}${effect}` };
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
