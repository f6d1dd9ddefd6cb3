/**
 * The traffic part of a headless run's output: the rate bit of the progress line, a table per flow and
 * phase (target and achieved rate, skipped sends, latency from the intended send time), and notes that
 * say plainly when the generator could not do what the config asked.
 */
import type { TrafficStats } from '../traffic/generator.ts';

/** Sends later than this (p99) after their intended time mean the generator's own event loop was behind. */
const LATE_SEND_MS = 20;
/** An open-loop phase that achieved less than this share of its target is called out. */
const ACHIEVED_SHARE = 0.95;

/** `98.5 req/s (target 100)  skipped 3  lag p99 2.1 ms`: the live rate against the target, and what was not sent. */
export function trafficProgress(stats: TrafficStats): string {
  const closed = stats.flows.some((f) => f.running && f.loop === 'closed');
  const target = stats.targetRate > 0 ? ` (${closed ? 'open-loop target' : 'target'} ${stats.targetRate})` : '';
  const skipped = stats.skipped > 0 ? `  skipped ${stats.skipped}` : '';
  const phases = stats.flows
    .filter((f) => f.running && f.phases.length > 1)
    .map((f) => `  ${f.name} phase ${f.phase + 1}/${f.phases.length} ${f.phases[f.phase].shape}`)
    .join('');
  return `${stats.ratePerSecond} req/s${target}${skipped}${phases}`;
}

const COLUMNS = [
  'flow',
  'phase',
  'shape',
  'for s',
  'sent',
  'skipped',
  'done',
  'target/s',
  'achieved/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
] as const;

/** One row per phase that ran (and a total row for a flow of several phases); latency from the intended send time in open loop. */
export function flowTable(stats: TrafficStats): string {
  const rows: string[][] = [];
  for (const flow of stats.flows) {
    const ran = flow.phases.filter((p) => p.state !== 'pending');
    for (const p of ran) {
      rows.push([
        flow.name,
        p.name,
        p.shape,
        p.forMs === null ? '-' : (p.forMs / 1000).toFixed(1),
        String(p.sent),
        String(p.skipped),
        String(p.completed),
        p.targetRate === null ? '-' : p.targetRate.toFixed(1),
        p.achievedRate.toFixed(1),
        p.latency.p50.toFixed(1),
        p.latency.p95.toFixed(1),
        p.latency.p99.toFixed(1),
      ]);
    }
    if (ran.length > 1) {
      rows.push([
        flow.name,
        '(all)',
        '',
        (flow.elapsedMs / 1000).toFixed(1),
        String(flow.sent),
        String(flow.skipped),
        String(flow.completed),
        '-',
        flow.achievedRate.toFixed(1),
        flow.latency.p50.toFixed(1),
        flow.latency.p95.toFixed(1),
        flow.latency.p99.toFixed(1),
      ]);
    }
  }
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** What the generator could not do, one sentence each: skipped sends, late sends, phases short of their target. */
export function trafficNotes(stats: TrafficStats): string[] {
  const notes: string[] = [];
  for (const flow of stats.flows) {
    if (flow.skipped > 0) {
      notes.push(
        `${flow.name}: ${flow.skipped} of ${flow.intended} intended sends were skipped because too many requests were unanswered (maxOutstanding); the rate the config asked for was not sent`,
      );
    }
    if (flow.lag.p99 > LATE_SEND_MS) {
      notes.push(
        `${flow.name}: sends left up to ${Math.max(flow.lag.p99, flow.lag.max).toFixed(1)} ms (p99 ${flow.lag.p99.toFixed(1)} ms) after their intended time, so the generator itself was behind; latencies count that delay`,
      );
    }
    for (const p of flow.phases) {
      if (p.state === 'pending' || p.targetRate === null || p.targetRate === 0) continue;
      if (p.achievedRate < ACHIEVED_SHARE * p.targetRate) {
        notes.push(
          `${flow.name} ${p.name}: achieved ${p.achievedRate.toFixed(1)} req/s of the ${p.targetRate.toFixed(1)} req/s its schedule asked for`,
        );
      }
    }
  }
  return notes;
}
