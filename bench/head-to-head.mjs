/**
 * The `head-to-head` case: each ratio target measured with both of its systems under test running at
 * the same time on the same core, each loaded by its own load generator on the load core.
 *
 * Why: on a shared machine the core's speed drifts by 10-30 % from one minute to the next, so two
 * cases measured one after the other (even interleaved) can disagree by more than the margin a target
 * is judged on. Running both at once exposes them to the same drift: the scheduler gives each the same
 * share of the core, so the ratio of their throughputs is the ratio of their costs per request. Each
 * trial starts fresh processes (a process's JIT decisions alone can move it by a few percent), and the
 * starting order alternates. The ratio is the median of the trials.
 *
 * What it cannot see: anything that is not CPU per request on the SUT core (both SUTs are CPU-bound
 * here, at half a core each), and effects of having the core alone (caches are shared for the run).
 */
import { CASES } from './lib/cases.mjs';
import { probe } from './lib/probe.mjs';
import { attachSseClient } from './lib/sse-attach.mjs';
import { median, TARGETS } from './lib/summary.mjs';
import { startSut } from './lib/sut.mjs';
import { rewriteReadmeSection } from './lib/readme-section.mjs';

/**
 * The ratio targets of bench/lib/summary.mjs (`TARGETS`, the same values and thresholds as the
 * sequential table) and the two cases each compares. Each trial's ratio is `subject` req/s over
 * `baseline` req/s; the target's own `value` reads it (a share, or the extra cost per request).
 */
export const PAIRS = [
  { id: 'engine-chain-vs-undici-3hop', subject: 'engine-chain', baseline: 'undici-3hop' },
  { id: 'engine-chain-vs-undici-3hop-fields', subject: 'engine-chain', baseline: 'undici-3hop-fields' },
  { id: 'engine-1hop-vs-http-proxy', subject: 'engine-1hop', baseline: 'http-proxy-1hop' },
  { id: 'sse-client-cost', subject: 'engine-chain-sse', baseline: 'engine-chain' },
  { id: 'idle-fault-layer-cost', subject: 'engine-chain-faults-idle', baseline: 'engine-chain' },
  { id: 'gateway-policies-cost', subject: 'engine-chain-policies', baseline: 'engine-chain' },
  { id: 'cache-hit-vs-pass-through', subject: 'engine-1hop-cache-hit', baseline: 'engine-1hop' },
  { id: 'bare-answer-vs-bare-pass-through', subject: 'direct', baseline: 'undici-1hop' },
  { id: 'cache-miss-cost', subject: 'engine-1hop-cache-miss', baseline: 'engine-1hop' },
  { id: 'compression-cost', subject: 'engine-1hop-gzip', baseline: 'engine-1hop-json' },
];

const REQUEST_PATH = '/items/1';

/**
 * Run `trials` trials of every pair; `tsx` is the resolved tsx loader for the engine's children.
 * Resolves to { pairs: [{ ...pair, trials: [{ subjectRps, baselineRps, ratio }], ratio, met }] }.
 */
export async function runHeadToHead({ pinning, loadGenerator, connections, seconds, warmup, trials, pairs: only = [], tsx, undiciMode, log }) {
  const unknown = only.filter((id) => !PAIRS.some((p) => p.id === id));
  if (unknown.length > 0) throw new Error(`unknown pair ${unknown.join(', ')}; pairs: ${PAIRS.map((p) => p.id).join(', ')}`);
  const byName = new Map(CASES.map((c) => [c.name, c]));
  const pairs = [];
  for (const pair of PAIRS.filter((p) => only.length === 0 || only.includes(p.id))) {
    const subject = byName.get(pair.subject);
    const baseline = byName.get(pair.baseline);
    const results = [];
    for (let trial = 1; trial <= trials; trial++) {
      const order = trial % 2 === 1 ? [subject, baseline] : [baseline, subject];
      const run = await runTrial(order, { pinning, loadGenerator, connections, seconds, warmup, tsx, undiciMode });
      const subjectRps = run.get(subject.name).rps;
      const baselineRps = run.get(baseline.name).rps;
      results.push({ subjectRps, baselineRps, ratio: subjectRps / baselineRps });
      log(
        `${pair.subject} vs ${pair.baseline} [${trial}/${trials}]: ${Math.round(subjectRps)} vs ${Math.round(baselineRps)} req/s, ` +
          `ratio ${(results.at(-1).ratio * 100).toFixed(1)}%`,
      );
    }
    const ratio = median(results.map((r) => r.ratio));
    const target = TARGETS.find((t) => t.id === pair.id);
    const value = target.value({ [pair.subject]: ratio, [pair.baseline]: 1 });
    pairs.push({ ...pair, target: target.target, trials: results, ratio, value, shown: target.show(value), met: target.met === null ? null : target.met(value) });
  }
  return { settings: { trials, seconds, warmup, connections }, pairs };
}

