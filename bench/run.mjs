/**
 * `npm run bench`: the edge benchmark. Runs every case (bench/lib/cases.mjs) side by side: each system
 * under test in its own child process pinned to core 1, the load generator (wrk, else autocannon)
 * pinned to core 0, keep-alive connections, a warm-up then a measured run, repeated and interleaved
 * when `--repeat` is given. Prints requests/s and p50/p99 latency (medians), writes
 * bench/results/<date>-<case set>.json and refreshes the results section of bench/README.md.
 * The `frame-budget` case is the lab page in Chromium instead (bench/frame-budget.mjs), the `editing` case
 * edits a 30-node topology in that page with traffic flowing (bench/editing.mjs), and the `pickers`
 * case times the balancer's pickers in a loop (bench/pickers.mjs), the `limiters` case the gateway's rate
 * limiters (bench/limiters.mjs), the `cache-memory` case floods a caching proxy with distinct keys
 * (bench/cache-memory.mjs), and the `generator-max` case steps the
 * engine's traffic generator up to the highest rate it sustains (bench/generator-max.mjs): each has its
 * own numbers, table, JSON field and README section. The `chain-<algorithm>` cases (group `chain-per-algorithm`) are ordinary load
 * cases whose results also feed the pickers section (the picker share of a request).
 * `npm run bench -- --help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { editingLine, runEditing } from './editing.mjs';
import { runFrameBudget } from './frame-budget.mjs';
import { readArgs, USAGE } from './lib/args.mjs';
import { CASES, GROUPS, selectCases } from './lib/cases.mjs';
import { frameBudgetLine, frameBudgetText, summariseFrameBudget, updateFrameBudgetReadme } from './lib/frame-budget-report.mjs';
import { runGeneratorMax } from './generator-max.mjs';
import { headToHeadText, runHeadToHead, updateHeadToHeadReadme } from './head-to-head.mjs';
import { generatorMaxText, summariseGeneratorMax, updateGeneratorMaxReadme } from './lib/generator-report.mjs';
import { pickLoadGenerator } from './lib/loadgen.mjs';
import { detectPinning } from './lib/pinning.mjs';
import {
  chainCasesOf,
  latestResults,
  pickerShares,
  pickersOf,
  pickersText,
  sharesText,
  summarisePickers,
  updatePickersReadme,
} from './lib/picker-report.mjs';
import { probe } from './lib/probe.mjs';
import { runPickers } from './pickers.mjs';
import { runLimiters } from './limiters.mjs';
import { cacheMemoryLines, runCacheMemory } from './cache-memory.mjs';
import { limitersText, summariseLimiters, updateLimitersReadme } from './lib/limiter-report.mjs';
import { starvedNote, targetsText, textTable, updateReadme, writeResults } from './lib/report.mjs';
import { attachSseClient } from './lib/sse-attach.mjs';
import { evaluateTargets, medians, spread } from './lib/summary.mjs';
import { CaseUnavailable, cpuSeconds, startSut } from './lib/sut.mjs';

/** The path every case is asked for: an ordinary API path, matched by the engine gateway's `/*` route. */
const REQUEST_PATH = '/items/1';
const TSX = import.meta.resolve('tsx');

