/**
 * The `generator-max` case: the highest rate the engine's traffic generator sustains on its own.
 *
 * The trivial service (bench/reference/service.mjs, the `direct` reference topology) runs in a child
 * pinned to the SUT core, and the generator (bench/sut/generator.mjs, under tsx) in a child pinned to
 * the load core: open loop over 50 virtual clients, the target stepped up until the generator achieves
 * under 95% of it or skips a send. Both processes' CPU is recorded per step, so the result says which
 * side ran out: a generator near 100% of its core is the generator's limit; a service near 100% means
 * the trivial service was the bottleneck and the generator's real limit is higher.
 *
 * The harness (bench/run.mjs) runs it as case `generator-max`; alone for exploring:
 *   node bench/generator-max.mjs [--seconds 3] [--warmup 1]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LOAD_CORE, detectPinning, pinned } from './lib/pinning.mjs';
import { cpuSeconds, startSut } from './lib/sut.mjs';

const CHILD = fileURLToPath(new URL('./sut/generator.mjs', import.meta.url));
const TSX = import.meta.resolve('tsx');
const CHILD_TIMEOUT_MS = 600_000;

/** Children still running, so an interrupted harness stops them on the way out. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One run of the case. Resolves to { startedAt, settings, steps: [{ target, achieved, skipped, lagMs,
 * latencyMs, generatorCpu, serviceCpu, sustained, ... }], highest, limit, loadavgAtStart, loadavgAtEnd }.
 */
export async function runGeneratorMax({ pinning, seconds = 3, warmup = 1, log = () => {} }) {
  const startedAt = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const service = await startSut({ entry: 'reference.mjs', args: ['direct'], pinning });
  try {
    const url = `http://127.0.0.1:${service.info.port}`;
    const result = await runChild(['--url', url, '--seconds', String(seconds), '--warmup', String(warmup)], pinning, service.pid, (step) =>
      log(stepLine(step)),
    );
    return { startedAt, ...result, loadavgAtStart, loadavgAtEnd: os.loadavg() };
  } finally {
    await service.stop();
  }
}

/** "target 5000/s  achieved 4998.2/s  skipped 0  lag p99 1.2 ms  CPU generator 61% service 48%  ok" */
export function stepLine(step) {
  const pct = (v) => (v === null || v === undefined ? '-' : `${Math.round(v * 100)}%`);
  return (
    `target ${String(step.target).padStart(6)}/s  achieved ${step.achieved.toFixed(1).padStart(8)}/s  skipped ${step.skipped}  ` +
    `lag p99 ${step.lagMs.p99.toFixed(1)} ms  latency p99 ${step.latencyMs.p99.toFixed(1)} ms  ` +
    `CPU generator ${pct(step.generatorCpu)} service ${pct(step.serviceCpu)}  ${step.sustained ? 'ok' : 'not sustained'}`
  );
}

function runChild(args, pinning, servicePid, onStep) {
  const [command, argv] = pinned(pinning, LOAD_CORE, process.execPath, ['--import', TSX, CHILD, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let pending = '';
    let err = '';
    let result = null;
    let serviceCpuAt = null;
    const steps = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`generator child did not finish in ${CHILD_TIMEOUT_MS / 1000} s`));
    }, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line === 'MEASURING') serviceCpuAt = { at: performance.now(), cpu: cpuSeconds(servicePid) };
        else if (line.startsWith('STEP ')) {
          const step = JSON.parse(line.slice(5));
          step.serviceCpu = serviceCpuAt
            ? (cpuSeconds(servicePid) - serviceCpuAt.cpu) / ((performance.now() - serviceCpuAt.at) / 1000)
            : null;
          steps.push(step);
          onStep(step);
        } else if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      if (code !== 0 || !result) return reject(new Error(`generator child exited with ${code}\n${err.trim()}`));
      // The steps as the harness saw them: the child's, with the service's CPU over each measured window.
      const withCpu = (s) => s && steps.find((t) => t.target === s.target && t.completed === s.completed);
      resolve({ settings: result.settings, steps, highest: withCpu(result.highest) ?? null, limit: withCpu(result.limit) ?? null });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' } } });
  const run = await runGeneratorMax({
    pinning: detectPinning(),
    seconds: Number(values.seconds),
    warmup: Number(values.warmup),
    log: console.log,
  });
  console.log(run.highest ? `highest sustained: ${run.highest.target} req/s` : 'not even the first step was sustained');
}