/** Start both SUTs (in `order`) on the SUT core, prove they answer, warm both up together, then measure both together. */
async function runTrial(order, { pinning, loadGenerator, connections, seconds, warmup, tsx, undiciMode }) {
  const started = [];
  const sse = [];
  try {
    for (const c of order) {
      const sut = await startSut({
        entry: c.sut.entry,
        nodeArgs: c.sut.tsx ? ['--import', tsx] : [],
        args: [...c.sut.args, ...(c.engine ? [] : ['--undici-mode', undiciMode])],
        pinning,
      });
      started.push({ c, sut, headers: sut.info.headers, url: `http://127.0.0.1:${sut.info.port}${REQUEST_PATH}${sut.info.query ? `?${sut.info.query}` : ''}` });
    }
    for (const { c, sut, url } of started) {
      await probe(url);
      if (c.sse) sse.push(await attachSseClient({ url: `http://127.0.0.1:${sut.info.controlPort}/api/events`, pinning }));
    }
    const together = (s) => Promise.all(started.map(({ url, headers }) => loadGenerator.run({ url, headers, connections, pinning, seconds: s })));
    if (warmup > 0) await together(warmup);
    const measured = await together(seconds);
    return new Map(started.map(({ c }, i) => [c.name, measured[i]]));
  } finally {
    for (const client of sse) await client.close();
    for (const { sut } of started) await sut.stop();
  }
}

/** The pairs as text lines: trials, median, target and whether it is met. */
export function headToHeadText(result) {
  return result.pairs.map(
    (p) => `  ${(p.met === null ? 'noted' : p.met ? 'met' : 'missed').padEnd(7)} ${p.shown.padStart(7)}  ${p.target}  (${p.subject} / ${p.baseline} per trial: ${ratios(p)})`,
  );
}

/** Rewrite the head-to-head section of bench/README.md; false when its markers are missing. */
export function updateHeadToHeadReadme(result, resultsFile) {
  const s = result.headToHead?.summary;
  if (!s) return false;
  const m = result.machine;
  const rows = s.pairs.map((p) => {
    const rps = `${Math.round(median(p.trials.map((t) => t.subjectRps)))} / ${Math.round(median(p.trials.map((t) => t.baselineRps)))}`;
    return `| ${p.subject} / ${p.baseline} | ${ratios(p)} | ${rps} | **${p.shown}** | ${p.target} | ${p.met === null ? 'no target' : p.met ? 'met' : 'missed'} |`;
  });
  const section = [
    '',
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, written by \`npm run bench\` (\`bench/results/${resultsFile.split('/').at(-1)}\`). ` +
      `${m.cpus} x ${m.cpuModel}, Node ${m.node}, ${s.settings.trials} fresh trials per pair, ${s.settings.warmup} s warm-up + ${s.settings.seconds} s measured, ` +
      `${s.settings.connections} connections per case. Load average (1/5/15 min) ${m.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start.`,
    '',
    '| subject / baseline | ratio per trial | median req/s (each on half the core) | value | target | |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  return rewriteReadmeSection('head-to-head', section);
}

/** A pair's ratio in each trial, as percentages. */
function ratios(pair) {
  return pair.trials.map((t) => `${(t.ratio * 100).toFixed(1)}%`).join(', ');
}
