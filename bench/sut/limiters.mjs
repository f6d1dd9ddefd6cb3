/**
 * Child process of the `limiters` case: times the rate limiters of engine/src/gateway/limiters in a loop,
 * without any network, on the one core the harness pins it to, and measures their memory per key.
 * Prints one line `RESULT {json}` on stdout, or `UNAVAILABLE <reason>`.
 *
 *   node --import tsx bench/sut/limiters.mjs --list                 the variants, from the limiter registry
 *   node --import tsx bench/sut/limiters.mjs <variant>              time one variant
 *   node --expose-gc --import tsx bench/sut/limiters.mjs --memory   bytes per key, and a 1,000,000-key flood
 *
 * One child per variant, so an algorithm never runs on call sites other algorithms made megamorphic (a
 * route's limits are few and fixed). What a decision is here: `take(key, now)` on the limiter built from
 * a config limit by the registry (LIMITERS), for one of 10,000 client addresses drawn from a fixed
 * random rotation, with a simulated clock that moves 1 µs per decision: each key sees about 100 requests
 * a simulated second against limits of about 50 a second, so both verdicts and the refill and window
 * paths all run (timed after a warm-up of 3 simulated seconds, when every key's first burst is spent).
 * In the `concurrency` variant a request that passed ends 50,000 arrivals (50 simulated ms) later, so a
 * key has about 5 requests in flight against its limit of 4. The `(set + fields)` variant is the whole per-request call the gateway's stage makes:
 * a LimitSet's `decide` (key read, take) and its RateLimit fields serialised with structured-headers.
 *
 * Per variant: warm-up, a calibration, then BATCHES timed batches; the numbers are the medians over the
 * batches of wall-clock and CPU ns per decision (decisions a second = 1e9 / CPU ns).
 */
import { cpuNs, importOrNull, median, round1 } from './measure.mjs';
import { announceUnavailable } from './protocol.mjs';

const KEY_COUNT = 10_000;
const ROTATION = 1 << 16;
const STEP_MS = 0.001;
const WARMUP_MS = 300;
/** Warm-up also runs this much simulated time, so every key's first burst is spent: a steady state. */
const WARMUP_SIMULATED_MS = 3000;
const BATCH_MS = 60;
const BATCHES = 7;
const IN_FLIGHT = 50_000;
export const RESULT = 'RESULT ';

const registry = await importOrNull('../../engine/src/gateway/limiters/index.ts');
if (!registry?.LIMITERS) announceUnavailable('engine/src/gateway/limiters/index.ts not found or has no LIMITERS');
const { LIMITERS, LIMITER_IDS } = registry;
const { compileLimits } = await import('../../engine/src/gateway/limiters/limit-set.ts');

/** The limit each algorithm is timed with: about half of a key's 100 requests a second pass. */
const SPECS = {
  'token-bucket': { algorithm: 'token-bucket', rate: 50, burst: 20, key: 'ip' },
  'leaky-bucket': { algorithm: 'leaky-bucket', rate: 50, burst: 20, key: 'ip' },
  'fixed-window': { algorithm: 'fixed-window', limit: 50, window: 1000, key: 'ip' },
  'sliding-window-log': { algorithm: 'sliding-window-log', limit: 50, window: 1000, key: 'ip' },
  'sliding-window-counter': { algorithm: 'sliding-window-counter', limit: 50, window: 1000, key: 'ip' },
  gcra: { algorithm: 'gcra', rate: 50, burst: 20, key: 'ip' },
  concurrency: { algorithm: 'concurrency', limit: 4, key: 'ip' },
};
const SET_VARIANT = 'token-bucket (set + fields)';

function variants() {
  return [
    ...LIMITER_IDS.map((id) => ({ name: id, id })),
    ...(LIMITER_IDS.includes('token-bucket') ? [{ name: SET_VARIANT, id: 'token-bucket' }] : []),
  ];
}