let options;
let cases;
try {
  options = readArgs(process.argv.slice(2));
  cases = selectCases(options.only);
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (options.list) {
  for (const c of CASES) console.log(`${c.name.padEnd(26)} ${c.what}`);
  for (const [group, names] of Object.entries(GROUPS)) console.log(`${group.padEnd(26)} group: ${names.join(', ')}`);
  process.exit(0);
}

const loadGenerator = pickLoadGenerator(options.loadgen);
const pinning = detectPinning();
const startedAt = new Date().toISOString();
const loadavgAtStart = os.loadavg();
const engineTreeAtStart = engineTree();

console.log(
  `edge bench: ${cases.length} case(s), ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s measured, ` +
    `${options.connections} connections, ${options.repeat} repetition(s), ${loadGenerator.version}, ` +
    `${pinning.enabled ? `load on core ${pinning.loadCore}, SUT on core ${pinning.sutCore}` : `unpinned (${pinning.reason})`}`,
);

/** Per case: its runs, or why it was skipped or failed. */
const outcome = new Map(cases.map((c) => [c.name, { runs: [], status: 'ok' }]));

for (let rep = 1; rep <= options.repeat; rep++) {
  for (const c of cases) {
    const state = outcome.get(c.name);
    if (state.status !== 'ok') continue;
    const label = `[${rep}/${options.repeat}] ${c.name}`;
    try {
      if (c.browser) {
        const run = await runFrameBudget({
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          pinning,
          log: (line) => console.log(`${label.padEnd(26)} ${line}`),
        });
        state.runs.push(run);
        console.log(`${label.padEnd(26)} ${frameBudgetLine(run)}`);
        continue;
      }
      if (c.editing) {
        const run = await runEditing({ pinning, warmupSeconds: options.warmupSeconds, log: (line) => console.log(`${label.padEnd(26)} ${line}`) });
        state.runs.push(run);
        console.log(`${label.padEnd(26)} ${editingLine(run)}`);
        continue;
      }
      if (c.generatorMax) {
        const run = await runGeneratorMax({
          pinning,
          seconds: Math.max(1, Math.round(options.durationSeconds / 3)),
          warmup: Math.min(options.warmupSeconds, 1),
          log: (line) => console.log(`${label.padEnd(26)} ${line}`),
        });
        state.runs.push(run);
        console.log(`${label.padEnd(26)} highest sustained: ${run.highest ? `${run.highest.target} req/s` : 'none'}`);
        continue;
      }
      if (c.headToHead) {
        // One run of several fresh trials per pair: repetitions add trials instead of runs.
        if (rep > 1) continue;
        const run = await runHeadToHead({
          pinning,
          loadGenerator,
          connections: options.connections,
          seconds: options.durationSeconds,
          warmup: options.warmupSeconds,
          trials: Math.max(5, options.repeat),
          pairs: options.pairs,
          tsx: TSX,
          undiciMode: options.undiciMode,
          log: (line) => console.log(`${label.padEnd(26)} ${line}`),
        });
        state.runs.push(run);
        continue;
      }
      if (c.cacheMemory) {
        const run = await runCacheMemory({ pinning });
        state.runs.push(run);
        for (const line of cacheMemoryLines(run)) console.log(`${label.padEnd(26)} ${line}`);
        continue;
      }
      if (c.limiters) {
        const run = await runLimiters({ pinning, log: (line) => console.log(`${label.padEnd(26)} ${line}`) });
        state.runs.push(run);
        continue;
      }
      if (c.micro) {
        const run = await runPickers({ pinning, log: (line) => console.log(`${label.padEnd(26)} ${line}`) });
        state.runs.push(run);
        for (const note of run.notes) console.log(`${label.padEnd(26)} note: ${note}`);
        continue;
      }
      const { run, response } = await runCase(c);
      state.runs.push(run);
      state.response = response;
      console.log(
        `${label.padEnd(26)} ${Math.round(run.rps).toString().padStart(7)} req/s  p50 ${run.p50Ms.toFixed(2)} ms  ` +
          `p99 ${run.p99Ms.toFixed(2)} ms  SUT CPU ${Math.round(run.sutCpu * 100)}%` +
          (run.errors + run.non2xx ? `  errors ${run.errors} non-2xx ${run.non2xx}` : '') +
          (run.sse ? `  SSE ${Math.round(run.sse.requestEvents / run.sse.seconds)} request events/s, ${run.sse.dropped} dropped` : ''),
      );
    } catch (error) {
      state.status = error instanceof CaseUnavailable ? 'skipped' : 'failed';
      state.reason = error instanceof CaseUnavailable ? error.message : firstLines(error.message);
      console.log(`${label.padEnd(26)} ${state.status}: ${state.reason}`);
    }
  }
}

const loadCases = cases.filter((c) => !c.browser && !c.editing && !c.micro && !c.limiters && !c.generatorMax && !c.headToHead && !c.cacheMemory);
const summarised = loadCases.map((c) => {
  const state = outcome.get(c.name);
  const measured = state.status === 'ok' && state.runs.length > 0;
  return {
    name: c.name,
    hops: c.hops,
    what: c.what,
    status: state.status,
    reason: state.reason,
    note: noteFor(state),
    response: state.response,
    median: measured ? medians(state.runs) : null,
    spread: measured ? spread(state.runs) : null,
    runs: state.runs,
  };
});

const browserCase = cases.find((c) => c.browser);
const frameBudget = browserCase ? caseResult(browserCase, summariseFrameBudget) : undefined;
const microCase = cases.find((c) => c.micro);
const pickers = microCase ? caseResult(microCase, summarisePickers, slimPickersRun) : undefined;
const limitersCase = cases.find((c) => c.limiters);
const limiters = limitersCase ? caseResult(limitersCase, summariseLimiters) : undefined;
const generatorCase = cases.find((c) => c.generatorMax);
const generatorMax = generatorCase ? caseResult(generatorCase, summariseGeneratorMax) : undefined;
const headToHeadCase = cases.find((c) => c.headToHead);
const headToHead = headToHeadCase ? caseResult(headToHeadCase, (runs) => runs[0]) : undefined;
const editingCase = cases.find((c) => c.editing);
const editing = editingCase ? caseResult(editingCase, (runs) => runs.at(-1)) : undefined;
const cacheMemoryCase = cases.find((c) => c.cacheMemory);
const cacheMemory = cacheMemoryCase ? caseResult(cacheMemoryCase, (runs) => runs.at(-1)) : undefined;
const pickerShare = pickerShareOf(pickers, summarised);
const skipped = skippedLines(
  [...summarised, ...[frameBudget, editing, pickers, limiters, generatorMax, headToHead, cacheMemory].filter((extra) => extra && extra.status !== 'ok')],
);
const targets = { byRps: evaluateTargets(summarised, 'rps'), byCpu: evaluateTargets(summarised, 'reqPerCpuSecond') };
const result = {
  startedAt,
  caseSet: options.only.length ? [...new Set(options.only)].join('+') : 'all',
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavgAtStart,
    loadavgAtEnd: os.loadavg(),
    shared: 'other engineers run builds and tests on this machine meanwhile; SUT CPU below 100% means it lost time to them',
  },
  engineTree: engineTreeAtStart,
  loadGenerator: { name: loadGenerator.name, version: loadGenerator.version, threads: loadGenerator.name === 'wrk' ? 1 : undefined },
  pinning,
  settings: {
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    repeat: options.repeat,
    path: REQUEST_PATH,
    undiciMode: options.undiciMode,
  },
  cases: summarised,
  frameBudget,
  editing,
  pickers,
  limiters,
  generatorMax,
  headToHead,
  cacheMemory,
  pickerShare: pickerShare ? { sources: pickerShare.sources, rows: pickerShare.rows } : undefined,
  targets,
  skipped,
};

