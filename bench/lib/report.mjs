/**
 * Output of a run: the table on the terminal, the machine-readable JSON in bench/results/, and the
 * "Latest results" section of bench/README.md (between its two bench:results markers).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

const COLUMNS = ['case', 'hops', 'req/s', 'spread', 'p50 ms', 'p99 ms', 'SUT CPU', 'req/CPU-s', 'errors', 'note'];
const NUMERIC = new Set([1, 2, 3, 4, 5, 6, 7, 8]);

function row(c) {
  if (!c.median) return [c.name, String(c.hops), '-', '-', '-', '-', '-', '-', '-', `${c.status}: ${c.reason}`];
  const m = c.median;
  const errors = c.runs.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  return [
    c.name,
    String(c.hops),
    Math.round(m.rps).toLocaleString('en-US'),
    c.spread === null ? '-' : `±${Math.round(c.spread * 100)}%`,
    m.p50Ms.toFixed(2),
    m.p99Ms.toFixed(2),
    `${Math.round(m.sutCpu * 100)}%`,
    Math.round(m.reqPerCpuSecond).toLocaleString('en-US'),
    String(errors),
    c.note ?? '',
  ];
}

export function textTable(cases) {
  const rows = [COLUMNS, ...cases.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((cell, i) => (NUMERIC.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(cases) {
  const align = COLUMNS.map((_, i) => (NUMERIC.has(i) ? '---:' : '---'));
  return [COLUMNS, align, ...cases.map(row)].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** A warning when some cases did not get most of their core, or null. */
export function starvedNote(cases) {
  const starved = cases.filter((c) => c.median && c.median.sutCpu < 0.9).map((c) => c.name);
  if (starved.length === 0) return null;
  return (
    `${starved.join(', ')} got under 90% of the SUT core (other work on the machine, or a load generator that ` +
    'cannot keep up): their req/s is low, trust the req/CPU-s ratios more.'
  );
}

/** The measured targets, one per line; the ones whose cases did not run are left out. */
export function targetsText(targets) {
  const measured = targets.filter((t) => t.value !== null);
  if (measured.length === 0) return '  (none: their cases did not run)';
  return measured.map((t) => `  ${t.verdict.padEnd(14)} ${t.shown.padStart(6)}  ${t.target}`).join('\n');
}

function targetsMarkdown(byRps, byCpu) {
  const lines = ['| target | by req/s | by req/CPU-s |', '| --- | ---: | ---: |'];
  byRps.forEach((t, i) => lines.push(`| ${t.target} | ${t.shown} (${t.verdict}) | ${byCpu[i].shown} (${byCpu[i].verdict}) |`));
  return lines.join('\n');
}

export function writeResults(result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = result.startedAt.slice(0, 16).replace('T', '-').replace(':', '');
  const file = `${RESULTS_DIR}${stamp}-${result.caseSet}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Rewrite the README's results section; false when the README has no markers. */
export function updateReadme(result, resultsFile) {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) return false;
  const s = result.settings;
  const machine = result.machine;
  const section = [
    START,
    '',
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, written by \`npm run bench\` ` +
      `(\`bench/results/${resultsFile.split('/').at(-1)}\`). ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, ` +
      `${result.loadGenerator.version}, ${s.connections} keep-alive connections, ${s.warmupSeconds} s warm-up + ` +
      `${s.durationSeconds} s measured per case, median of ${s.repeat} run${s.repeat > 1 ? 's' : ''} ` +
      `(interleaved), ${result.pinning.enabled ? 'load generator on core 0, system under test on core 1' : `not pinned: ${result.pinning.reason}`}. ` +
      `Load average (1/5/15 min) ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ` +
      `${machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end.`,
    '',
    markdownTable(result.cases),
    '',
    targetsMarkdown(result.targets.byRps, result.targets.byCpu),
    '',
    ...(starvedNote(result.cases) ? [`Note: ${starvedNote(result.cases)}`, ''] : []),
    ...(result.skipped.length ? [...result.skipped.map((line) => `- ${line}`), ''] : []),
    END,
  ].join('\n');
  writeFileSync(README, readme.slice(0, from) + section + readme.slice(to + END.length));
  return true;
}
