/**
 * The `pickers` case: what one pick of each load-balancing algorithm costs, without the network.
 *
 * Asks the picker registry (engine/src/balancer/pickers/index.ts) for its algorithms, then runs one
 * child per picker variant (bench/sut/pickers.mjs, under tsx), one after the other, each pinned to the
 * SUT core as the harness pins every system under test. A child times picks at 3, 30 and 300 targets,
 * all eligible and with every third one ineligible (warm-up, then the median of 7 timed batches, wall
 * clock and CPU time), and, for maglev and consistent-hash, the table and ring builds. See the child's
 * header for what a pick does around the picker (keys, in-flight counts, settles).
 *
 * The harness (bench/run.mjs) runs it as case `pickers`; alone for exploring:
 *   node bench/pickers.mjs [--only NAME]...
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectPinning, pinned, SUT_CORE } from './lib/pinning.mjs';
import { CaseUnavailable } from './lib/sut.mjs';
import { CHAIN_ALGORITHMS } from './sut/engine-configs.mjs';
import { UNAVAILABLE } from './sut/protocol.mjs';

const CHILD = fileURLToPath(new URL('./sut/pickers.mjs', import.meta.url));
const TSX = import.meta.resolve('tsx');
const RESULT = 'RESULT ';
const CHILD_TIMEOUT_MS = 180_000;

/** Children still running, so an interrupted harness stops them on the way out. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One run of the case: every variant (or those in `only`), in a child each. Resolves to
 * { startedAt, pickerIds, hashed, variants: [child result...], loadavg, notes }.
 */
export async function runPickers({ pinning, log = () => {}, only = [] }) {
  const startedAt = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const list = await runChild(['--list'], pinning);
  const notes = [];
  const missing = list.pickerIds.filter((id) => !CHAIN_ALGORITHMS.includes(id));
  if (missing.length)
    notes.push(`registered but not in the chain cases (bench/sut/engine-configs.mjs CHAIN_ALGORITHMS): ${missing.join(', ')}`);
  const stale = CHAIN_ALGORITHMS.filter((id) => !list.pickerIds.includes(id));
  if (stale.length) notes.push(`in the chain cases but no longer registered: ${stale.join(', ')}`);

  const variants = [];
  for (const v of list.variants.filter((v) => only.length === 0 || only.includes(v.name))) {
    const result = await runChild([v.name], pinning);
    variants.push(result);
    log(variantLine(result));
  }
  return { startedAt, pickerIds: list.pickerIds, hashed: list.hashed, variants, loadavgAtStart, loadavgAtEnd: os.loadavg(), notes };
}

/** "round-robin  3: 0.12  30: 0.49  300: 3.6 us/pick (CPU)  [a third out: ...]" */
export function variantLine(result) {
  const at = (ineligible) =>
    result.configs
      .filter((c) => c.ineligible > 0 === ineligible)
      .map((c) => `${c.targets}: ${micros(c.cpuNsPerPick)}`)
      .join('  ');
  const builds = result.builds
    ? `  build at 300: ${result.builds.bySize.find((b) => b.targets === 300).cpuMs.toFixed(1)} ms` +
      ` (first ${result.builds.firstAt300.cpuMs.toFixed(1)} ms)`
    : '';
  return `${result.variant.name.padEnd(24)} us/pick (CPU) ${at(false)}  | a third out ${at(true)}${builds}`;
}

export function micros(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '-';
  const us = ns / 1000;
  if (us < 10) return us.toFixed(2);
  if (us < 100) return us.toFixed(1);
  return Math.round(us).toLocaleString('en-US');
}

function runChild(args, pinning) {
  const [command, argv] = pinned(pinning, SUT_CORE, process.execPath, ['--import', TSX, CHILD, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pickers child ${args.join(' ')} did not finish in ${CHILD_TIMEOUT_MS / 1000} s`));
    }, CHILD_TIMEOUT_MS);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      const lines = out.split('\n');
      const unavailable = lines.find((l) => l.startsWith(UNAVAILABLE));
      if (unavailable) return reject(new CaseUnavailable(unavailable.slice(UNAVAILABLE.length)));
      const line = lines.find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) return reject(new Error(`pickers child ${args.join(' ')} exited with ${code}\n${err.trim() || out.trim()}`));
      resolve(JSON.parse(line.slice(RESULT.length)));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true, default: [] } } });
  const run = await runPickers({ pinning: detectPinning(), log: console.log, only: values.only });
  for (const note of run.notes) console.log(`note: ${note}`);
}
