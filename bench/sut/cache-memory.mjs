/**
 * The `cache-memory` case's child (run under tsx with --expose-gc): a real engine whose proxy caches in
 * front of a service that marks every path cacheable, flooded with requests for distinct paths (each a
 * new key, each answer stored). It samples the cache's bytes (its own count, from the topology) and the
 * heap with its buffers after a full GC, and prints `RESULT {json}` per configured maxSize: the store must never pass its
 * limit, and the heap must level off however many keys come.
 *
 *   node --expose-gc --import tsx bench/sut/cache-memory.mjs [--keys N] [--sizes 4mb,16mb]
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { Engine } from '../../engine/src/engine.ts';
import { validateConfig } from '../../engine/src/config/validate.ts';
import { parseByteSize } from '../../engine/src/service/service-body.ts';

const { values } = parseArgs({ options: { keys: { type: 'string', default: '60000' }, sizes: { type: 'string', default: '4mb,16mb' } } });
const KEYS = Number(values.keys);
const SIZES = values.sizes.split(',');
const BODY = '2kb';
const CONCURRENCY = 32;
const SAMPLES = 12;

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
/** The heap and the buffers outside it (stored bodies are Buffers), after a full GC. */
const heapMiB = () => {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 2 ** 20;
};

const runs = [];
for (const maxSize of SIZES) runs.push(await flood(maxSize));
console.log(`RESULT ${JSON.stringify({ keys: KEYS, body: BODY, runs })}`);

async function flood(maxSize) {
  const input = {
    version: 1,
    name: 'bench: cache flood',
    nodes: [
      { id: 'edge', kind: 'proxy', to: 'svc', cache: { maxSize } },
      { id: 'svc', kind: 'service', latency: 0, responseSize: BODY, cache: [{ path: '/*', cacheControl: 'max-age=3600' }] },
    ],
  };
  const checked = validateConfig(input);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  const engine = new Engine({ metricsIntervalMs: 0 });
  await engine.start(checked.config, { input, traffic: false });
  const port = engine.topology().find((n) => n.id === 'edge').port;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  const cacheView = () => engine.topology().find((n) => n.id === 'edge').cache;
  const heapBefore = heapMiB();
  const samples = [];
  let maxBytes = 0;
  let next = 0;
  let stored = 0;
  const every = Math.ceil(KEYS / SAMPLES);
  async function worker() {
    while (next < KEYS) {
      const i = next++;
      const { body, headers } = await pool.request({ path: `/k/${i}`, method: 'GET' });
      await body.dump();
      if (headers['x-cache'] === 'MISS') stored++;
      if (i % 500 === 0) maxBytes = Math.max(maxBytes, cacheView().bytes);
      if (i > 0 && i % every === 0) samples.push({ keysSent: i, storeBytes: cacheView().bytes, entries: cacheView().entries, heapMiB: round(heapMiB()) });
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const view = cacheView();
  maxBytes = Math.max(maxBytes, view.bytes);
  const heapAfter = heapMiB();
  await pool.close();
  await engine.stop();
  return {
    maxSize,
    maxSizeBytes: parseByteSize(maxSize),
    keysSent: KEYS,
    misses: stored,
    entriesAtEnd: view.entries,
    storeBytesAtEnd: view.bytes,
    storeBytesMax: maxBytes,
    heapBeforeMiB: round(heapBefore),
    heapAfterMiB: round(heapAfter),
    heapGrowthMiB: round(heapAfter - heapBefore),
    requestsPerSecond: Math.round(KEYS / seconds),
    samples,
  };
}

function round(x) {
  return Math.round(x * 10) / 10;
}
