/**
 * The `limiters` case: what one decision of each rate-limiting algorithm costs, without the network, and
 * what a key costs in memory.
 *
 * Asks the limiter registry (engine/src/gateway/limiters/index.ts) for its algorithms, then runs one
 * child per variant (bench/sut/limiters.mjs, under tsx), one after the other, each pinned to the SUT
 * core: decisions a second over 10,000 distinct keys per algorithm, and the whole per-request call of a
 * limit set with its RateLimit fields. A last child (with --expose-gc) measures bytes per key held and
 * floods a limiter with 1,000,000 distinct keys to show its memory stays bounded. See the child's header
 * for what a decision does.
 *
 * The harness (bench/run.mjs) runs it as case `limiters`; alone for exploring:
 *   node bench/limiters.mjs [--only NAME]... [--no-memory]
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runMicroChild } from './lib/micro-child.mjs';
import { detectPinning } from './lib/pinning.mjs';

const CHILD = fileURLToPath(new URL('./sut/limiters.mjs', import.meta.url));

/**
 * One run of the case: every variant (or those in `only`) in a child each, then the memory child.
 * Resolves to { startedAt, limiterIds, variants: [child result...], memory, loadavgAtStart, loadavgAtEnd }.
 */
export async function runLimiters({ pinning, log = () => {}, only = [], memory = true }) {
  const startedAt = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const list = await runChild(['--list'], pinning);
  const variants = [];
  for (const v of list.variants.filter((v) => only.length === 0 || only.includes(v.name))) {
    const result = await runChild([v.name], pinning);
    variants.push(result);
    log(variantLine(result));
  }
  let memoryResult = null;
  if (memory) {
    memoryResult = await runChild(['--memory'], pinning, ['--expose-gc']);
    for (const line of memoryLines(memoryResult)) log(line);
  }
  return { startedAt, limiterIds: list.limiterIds, variants, memory: memoryResult, loadavgAtStart, loadavgAtEnd: os.loadavg() };
}

/** "token-bucket   7.9 M decisions/s (CPU 127 ns each), 93% passed" */
export function variantLine(result) {
  const millions = (result.decisionsPerSecond / 1e6).toFixed(result.decisionsPerSecond < 1e7 ? 2 : 1);
  return `${result.variant.name.padEnd(30)} ${millions} M decisions/s (CPU ${Math.round(result.cpuNsPerDecision)} ns each), ${Math.round(result.passedShare * 100)}% passed`;
}

/** The memory child's findings as lines: bytes per key per algorithm, and the flood. */
export function memoryLines(memoryResult) {
  const { perKey, flood } = memoryResult;
  return [
    ...perKey.map(
      (m) =>
        `memory ${m.name.padEnd(40)} ${m.bytesPerKey} bytes a key (${m.keys} keys, ${m.requestsPerKey} request${m.requestsPerKey > 1 ? 's' : ''} each)`,
    ),
    `flood: ${flood.keysSent.toLocaleString('en-US')} distinct keys -> ${flood.mostHeld.toLocaleString('en-US')} held at most (maxKeys ${flood.maxKeys.toLocaleString('en-US')}), heap +${flood.heapGrowthMiB} MiB`,
  ];
}

function runChild(args, pinning, nodeArgs = []) {
  return runMicroChild({ name: 'limiters', child: CHILD, args, pinning, nodeArgs });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true, default: [] }, 'no-memory': { type: 'boolean', default: false } },
  });
  await runLimiters({ pinning: detectPinning(), log: console.log, only: values.only, memory: !values['no-memory'] });
}
