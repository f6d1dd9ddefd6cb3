/** The headless run's output: the live progress line, the final table and the JSON report. */
import type { NodeMetrics } from '../events.ts';
import type { FaultRecord } from '../faults/controller.ts';
import type { TrafficStats } from '../traffic/generator.ts';
import { trafficProgress } from './traffic-report.ts';

export function progressLine(
  elapsedMs: number,
  durationMs: number | undefined,
  stats: TrafficStats,
  nodes: Record<string, NodeMetrics>,
): string {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const of = durationMs ? `/${(durationMs / 1000).toFixed(0)}s` : 's';
  const errors = Object.values(nodes).reduce((sum, n) => sum + n.errors, 0);
  const ok = stats.statusClasses['2xx'] ?? 0;
  return `${seconds}${of}  sent ${stats.sent}  done ${stats.completed}  2xx ${ok}  node errors ${errors}  ${trafficProgress(stats)}  p50 ${stats.latency.p50} ms  p99 ${stats.latency.p99} ms`;
}

const COLUMNS = ['node', 'kind', 'requests', '2xx', '3xx', '4xx', '5xx', 'errors', 'p50 ms', 'p95 ms', 'p99 ms'] as const;

export function summaryTable(nodes: Record<string, NodeMetrics>, stats: TrafficStats): string {
  const rows: string[][] = Object.entries(nodes).map(([id, m]) => [
    id,
    m.kind,
    String(m.requests),
    String(m.statusClasses['2xx']),
    String(m.statusClasses['3xx']),
    String(m.statusClasses['4xx']),
    String(m.statusClasses['5xx']),
    String(m.errors),
    m.latency.p50.toFixed(1),
    m.latency.p95.toFixed(1),
    m.latency.p99.toFixed(1),
  ]);
  const cls = (c: string) => String(stats.statusClasses[c] ?? 0);
  const clientErrors = Object.values(stats.errorCodes).reduce((a, b) => a + b, 0);
  rows.push([
    '(clients)',
    'traffic',
    String(stats.completed),
    cls('2xx'),
    cls('3xx'),
    cls('4xx'),
    cls('5xx'),
    String(clientErrors),
    stats.latency.p50.toFixed(1),
    stats.latency.p95.toFixed(1),
    stats.latency.p99.toFixed(1),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface RunReport {
  config: { file: string; name: string };
  startedAt: string;
  durationMs: number;
  /** True when the run was stopped by Ctrl-C before its duration ended. */
  interrupted: boolean;
  traffic: TrafficStats;
  nodes: Record<string, NodeMetrics>;
  failures: string[];
  /** Every fault that ran (the config's scenario, and any injected through the API), with its times relative to the run's start. */
  faults: RunFault[];
}

/** A fault as the report lists it: its info, and when it started and ended in ms since the run started. */
export type RunFault = FaultRecord & { startMs: number; endMs?: number };

/** The faults that ran, with run-relative times (`startedAt`, `endedAt` stay wall-clock). */
export function runFaults(history: FaultRecord[], runStartedAt: number): RunFault[] {
  return history.map((f) => ({
    ...f,
    startMs: Math.max(0, f.startedAt - runStartedAt),
    ...(f.endedAt === undefined ? {} : { endMs: Math.max(0, f.endedAt - runStartedAt) }),
  }));
}

/** One line per fault: `f1 latency on users-1 (scenario[0]) 5.0 s -> 15.0 s, expired`. */
export function faultLines(faults: RunFault[]): string[] {
  return faults.map((f) => {
    const origin = f.source === 'scenario' ? `scenario[${f.scenario}]` : 'api';
    const until = f.endMs === undefined ? 'to the end' : `-> ${(f.endMs / 1000).toFixed(1)} s, ${f.endReason}`;
    return `  ${f.id} ${f.type} on ${f.target} (${origin}) ${(f.startMs / 1000).toFixed(1)} s ${until}`;
  });
}