if (summarised.length > 0) {
  console.log(`\n${textTable(summarised)}\n`);
  console.log(`targets, by req/s:\n${targetsText(targets.byRps)}`);
  console.log(`targets, by req per SUT CPU-second (less sensitive to a shared machine):\n${targetsText(targets.byCpu)}`);
}
if (frameBudget?.summary) console.log(`\n${frameBudgetText(frameBudget.summary)}`);
if (generatorMax?.summary) console.log(`\n${generatorMaxText(generatorMax.summary)}`);
if (headToHead?.summary) console.log(`\ntargets, head to head (both cases at once on the SUT core, median of the trials):\n${headToHeadText(headToHead.summary).join('\n')}`);
if (pickers?.summary) console.log(`\n${pickersText(pickers.summary)}`);
if (limiters?.summary) console.log(`\n${limitersText(limiters.summary)}`);
if (pickerShare?.rows.length) console.log(`\n${sharesText(pickerShare.rows, pickerShare.sources)}`);
for (const line of skipped) console.log(line);
if (starvedNote(summarised)) console.log(`\nnote: ${starvedNote(summarised)}`);
const file = writeResults(result);
console.log(`\nresults: ${file}`);
if (options.writeReadme && options.only.length === 0) {
  console.log(
    updateReadme(result, file) ? 'bench/README.md results section updated' : 'bench/README.md has no results markers; not updated',
  );
}
// The frame-budget section stands alone, so any run of that case refreshes it (also with --only).
if (options.writeReadme && frameBudget?.summary) {
  console.log(
    updateFrameBudgetReadme(result, file)
      ? 'bench/README.md frame-budget section updated'
      : 'bench/README.md has no frame-budget markers; not updated',
  );
}

