/**
 * Output of the `generator-max` case (bench/generator-max.mjs): the summary over its repetitions (the
 * median of the highest sustained rates, and each run's), a text block for the terminal, and the
 * "Traffic generator: latest result" section of bench/README.md (between the two bench:generator-max
 * markers), which it rewrites whenever the case ran.
 */
import { stepLine } from '../generator-max.mjs';
import { median } from './summary.mjs';
import { rewriteReadmeSection } from './readme-section.mjs';

const pct = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : `${Math.round(v * 100)}%`);

/** Which side ran out at the limit: the generator's core, the service's, or neither (a shared machine). */
function bottleneck(limit) {
  if (!limit) return 'not reached';
  if (limit.generatorCpu >= 0.9) return 'the generator (its core was busy)';
  if (limit.serviceCpu >= 0.9) return 'the trivial service (its core was busy): the generator can do more';
  return 'neither core was saturated: other work on the machine, or latency';
}

export function summariseGeneratorMax(runs) {
  if (runs.length === 0) return null;
  const highest = runs.map((r) => r.highest?.target ?? 0);
  const last = runs.at(-1);
  return {
    runs: runs.length,
    settings: last.settings,
    highestSustained: median(highest),
    perRun: highest,
    atHighest: last.highest,
    limit: last.limit,
    bottleneck: bottleneck(last.limit),
    steps: last.steps,
  };
}

export function generatorMaxText(s) {
  return [
    `generator-max (${s.runs} run${s.runs > 1 ? 's' : ''}): highest sustained ${s.highestSustained} req/s` +
      (s.runs > 1 ? ` (runs: ${s.perRun.join(', ')})` : '') +
      `; limit: ${s.bottleneck}`,
    ...s.steps.map((step) => `  ${stepLine(step)}`),
  ].join('\n');
}

/** Rewrite the README's generator-max section; false when the README has no markers. */
export function updateGeneratorMaxReadme(result, resultsFile) {
  const s = result.generatorMax?.summary;
  if (!s) return false;
  const m = result.machine;
  const pinning = result.pinning.enabled
    ? `generator on core ${result.pinning.loadCore}, service on core ${result.pinning.sutCore}`
    : `not pinned: ${result.pinning.reason}`;
  const rows = s.steps.map(
    (st) =>
      `| ${st.target} | ${st.achieved.toFixed(1)} | ${st.skipped} | ${st.lagMs.p99.toFixed(1)} | ${st.latencyMs.p50.toFixed(2)} / ${st.latencyMs.p99.toFixed(2)} | ${pct(st.generatorCpu)} | ${pct(st.serviceCpu)} | ${st.sustained ? 'yes' : 'no'} |`,
  );
  const section = [
    '',
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, written by \`npm run bench\` (\`bench/results/${resultsFile.split('/').at(-1)}\`). ` +
      `${m.cpus} x ${m.cpuModel}, Node ${m.node}, ${pinning}, ${s.settings.clients} virtual clients, ${s.settings.warmup} s warm-up + ` +
      `${s.settings.seconds} s measured per step. Load average (1/5/15 min) ${m.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ` +
      `${m.loadavgAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end.`,
    '',
    `**Highest sustained rate: ${s.highestSustained} req/s**${s.runs > 1 ? ` (median of ${s.runs} runs: ${s.perRun.join(', ')})` : ''}. Limit: ${s.bottleneck}.`,
    '',
    '| target req/s | achieved req/s | skipped | send lag p99 ms | latency p50 / p99 ms | generator CPU | service CPU | sustained |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
  ].join('\n');
  return rewriteReadmeSection('generator-max', section);
}
