/**
 * Output of the frame-budget case (bench/frame-budget.mjs): one line per run, the summary over its
 * repetitions (medians; the worst for maxima), a table for the terminal and for bench/README.md, whose
 * "Frame budget: latest result" section (between the two bench:frame-budget markers) it rewrites.
 */
import { SCRIPT_TARGET_MS, verdictOf } from '../frame-budget.mjs';
import { median } from './summary.mjs';
import { rewriteReadmeSection } from './readme-section.mjs';

const fmt = (v, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const pct = (v) => (v === null || v === undefined ? '-' : `${Math.round(v * 100)}%`);

export function frameBudgetLine(run) {
  return (
    `${run.dots.median} dots (min ${run.dots.min})  ${fmt(run.fps)} fps  ` +
    `dot layer ${fmt(run.hook.median, 2)}/${fmt(run.hook.p95, 2)}/${fmt(run.hook.max, 2)} ms  ` +
    `page script ${fmt(run.chrome.scriptMsPerFrame.mean, 2)} ms/frame (p95 ${fmt(run.chrome.scriptMsPerFrame.p95, 2)})  ` +
    `main thread ${fmt(run.chrome.taskMsPerFrame.mean, 1)} ms/frame  ${run.verdict}`
  );
}

/**
 * Medians over the repetitions (maxima are the worst run's), as the harness does for every case; the
 * verdict is that of the medians, and each run's own verdict is kept beside it.
 */
export function summariseFrameBudget(runs) {
  if (runs.length === 0) return null;
  const med = (f) => median(runs.map(f));
  const max = (f) => Math.max(...runs.map(f).filter(Number.isFinite));
  const renderer = runs.every((r) => r.rendererMainThread)
    ? {
        cpuMsPerFrame: med((r) => r.rendererMainThread.cpuMsPerFrame),
        waitMsPerFrame: med((r) => r.rendererMainThread.waitMsPerFrame),
        waitShare: med((r) => r.rendererMainThread.waitShare),
      }
    : null;
  const summary = {
    runs: runs.length,
    targetDots: runs[0].targetDots,
    rate: med((r) => r.rate),
    dots: { min: Math.min(...runs.map((r) => r.dots.min)), median: med((r) => r.dots.median) },
    requestsInFlight: med((r) => r.requestsInFlight.median),
    fps: med((r) => r.fps),
    frameIntervalMs: {
      p95: med((r) => r.frameIntervalMs.p95),
      max: max((r) => r.frameIntervalMs.max),
      over25ms: med((r) => r.frameIntervalMs.over25ms),
    },
    hook: { median: med((r) => r.hook.median), p95: med((r) => r.hook.p95), max: max((r) => r.hook.max) },
    script: {
      mean: med((r) => r.chrome.scriptMsPerFrame.mean),
      p95: med((r) => r.chrome.scriptMsPerFrame.p95),
      max: max((r) => r.chrome.scriptMsPerFrame.max),
    },
    task: { mean: med((r) => r.chrome.taskMsPerFrame.mean), p95: med((r) => r.chrome.taskMsPerFrame.p95) },
    threadCpu: { mean: med((r) => r.chrome.mainThreadCpuMsPerFrame.mean) },
    longAnimationFrames: runs.every((r) => r.longAnimationFrames)
      ? { count: med((r) => r.longAnimationFrames.count), maxMs: max((r) => r.longAnimationFrames.maxMs) }
      : null,
    cpu: { engine: med((r) => r.cpu.engine), chromium: med((r) => r.cpu.chromium ?? NaN) },
    rendererMainThread: renderer,
    mainThread: runs.at(-1).mainThread,
    runVerdicts: runs.map((r) => r.verdict),
  };
  summary.verdict = verdictOf({
    targetDots: summary.targetDots,
    dots: summary.dots,
    hook: summary.hook,
    chrome: { scriptMsPerFrame: summary.script },
  });
  return summary;
}

/** A warning when Chromium's main thread spent a good part of its time waiting for its core, or null. */
export function contentionNote(s) {
  const share = s.rendererMainThread?.waitShare;
  if (share === undefined || share === null || share < 0.2) return null;
  return (
    `Chromium's main thread waited for its core ${Math.round(share * 100)}% of the time it was ready to run ` +
    "(other work on the machine, or Chromium's own threads on the same core): every wall-clock number here is inflated; " +
    're-run on a quiet machine before acting on a verdict close to the line.'
  );
}

function rows(s) {
  const lft = s.longAnimationFrames;
  return [
    ['dots in flight (min / median)', `${s.dots.min} / ${s.dots.median}`],
    ['requests in flight (median, from the engine)', `${s.requestsInFlight}`],
    ['traffic rate that gave those dots', `${s.rate} req/s`],
    ['frames per second', fmt(s.fps)],
    [
      'frame interval ms (p95 / max), frames over 25 ms',
      `${fmt(s.frameIntervalMs.p95)} / ${fmt(s.frameIntervalMs.max)}, ${s.frameIntervalMs.over25ms}`,
    ],
    [
      'dot layer script ms per frame, page hook (median / p95 / max)',
      `${fmt(s.hook.median, 2)} / ${fmt(s.hook.p95, 2)} / ${fmt(s.hook.max, 2)}`,
    ],
    [
      'page script ms per frame, Chrome ScriptDuration (mean / p95 / max of 1 s windows)',
      `${fmt(s.script.mean, 2)} / ${fmt(s.script.p95, 2)} / ${fmt(s.script.max, 2)}`,
    ],
    ['main-thread task ms per frame, Chrome TaskDuration (mean / p95 of 1 s windows)', `${fmt(s.task.mean, 2)} / ${fmt(s.task.p95, 2)}`],
    ['main-thread CPU ms per frame, Chrome ThreadTime (mean)', fmt(s.threadCpu.mean, 2)],
    ['long animation frames over 50 ms (count / longest ms)', lft ? `${lft.count} / ${fmt(lft.maxMs)}` : 'not supported'],
    [
      'renderer main thread ms per frame, kernel schedstat (running / waiting for the core)',
      s.rendererMainThread ? `${fmt(s.rendererMainThread.cpuMsPerFrame, 2)} / ${fmt(s.rendererMainThread.waitMsPerFrame, 2)}` : '-',
    ],
    ['CPU, share of one core (engine / Chromium, all processes)', `${pct(s.cpu.engine)} / ${pct(s.cpu.chromium)}`],
    [
      `under ${SCRIPT_TARGET_MS} ms of script per frame, charts drawing`,
      s.runVerdicts.length > 1 ? `${s.verdict} (runs: ${s.runVerdicts.join(', ')})` : s.verdict,
    ],
  ];
}

function breakdownText(s) {
  if (!s.mainThread) return null;
  const top = s.mainThread.top.slice(0, 6).map((t) => `${t.name} ${fmt(t.msPerFrame, 2)}`);
  return `main thread, ms per frame by Chrome trace event (self time, ${s.mainThread.seconds} s traced after the measured run, ${fmt(s.mainThread.busyMsPerFrame, 2)} ms busy per frame): ${top.join(', ')}`;
}

export function frameBudgetText(s) {
  const all = [['frame-budget', ''], ...rows(s)];
  const width = Math.max(...all.map((r) => r[0].length));
  const lines = rows(s).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  const breakdown = breakdownText(s);
  return [
    `frame-budget, ${s.targetDots} dots (${s.runs} run${s.runs > 1 ? 's' : ''}, medians):`,
    ...lines,
    ...(breakdown ? [`  ${breakdown}`] : []),
    ...(contentionNote(s) ? [`  note: ${contentionNote(s)}`] : []),
  ].join('\n');
}

/** Rewrite the README's frame-budget section; false when the README has no markers. */
export function updateFrameBudgetReadme(result, resultsFile) {
  const s = result.frameBudget?.summary;
  if (!s) return false;
  const run = result.frameBudget.runs.at(-1);
  const m = result.machine;
  const pinning = result.pinning.enabled
    ? `engine on core ${result.pinning.loadCore}, Chromium (every process) on core ${result.pinning.sutCore}`
    : `not pinned: ${result.pinning.reason}`;
  const breakdown = breakdownText(s);
  const section = [
    '',
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, written by \`npm run bench\` (\`bench/results/${resultsFile.split('/').at(-1)}\`). ` +
      `${m.cpus} x ${m.cpuModel}, Node ${m.node}, ${run.browser} headless with --disable-gpu (software canvas), viewport ` +
      `${run.viewport.width}x${run.viewport.height} at device pixel ratio 1, ${result.settings.warmupSeconds} s warm-up + ` +
      `${result.settings.durationSeconds} s measured, ${s.runs} run${s.runs > 1 ? 's' : ''} (medians), ${pinning}. ` +
      `Load average (1/5/15 min) ${m.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ` +
      `${m.loadavgAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end.`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    ...rows(s).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    ...(breakdown ? [`${breakdown[0].toUpperCase()}${breakdown.slice(1)}.`, ''] : []),
    ...(contentionNote(s) ? [`Note: ${contentionNote(s)}`, ''] : []),
  ].join('\n');
  return rewriteReadmeSection('frame-budget', section);
}
