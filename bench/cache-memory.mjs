/**
 * The `cache-memory` case: a proxy cache's memory stays bounded by its configured byte limit under a
 * flood of distinct keys. One child (bench/sut/cache-memory.mjs, tsx, --expose-gc, pinned to the SUT
 * core) floods a real engine's caching proxy with requests for distinct paths at two cache sizes; the
 * store's own count must never pass maxSize, and the process's heap (buffers included) must level off.
 *
 * The harness (bench/run.mjs) runs it as case `cache-memory`; alone: node bench/cache-memory.mjs
 */
import { fileURLToPath } from 'node:url';
import { runMicroChild } from './lib/micro-child.mjs';
import { detectPinning } from './lib/pinning.mjs';

const CHILD = fileURLToPath(new URL('./sut/cache-memory.mjs', import.meta.url));

/** Resolves to the child's result: { keys, body, runs: [{ maxSize, storeBytesMax, heapGrowthMiB, samples... }] }. */
export function runCacheMemory({ pinning, keys = 60_000, sizes = ['4mb', '16mb'] }) {
  return runMicroChild({
    name: 'cache-memory',
    child: CHILD,
    args: ['--keys', String(keys), '--sizes', sizes.join(',')],
    pinning,
    nodeArgs: ['--expose-gc'],
    timeoutMs: 600_000,
  });
}

/** One line per cache size: "maxSize 4mb: 60,000 distinct keys -> store at most 4,193,376 bytes (limit 4,194,304), 1,489 entries; heap +9.1 MiB" */
export function cacheMemoryLines(result) {
  return result.runs.map(
    (run) =>
      `maxSize ${run.maxSize}: ${run.keysSent.toLocaleString('en-US')} distinct keys of ${result.body} -> store at most ` +
      `${run.storeBytesMax.toLocaleString('en-US')} bytes (limit ${run.maxSizeBytes.toLocaleString('en-US')}), ` +
      `${run.entriesAtEnd.toLocaleString('en-US')} entries; heap and buffers ${run.heapBeforeMiB} -> ${run.heapAfterMiB} MiB ` +
      `(${run.storeBytesMax <= run.maxSizeBytes ? 'within' : 'PAST'} the limit)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runCacheMemory({ pinning: detectPinning() });
  for (const line of cacheMemoryLines(result)) console.log(line);
}