/** 10,000 client addresses, one per /24 like the pickers' keys, and a random rotation over them. */
function makeKeys() {
  const keys = Array.from({ length: KEY_COUNT }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 250)}`);
  let seed = 42;
  const order = new Uint32Array(ROTATION);
  for (let i = 0; i < ROTATION; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    order[i] = seed % KEY_COUNT;
  }
  return { keys, order };
}

/** A closure that runs `count` decisions and returns how many passed (its result is read: no dead code). */
function makeDecisions(variant) {
  const { keys, order } = makeKeys();
  const spec = SPECS[variant.id];
  if (!spec) announceUnavailable(`no bench limit for limiter ${variant.id}: add one to SPECS in bench/sut/limiters.mjs`);
  let cursor = 0;
  let now = 0;
  let sink = 0;
  if (variant.name === SET_VARIANT) {
    const set = compileLimits([{ spec, name: 'per-second' }]);
    const headers = {};
    return {
      run(count) {
        let passed = 0;
        for (let i = 0; i < count; i++) {
          now += STEP_MS;
          const outcome = set.decide(keys[order[cursor++ & (ROTATION - 1)]], undefined, headers, 0, now);
          sink += set.fields(outcome).ratelimit.length;
          if (outcome.allowed) passed++;
        }
        return passed;
      },
      sink: () => sink,
      now: () => now,
    };
  }
  const limiter = LIMITERS[variant.id](spec);
  // concurrency: a request that passed ends IN_FLIGHT arrivals later (a fixed latency of 50 simulated ms).
  const ring = variant.id === 'concurrency' ? new Array(IN_FLIGHT).fill(null) : null;
  let slot = 0;
  return {
    run(count) {
      let passed = 0;
      for (let i = 0; i < count; i++) {
        now += STEP_MS;
        const key = keys[order[cursor++ & (ROTATION - 1)]];
        if (ring) {
          slot = (slot + 1) % IN_FLIGHT;
          if (ring[slot] !== null) limiter.release(ring[slot]);
          ring[slot] = null;
        }
        const decision = limiter.take(key, now);
        sink += decision.remaining;
        if (decision.allowed) {
          passed++;
          if (ring) ring[slot] = key;
        }
      }
      return passed;
    },
    sink: () => sink,
    now: () => now,
  };
}

function measure(variant) {
  const decisions = makeDecisions(variant);
  const warmStart = performance.now();
  let chunk = 64;
  while (performance.now() - warmStart < WARMUP_MS || decisions.now() < WARMUP_SIMULATED_MS) {
    const t = performance.now();
    decisions.run(chunk);
    if (performance.now() - t < 2) chunk *= 2;
  }
  const calibrationStart = performance.now();
  let calibrated = 0;
  while (performance.now() - calibrationStart < 20) {
    decisions.run(chunk);
    calibrated += chunk;
  }
  const perBatch = Math.max(1000, Math.round((BATCH_MS * 1e6) / (((performance.now() - calibrationStart) * 1e6) / calibrated)));
  const batches = [];
  let passed = 0;
  for (let b = 0; b < BATCHES; b++) {
    const cpu0 = cpuNs();
    const wall0 = process.hrtime.bigint();
    passed += decisions.run(perBatch);
    const wall = Number(process.hrtime.bigint() - wall0);
    batches.push({ wallNs: wall / perBatch, cpuNs: (cpuNs() - cpu0) / perBatch });
  }
  const cpuNsPerDecision = median(batches.map((b) => b.cpuNs));
  return {
    variant,
    spec: SPECS[variant.id],
    settings: { keys: KEY_COUNT, stepMs: STEP_MS, warmupMs: WARMUP_MS, batchMs: BATCH_MS, batches: BATCHES },
    decisionsPerBatch: perBatch,
    wallNsPerDecision: round1(median(batches.map((b) => b.wallNs))),
    cpuNsPerDecision: round1(cpuNsPerDecision),
    decisionsPerSecond: Math.round(1e9 / cpuNsPerDecision),
    batchRange: [round1(Math.min(...batches.map((b) => b.cpuNs))), round1(Math.max(...batches.map((b) => b.cpuNs)))],
    passedShare: Math.round((passed / (perBatch * BATCHES)) * 1000) / 1000,
    sink: decisions.sink() > 0,
  };
}

/** Heap bytes after a full collection. */
function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Bytes per key: 100,000 keys (fresh strings, as a request's are) each make one request at one instant,
 * so none is idle; the heap grown, over the keys. The log also full: 50 requests a key in its window.
 */
function memory() {
  if (typeof globalThis.gc !== 'function') announceUnavailable('run the memory child with --expose-gc');
  const count = 100_000;
  const perKey = [];
  const measureKeys = (name, id, spec, requestsPerKey) => {
    const before = heapUsed();
    const limiter = LIMITERS[id]({ ...spec, maxKeys: count });
    for (let r = 0; r < requestsPerKey; r++) for (let i = 0; i < count; i++) limiter.take(`k${i}.${(i * 7919) % 1000}`, r);
    const after = heapUsed();
    perKey.push({ name, keys: limiter.size, requestsPerKey, bytesPerKey: Math.round((after - before) / count) });
    return limiter;
  };
  for (const id of LIMITER_IDS) if (SPECS[id]) measureKeys(id, id, SPECS[id], 1);
  measureKeys('sliding-window-log (50 in the window)', 'sliding-window-log', { ...SPECS['sliding-window-log'], limit: 50 }, 50);

  // The flood: 1,000,000 distinct keys at one instant into a token bucket holding the default maximum.
  const before = heapUsed();
  const limiter = LIMITERS['token-bucket'](SPECS['token-bucket']);
  let most = 0;
  for (let i = 0; i < 1_000_000; i++) {
    limiter.take(`f${i}`, 0);
    if (i % 10_000 === 0) most = Math.max(most, limiter.size);
  }
  const summary = limiter.inspect(0);
  const flood = {
    keysSent: 1_000_000,
    keysHeld: limiter.size,
    mostHeld: Math.max(most, limiter.size),
    maxKeys: summary.maxKeys,
    evictedForced: summary.evictedForced,
    heapGrowthMiB: Math.round(((heapUsed() - before) / 2 ** 20) * 10) / 10,
  };
  return { perKey, flood };
}

const arg = process.argv[2];
const startedAt = new Date().toISOString();
if (arg === '--list') {
  process.stdout.write(`${RESULT}${JSON.stringify({ limiterIds: LIMITER_IDS, variants: variants() })}\n`);
} else if (arg === '--memory') {
  process.stdout.write(`${RESULT}${JSON.stringify({ startedAt, ...memory() })}\n`);
} else {
  const variant = variants().find((v) => v.name === arg);
  if (!variant)
    announceUnavailable(
      `unknown limiter variant ${arg}; variants: ${variants()
        .map((v) => v.name)
        .join(', ')}`,
    );
  process.stdout.write(`${RESULT}${JSON.stringify({ startedAt, ...measure(variant) })}\n`);
}