// The generator-max section stands alone too: any run of that case refreshes it.
if (options.writeReadme && generatorMax?.summary) {
  console.log(
    updateGeneratorMaxReadme(result, file)
      ? 'bench/README.md generator-max section updated'
      : 'bench/README.md has no generator-max markers; not updated',
  );
}

// The head-to-head section stands alone too: any run of that case refreshes it.
if (options.writeReadme && headToHead?.summary) {
  console.log(
    updateHeadToHeadReadme(result, file)
      ? 'bench/README.md head-to-head section updated'
      : 'bench/README.md has no head-to-head markers; not updated',
  );
}

// The limiters section stands alone too: any run of that case refreshes it.
if (options.writeReadme && limiters?.summary) {
  console.log(
    updateLimitersReadme(result, file) ? 'bench/README.md limiters section updated' : 'bench/README.md has no limiters markers; not updated',
  );
}

// The pickers section stands alone too: any run of `pickers` or of a chain-<algorithm> case refreshes it.
if (options.writeReadme && pickerShare) {
  console.log(
    updatePickersReadme(result, file, pickerShare.inputs)
      ? 'bench/README.md pickers section updated'
      : 'bench/README.md has no pickers markers; not updated',
  );
}

/** Start the case's SUT, prove it answers, warm up, measure, stop; resolves to the run and the probe's response. */
async function runCase(c) {
  const sut = await startSut({
    entry: c.sut.entry,
    nodeArgs: c.sut.tsx ? ['--import', TSX] : [],
    args: [...c.sut.args, ...(c.engine ? [] : ['--undici-mode', options.undiciMode])],
    pinning,
  });
  let sse = null;
  try {
    const url = `http://127.0.0.1:${sut.info.port}${REQUEST_PATH}${sut.info.query ? `?${sut.info.query}` : ''}`;
    const response = await probe(url);
    if (c.sse) sse = await attachSseClient({ url: `http://127.0.0.1:${sut.info.controlPort}/api/events`, pinning });
    const load = { url, connections: options.connections, pinning, headers: sut.info.headers };
    if (options.warmupSeconds > 0) await loadGenerator.run({ ...load, seconds: options.warmupSeconds });
    sse?.mark();
    const cpuBefore = cpuSeconds(sut.pid);
    const measured = await loadGenerator.run({ ...load, seconds: options.durationSeconds });
    const cpu = cpuSeconds(sut.pid) - cpuBefore;
    const sseReport = sse ? await sse.report() : undefined;
    const run = {
      ...measured,
      sutCpu: cpu / options.durationSeconds,
      reqPerCpuSecond: cpu > 0 ? measured.requests / cpu : null,
      loadavg1m: os.loadavg()[0],
      controlServer: sut.info.controlServer,
      sse: sseReport,
    };
    return { run, response };
  } finally {
    await sse?.close();
    await sut.stop();
  }
}

/** A non-load case's part of the results: every run, the summary, or why it did not run. */
function caseResult(c, summarise, slim = (run) => run) {
  const state = outcome.get(c.name);
  const measured = state.status === 'ok' && state.runs.length > 0;
  return {
    name: c.name,
    what: c.what,
    status: state.status,
    reason: state.reason,
    summary: measured ? summarise(state.runs) : null,
    runs: state.runs.map(slim),
  };
}

