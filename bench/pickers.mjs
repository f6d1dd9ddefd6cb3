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
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runMicroChild } from './lib/micro-child.mjs';
import { detectPinning } from './lib/pinning.mjs';
import { CHAIN_ALGORITHMS } from './sut/engine-configs.mjs';

const CHILD = fileURLToPath(new URL('./sut/pickers.mjs', import.meta.url));

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
  return runMicroChild({ name: 'pickers', child: CHILD, args, pinning });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true, default: [] } } });
  const run = await runPickers({ pinning: detectPinning(), log: console.log, only: values.only });
  for (const note of run.notes) console.log(`note: ${note}`);
}
