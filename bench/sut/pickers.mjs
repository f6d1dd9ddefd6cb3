/**
 * Child process of the `pickers` case: measures the pickers of engine/src/balancer in a loop, without
 * any network, on the one core the harness pins it to. One child per picker variant, so a picker never
 * runs on call sites and inline caches that other pickers made megamorphic (in the engine, a balancer
 * node calls its one picker). Prints one line `RESULT {json}` on stdout, or `UNAVAILABLE <reason>`.
 *
 *   node --import tsx bench/sut/pickers.mjs --list          the variants, from the picker registry
 *   node --import tsx bench/sut/pickers.mjs <variant>       measure one variant
 *
 * What a pick does here is what the balancer node (engine/src/balancer/balancer-node.ts) does around it:
 * - the candidates are the balancer's target records ({ id, weight, inFlight, eligible, address },
 *   built by the candidates fixture of engine/src/balancer/testing.ts), weight 1 each;
 * - one PickContext for every pick, `now` = performance.now(), `rng` = Math.random (the engine's);
 *   the hash pickers (ip-hash and the KEYED_PICKERS) get `key` set before each pick from a rotating set
 *   of 10,000 client IPv4 addresses in 10,000 different /24s (what `hashKey: ip` reads);
 * - each pick raises its target's inFlight; requests stay in flight in a pool of twice as many as there
 *   are targets (at least 50, wrk's connections; full from the start, on random targets), and each pick
 *   settles one random request of the pool:
 *   its target's inFlight falls and the picker's onSettled (peak-ewma) hears a 1-5 ms response. So
 *   in-flight counts vary per target and per pick, as least-connections, p2c and peak-ewma need;
 * - the pick's decision (the event the balancer emits) is read, so it cannot be optimised away.
 * That bookkeeping is timed with the pick; the `(bookkeeping only)` variant, a picker that returns a
 * fixed target and a fixed decision, shows how much of a pick it is.
 *
 * Per configuration (3, 30 and 300 targets, all eligible or every third one ineligible): a fresh picker,
 * a warm-up, a calibration, then BATCHES timed batches; the numbers are the medians over the batches of
 * wall-clock ns per pick and of CPU ns per pick (process.cpuUsage, every thread of the process), plus
 * the main thread's wait for its core (/proc/thread-self/schedstat) as a share of its time.
 *
 * Builds, in the children of the pickers that build something: the Maglev table (buildMaglevTable,
 * 65537 slots, the picker's default) and a Maglev pick that has to rebuild because one target changed
 * eligibility; the consistent-hash ring (the first pick of a fresh picker builds it). The first build
 * of a fresh process is reported on its own: a balancer builds rarely, so its builds often run before
 * the JIT has optimised the build code.
 */
import { readFileSync } from 'node:fs';
import { cpuNs, importOrNull, median, round1 } from './measure.mjs';
import { announceUnavailable } from './protocol.mjs';

const TARGET_COUNTS = [3, 30, 300];
const KEY_COUNT = 10_000;
const WARMUP_MS = 200;
const BATCH_MS = 60;
const BATCHES = 7;
const BUILDS = 15;
const MAGLEV_TABLE_SIZE = 65537;
export const RESULT = 'RESULT ';

const registry = await importOrNull('../../engine/src/balancer/pickers/index.ts');
if (!registry?.PICKERS) announceUnavailable('engine/src/balancer/pickers/index.ts not found or has no PICKERS');
const { PICKERS, PICKER_IDS, KEYED_PICKERS, factoryOptions } = registry;
const { candidates: candidatesFixture } = await import('../../engine/src/balancer/testing.ts');

const HASHED = new Set(['ip-hash', ...KEYED_PICKERS]);

/** Every registered picker with its defaults, two consistent-hash modes besides, and the bookkeeping baseline. */
function variants() {
  const list = PICKER_IDS.map((id) => ({ name: id, id, options: {} }));
  if (PICKER_IDS.includes('consistent-hash')) {
    const at = list.findIndex((v) => v.id === 'consistent-hash') + 1;
    list.splice(
      at,
      0,
      { name: 'consistent-hash nginx', id: 'consistent-hash', options: { mode: 'nginx' } },
      { name: 'consistent-hash bounded', id: 'consistent-hash', options: { balanceFactor: 125 } },
    );
  }
  list.push({ name: '(bookkeeping only)', id: null, options: {} });
  return list.map((v) => ({ ...v, keyed: v.id !== null && HASHED.has(v.id) }));
}

if (process.argv[2] === '--list') {
  process.stdout.write(`${RESULT}${JSON.stringify({ variants: variants(), pickerIds: PICKER_IDS, hashed: [...HASHED] })}\n`);
  process.exit(0);
}

const variant = variants().find((v) => v.name === process.argv[2]);
if (!variant) {
  console.error(
    `unknown picker variant "${process.argv[2]}", expected one of ${variants()
      .map((v) => v.name)
      .join(', ')}`,
  );
  process.exit(2);
}