/** A pickers run as the results file keeps it: per configuration only the figures, not the child's diagnostics. */
function slimPickersRun(run) {
  return {
    ...run,
    variants: run.variants.map((v) => ({
      ...v,
      configs: v.configs.map(({ targets, ineligible, cpuNsPerPick, wallNsPerPick, waitShare, batchRange }) => ({
        targets,
        ineligible,
        cpuNsPerPick,
        wallNsPerPick,
        waitShare,
        batchRange,
      })),
    })),
  };
}

/**
 * The picker share of a request, when this run measured the pickers or a chain-<algorithm> case: the
 * other half from the newest results file that has it. Null when this run measured neither.
 */
function pickerShareOf(pickersRun, summarisedCases) {
  const ownChain = chainCasesOf({ cases: summarisedCases });
  const ownPickers = pickersRun?.summary ?? null;
  if (!ownChain && !ownPickers) return null;
  const earlierPickers = ownPickers ? null : latestResults(pickersOf);
  // Chain cases this run did not measure (all, or some when --only named a few) come from the newest file that has them.
  const measured = new Set((ownChain ?? []).map((c) => c.name));
  const borrowed = latestResults((json) => {
    const missing = (chainCasesOf(json) ?? []).filter((c) => !measured.has(c.name));
    return missing.length ? missing : null;
  });
  const chainCases = [...(ownChain ?? []), ...(borrowed?.value ?? [])];
  const inputs = {
    pickers: ownPickers ?? earlierPickers?.value ?? null,
    pickersFile: earlierPickers?.file,
    chainCases: chainCases.length ? chainCases : null,
    chainFile: borrowed?.file,
    /** With some chain cases measured by this run: the names taken from chainFile. */
    chainBorrowed: ownChain && borrowed ? borrowed.value.map((c) => c.name) : undefined,
  };
  inputs.shares = pickerShares(inputs.pickers, inputs.chainCases);
  const chainSource =
    borrowed && (inputs.chainBorrowed ? `${inputs.chainBorrowed.join(', ')} from ${borrowed.file}` : `chain from ${borrowed.file}`);
  const sources = [earlierPickers && `picks from ${earlierPickers.file}`, chainSource].filter(Boolean);
  return { inputs, rows: inputs.shares, sources: sources.length ? sources.join(', ') : null };
}

function noteFor(state) {
  const errors = state.runs.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
  const notes = [];
  if (errors > 0) notes.push('errors: result not comparable');
  if (state.runs.some((r) => r.controlServer === 'missing')) notes.push('control server missing (engine/src/server.ts)');
  const sse = state.runs.map((r) => r.sse).filter(Boolean);
  if (sse.length) {
    const perSecond = sse.map((s) => s.requestEvents / s.seconds).sort((a, b) => a - b)[sse.length >> 1];
    notes.push(`SSE: ${Math.round(perSecond)} request events/s, ${sse.reduce((sum, s) => sum + s.dropped, 0)} dropped`);
  }
  return notes.join('; ');
}

/** One line per skip reason; engine cases read "engine cases skipped: <reason>". */
function skippedLines(list) {
  const byReason = new Map();
  for (const c of list.filter((c) => c.status !== 'ok')) {
    const key = `${c.status}\u0000${c.reason}`;
    byReason.set(key, [...(byReason.get(key) ?? []), c]);
  }
  return [...byReason.values()].map((group) => {
    const { status, reason } = group[0];
    const names = group.map((c) => c.name).join(', ');
    const who = group.every((c) => CASES.find((k) => k.name === c.name).engine) ? 'engine cases' : 'cases';
    return `${who} ${status}: ${reason} (${names})`;
  });
}

/**
 * The engine code a run measured: the commit, and the engine files that differed from it when the run
 * started (other engineers edit the same checkout, so a run may measure work in progress).
 */
function engineTree() {
  const git = (...args) => spawnSync('git', args, { encoding: 'utf8', cwd: new URL('..', import.meta.url) });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const status = git('status', '--porcelain', '--', 'engine/src');
  return {
    commit: head.stdout.trim(),
    uncommitted: status.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}

function firstLines(text) {
  return text.split('\n').filter(Boolean).slice(0, 3).join(' | ');
}
