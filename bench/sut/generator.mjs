/**
 * Child process of the `generator-max` case: the engine's own traffic generator (engine/src/traffic),
 * alone in this process, open loop over many virtual clients against the trivial service at `--url`.
 * The harness pins this process to one core and the service to the other.
 *
 * After 2 s of priming at half the start rate, it steps the target up (×1.25 from `--start`; halving
 * down instead when even the start is not held), each step a warm-up then `--seconds` measured from
 * the generator's own stats (achieved = completed / elapsed, skipped sends, send lag, latency from the
 * intended send time). The first step that achieves under 95% of its target or skips a send is the
 * limit; two halving steps between it and the last good rate narrow it down. The rate is changed on the
 * running flow (`set`), so connections stay warm between steps. Prints `STEP {json}` after each step
 * (and `MEASURING` when each measured window opens, so the harness can read the service's CPU over it),
 * then `RESULT {json}`.
 *
 *   node --import tsx bench/sut/generator.mjs --url http://127.0.0.1:PORT [--seconds 3] [--warmup 1]
 *     [--clients 50] [--start 1000] [--max-steps 24]
 */
import { parseArgs } from 'node:util';
import { TrafficFlow } from '../../engine/src/config/schema.ts';
import { TrafficGenerator } from '../../engine/src/traffic/generator.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    clients: { type: 'string', default: '50' },
    start: { type: 'string', default: '1000' },
    'max-steps': { type: 'string', default: '24' },
  },
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const clients = Number(values.clients);
const maxSteps = Number(values['max-steps']);
/** Achieved below this share of the target ends the climb. */
const SUSTAINED = 0.95;
const GROWTH = 1.25;
const REFINE_STEPS = 2;
/** Skipped sends are the other sign the generator is past its limit: a backlog this deep means it is. */
const MAX_OUTSTANDING = 2_000;
const PRIME_MS = 2_000;
const MIN_RATE = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const generator = new TrafficGenerator({ resolve: (to) => new URL(to).origin, rng: Math.random });

async function measure(rate) {
  generator.set({ rate });
  await sleep(warmup * 1000);
  generator.resetStats();
  const cpuBefore = process.cpuUsage();
  process.stdout.write('MEASURING\n');
  await sleep(seconds * 1000);
  const stats = generator.stats();
  const cpu = process.cpuUsage(cpuBefore);
  const step = {
    target: rate,
    achieved: stats.achievedRate,
    sent: stats.sent,
    completed: stats.completed,
    skipped: stats.skipped,
    outstanding: stats.outstanding,
    errors: Object.values(stats.errorCodes).reduce((a, b) => a + b, 0),
    lagMs: { p50: stats.lag.p50, p99: stats.lag.p99, max: stats.lag.max },
    latencyMs: { p50: stats.latency.p50, p99: stats.latency.p99 },
    generatorCpu: (cpu.user + cpu.system) / 1e6 / (stats.elapsedMs / 1000),
  };
  step.sustained = step.skipped === 0 && step.errors === 0 && step.achieved >= SUSTAINED * rate;
  process.stdout.write(`STEP ${JSON.stringify(step)}\n`);
  return step;
}

const start = Number(values.start);
const flow = TrafficFlow.parse({ name: 'max', to: values.url, rate: start / 2, clients, maxOutstanding: MAX_OUTSTANDING });
await generator.start([flow]);
// Prime: open the clients' connections, compile the HTTP parser and let the JIT settle before any step counts.
await sleep(PRIME_MS);
const steps = [];
let good = null;
let bad = null;
for (let rate = start; steps.length < maxSteps; rate = Math.round(rate * GROWTH)) {
  const step = await measure(rate);
  steps.push(step);
  if (!step.sustained) {
    bad = step;
    break;
  }
  good = step;
}
// A machine too busy for the first step: halve down to a rate it holds, so the result is still a number.
for (let rate = Math.round(start / 2); !good && rate >= MIN_RATE && steps.length < maxSteps; rate = Math.round(rate / 2)) {
  const step = await measure(rate);
  steps.push(step);
  if (step.sustained) good = step;
  else bad = step;
}
for (let i = 0; i < REFINE_STEPS && good && bad; i++) {
  const step = await measure(Math.round((good.target + bad.target) / 2));
  steps.push(step);
  if (step.sustained) good = step;
  else bad = step;
}
await generator.close();
const result = {
  settings: {
    seconds,
    warmup,
    clients,
    start: Number(values.start),
    growth: GROWTH,
    sustained: SUSTAINED,
    maxOutstanding: MAX_OUTSTANDING,
  },
  steps,
  highest: good,
  limit: bad,
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