const makePicker = () => (variant.id === null ? bookkeepingOnly() : PICKERS[variant.id](factoryOptions(variant.options)));

/** 10,000 client addresses, each in its own /24 (so nginx's ip_hash, which reads three octets, sees 10,000 clients). */
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 37 + 11) & 255}`);

/** `n` targets; with `thirdOut` every third one (t3, t6, ...) is ineligible. */
function makeCandidates(n, thirdOut) {
  const spec = Array.from({ length: n }, (_, i) => (thirdOut && i % 3 === 2 ? 'x' : 'o')).join('');
  return candidatesFixture(spec);
}

/** A picker that does nothing: the loop's own cost (key, in-flight pool, settle, reading the decision). */
function bookkeepingOnly() {
  const decision = { stage: 'pick', algorithm: 'none', reason: 'fixed' };
  return {
    id: '(bookkeeping only)',
    pick(candidates) {
      return { target: candidates[0], decision };
    },
  };
}

/** What a run of picks needs between batches: the picker, its candidates, the context, the in-flight pool. */
function makeBench(n, thirdOut) {
  const picker = makePicker();
  const candidates = makeCandidates(n, thirdOut);
  const ctx = { now: () => performance.now(), rng: Math.random, key: undefined };
  // Start in the steady state: the pool full, its requests on random eligible targets.
  const eligible = candidates.filter((c) => c.eligible);
  const depth = Math.max(50, 2 * n);
  const pool = Array.from({ length: depth }, () => eligible[Math.floor(Math.random() * eligible.length)]);
  for (const target of pool) target.inFlight++;
  return { picker, candidates, ctx, pool, depth, keyIndex: 0, keyed: variant.keyed };
}

/** `count` picks with the balancer's bookkeeping; returns a checksum of the decisions read. */
function picks(bench, count) {
  const { picker, candidates, ctx, pool, depth, keyed } = bench;
  const settle = typeof picker.onSettled === 'function';
  let keyIndex = bench.keyIndex;
  let sink = 0;
  for (let i = 0; i < count; i++) {
    if (keyed) {
      ctx.key = KEYS[keyIndex];
      keyIndex = keyIndex + 1 === KEY_COUNT ? 0 : keyIndex + 1;
    }
    const pick = picker.pick(candidates, ctx);
    const target = pick.target;
    if (target === null) throw new Error(`${variant.name} picked none: ${pick.reason}`);
    target.inFlight++;
    sink += pick.decision.reason.length;
    pool.push(target);
    if (pool.length > depth) {
      const at = Math.floor(Math.random() * pool.length);
      const done = pool[at];
      pool[at] = pool[pool.length - 1];
      pool.pop();
      done.inFlight--;
      if (settle) picker.onSettled({ target: done.id, durationMs: 1 + Math.random() * 4, failed: false }, ctx);
    }
  }
  bench.keyIndex = keyIndex;
  return sink;
}

/** Main thread's time on its core and waiting for it, in ns (null when the kernel does not say). */
function schedstat() {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return { run, wait };
  } catch {
    return null;
  }
}

function measurePicks(n, thirdOut) {
  const bench = makeBench(n, thirdOut);
  let sink = 0;
  // Warm-up: long enough for the optimising compiler to have compiled the picker's hot path; the
  // chunks grow so a fast picker is not mostly clock reads and a slow one does not overshoot.
  const warmStart = performance.now();
  let chunk = 4;
  let warmPicks = 0;
  while (performance.now() - warmStart < WARMUP_MS) {
    const t = performance.now();
    sink += picks(bench, chunk);
    warmPicks += chunk;
    if (performance.now() - t < 2) chunk *= 2;
  }
  // Calibration: how many picks fill a batch of BATCH_MS, from picks timed over at least 20 ms.
  const calibrationStart = performance.now();
  let calibrationPicks = 0;
  while (performance.now() - calibrationStart < 20) {
    sink += picks(bench, chunk);
    calibrationPicks += chunk;
  }
  const nsPerPick = ((performance.now() - calibrationStart) * 1e6) / calibrationPicks;
  const perBatch = Math.max(20, Math.round((BATCH_MS * 1e6) / nsPerPick));

  const batches = [];
  const schedBefore = schedstat();
  for (let b = 0; b < BATCHES; b++) {
    const cpu0 = cpuNs();
    const wall0 = process.hrtime.bigint();
    sink += picks(bench, perBatch);
    const wall = Number(process.hrtime.bigint() - wall0);
    const cpu = cpuNs() - cpu0;
    batches.push({ wallNsPerPick: wall / perBatch, cpuNsPerPick: cpu / perBatch });
  }
  const schedAfter = schedstat();
  const wallNsPerPick = median(batches.map((b) => b.wallNsPerPick));
  const cpuNsPerPick = median(batches.map((b) => b.cpuNsPerPick));
  const eligible = bench.candidates.filter((c) => c.eligible).length;
  return {
    targets: n,
    eligible,
    ineligible: n - eligible,
    picksPerBatch: perBatch,
    warmPicks,
    wallNsPerPick: round1(wallNsPerPick),
    cpuNsPerPick: round1(cpuNsPerPick),
    waitShare: roundShare(waitShare(schedBefore, schedAfter)),
    inFlightAtEnd: summariseInFlight(bench.candidates),
    /** How far the batches were apart (ns per pick), rather than every batch, to keep the results file small. */
    batchRange: {
      wallNs: [Math.min(...batches.map((b) => b.wallNsPerPick)), Math.max(...batches.map((b) => b.wallNsPerPick))].map(round1),
      cpuNs: [Math.min(...batches.map((b) => b.cpuNsPerPick)), Math.max(...batches.map((b) => b.cpuNsPerPick))].map(round1),
    },
    sink,
  };
}

/** Milliseconds of one call of `build()`, wall and CPU. */
function timeBuild(build) {
  const cpu0 = cpuNs();
  const wall0 = process.hrtime.bigint();
  const result = build();
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  return { wallMs, cpuMs: (cpuNs() - cpu0) / 1e6, result };
}

/** The first build (a fresh process), then the median of BUILDS more, at each target count. */
function measureBuilds(build) {
  const first = timeBuild(() => build(300));
  const bySize = TARGET_COUNTS.map((n) => {
    const runs = Array.from({ length: BUILDS }, () => timeBuild(() => build(n)));
    return {
      targets: n,
      builds: BUILDS,
      wallMs: round3(median(runs.map((r) => r.wallMs))),
      cpuMs: round3(median(runs.map((r) => r.cpuMs))),
      maxWallMs: round3(Math.max(...runs.map((r) => r.wallMs))),
    };
  });
  return { firstAt300: { wallMs: round3(first.wallMs), cpuMs: round3(first.cpuMs) }, bySize };
}

async function builds() {
  if (variant.id === 'maglev') {
    const { buildMaglevTable } = await import('../../engine/src/balancer/pickers/maglev.ts');
    const table = measureBuilds((n) => buildMaglevTable(makeCandidates(n, false), MAGLEV_TABLE_SIZE).slots.length);
    return { kind: 'maglev-table', tableSize: MAGLEV_TABLE_SIZE, ...table, rebuildInPick: maglevRebuildInPick() };
  }
  if (variant.id === 'consistent-hash' && variant.options.balanceFactor === undefined) {
    // (The bounded-load variant builds the same ring as the default one.)
    // The ring is private to the picker: a fresh picker builds it on its first pick (the pick itself is
    // a microsecond or two of the milliseconds timed).
    const ctx = { now: () => performance.now(), rng: Math.random, key: KEYS[0] };
    const ring = measureBuilds((n) => makePicker().pick(makeCandidates(n, false), ctx).target.id);
    return { kind: 'ring', pointsPerWeight: variant.options.points ?? 160, ...ring };
  }
  return undefined;
}

/**
 * A Maglev pick right after one of 300 targets changed eligibility: the picker keeps the tables of its
 * last 4 eligible sets, and each of these sets (all but t1, all but t2, ...) is new, so each pick rebuilds.
 */
function maglevRebuildInPick() {
  const picker = makePicker();
  const candidates = makeCandidates(300, false);
  const ctx = { now: () => performance.now(), rng: Math.random, key: KEYS[0] };
  picker.pick(candidates, ctx);
  const runs = [];
  for (let j = 0; j < BUILDS; j++) {
    candidates[j].eligible = false;
    runs.push(timeBuild(() => picker.pick(candidates, ctx).target.id));
    candidates[j].eligible = true;
  }
  return {
    targets: 300,
    picks: BUILDS,
    wallMs: round3(median(runs.map((r) => r.wallMs))),
    cpuMs: round3(median(runs.map((r) => r.cpuMs))),
  };
}

const startedAt = new Date().toISOString();
const buildResult = await builds();
const configs = [];
for (const thirdOut of [false, true]) for (const n of TARGET_COUNTS) configs.push(measurePicks(n, thirdOut));
process.stdout.write(
  `${RESULT}${JSON.stringify({
    variant,
    startedAt,
    settings: { warmupMs: WARMUP_MS, batchMs: BATCH_MS, batches: BATCHES, keys: KEY_COUNT, builds: BUILDS },
    configs: configs.map(({ sink, ...rest }) => rest),
    builds: buildResult,
  })}\n`,
);

function round3(x) {
  return Math.round(x * 1000) / 1000;
}

function roundShare(x) {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

function waitShare(before, after) {
  if (!before || !after) return null;
  const run = after.run - before.run;
  const wait = after.wait - before.wait;
  return run + wait > 0 ? wait / (run + wait) : null;
}

function summariseInFlight(candidates) {
  const counts = candidates.filter((c) => c.eligible).map((c) => c.inFlight);
  return { min: Math.min(...counts), max: Math.max(...counts), total: counts.reduce((a, b) => a + b, 0) };
}
