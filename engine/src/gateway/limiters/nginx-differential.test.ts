/**
 * Differential test: the leaky-bucket limiter against real nginx limit_req (Debian's nginx, started here
 * on loopback with a scratch prefix, as the balancer's differential tests do). Each schedule is sent to
 * nginx at fixed offsets from one client address (`limit_req_zone $binary_remote_addr`), and the same
 * send times, as sent, are fed to the limiter: which requests got 200 and which 503 must agree, and a
 * request the limiter delays must have waited about that long in nginx.
 *
 * Jitter: the client's timers, nginx's millisecond clock (cached per event loop turn), the loopback and,
 * on a loaded machine, the scheduler put some ms between our send time and nginx's. So every schedule is
 * chosen to keep its decisions when each group of requests moves by up to GROUP_JITTER_MS and each request
 * within a group by up to SPREAD_MS, and the test proves that first, on the limiter, over many seeded
 * perturbations; an attempt whose sends slipped more than MAX_SLIP_MS behind the plan is voided and sent
 * again from a fresh address. Requests sent in one group are compared as counts (nginx may take them in
 * any order).
 *
 * Without nginx (not CI) the suite is skipped with the reason in its title and one line on stderr.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginx, startNginxWith, suiteTitle, type Balancer } from '../../balancer/differential/references.ts';
import { leakyBucket, type LeakyBucketOptions } from './leaky-bucket.ts';
import { keyedLimiter, type Decision } from './limiter.ts';

/** 4 r/s: one request per 250 ms, so a schedule's decisions can sit 100 ms or more from any boundary. */
const RATE = 4;
const GROUP_JITTER_MS = 50;
const SPREAD_MS = 8;
/** A send later than this behind the plan voids the attempt (the plan's margins no longer cover it). */
const MAX_SLIP_MS = 40;
const ATTEMPTS = 3;

/** A schedule: groups of requests sent together at an offset (ms from the start). */
type Schedule = Array<[offsetMs: number, count: number]>;

const SCHEDULES: Record<string, Schedule> = {
  // ALGORITHMS.md (at 10 r/s there): burst 5, 20 at once: 6 accepted, 14 refused.
  'twenty at once': [[0, 20]],
  // Refills between groups: 6 of 8 (excess 5.0), 2 of 4 at 625 ms (2.5 leaked: 3.5, 4.5, refused at 5.5),
  // 3 of 3 at 1375 ms (3.0 leaked: 2.5, 3.5, 4.5), 6 of 8 at 3125 ms (drained: from 0 again). Every
  // decision is half a request from the burst: 125 ms at 4 r/s.
  'bursts with rests': [
    [0, 8],
    [625, 4],
    [1375, 3],
    [3125, 8],
  ],
  // Without burst: one request per 250 ms. Requests 50-125 ms after an accepted one are refused, those
  // 375 ms or more after pass: 125 ms from the 250 ms boundary either way.
  'one by one': [
    [0, 1],
    [125, 1],
    [375, 1],
    [750, 1],
    [825, 1],
    [850, 1],
    [1250, 1],
    [1300, 1],
    [1750, 1],
  ],
};

interface Mode {
  directive: string;
  options: LeakyBucketOptions;
  schedules: string[];
}

const MODES: Record<string, Mode> = {
  nodelay: {
    directive: 'burst=5 nodelay',
    options: { rate: RATE, burst: 5, nodelay: true },
    schedules: ['twenty at once', 'bursts with rests'],
  },
  'delay=2': {
    directive: 'burst=5 delay=2',
    options: { rate: RATE, burst: 5, delay: 2 },
    schedules: ['twenty at once', 'bursts with rests'],
  },
  'delays every excess request': {
    directive: 'burst=5',
    options: { rate: RATE, burst: 5 },
    schedules: ['twenty at once', 'bursts with rests'],
  },
  'no burst': { directive: '', options: { rate: RATE }, schedules: ['one by one'] },
};

/** What one group got: how many passed and were refused, and the waits of those that passed (sorted). */
interface GroupResult {
  passed: number;
  refused: number;
  waits: number[];
}

/** Decisions of the limiter for send times (ms), in send order. */
function decide(options: LeakyBucketOptions, times: number[]): Decision[] {
  const limiter = keyedLimiter(leakyBucket(options));
  return times.map((t) => limiter.take('client', t));
}

/** The limiter's per-group results for a schedule sent at `times` (one per request, groups in order). */
function groupsOf(schedule: Schedule, decisions: Array<{ allowed: boolean; wait: number }>): GroupResult[] {
  let at = 0;
  return schedule.map(([, count]) => {
    const group = decisions.slice(at, (at += count));
    return {
      passed: group.filter((d) => d.allowed).length,
      refused: group.filter((d) => !d.allowed).length,
      waits: group
        .filter((d) => d.allowed)
        .map((d) => d.wait)
        .sort((a, b) => a - b),
    };
  });
}

const counts = (groups: GroupResult[]) => groups.map(({ passed, refused }) => ({ passed, refused }));

/** A small seeded generator (mulberry32), so the perturbations are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Send times with each group moved by up to ±GROUP_JITTER_MS and each request by up to SPREAD_MS more. */
function perturbed(schedule: Schedule, rng: () => number): number[] {
  const times: number[] = [];
  for (const [offset, count] of schedule) {
    const group = offset + (rng() * 2 - 1) * GROUP_JITTER_MS;
    for (let i = 0; i < count; i++) times.push(group + rng() * SPREAD_MS);
  }
  // A clock never goes back: requests are fed in time order, as they would arrive.
  return times.sort((a, b) => a - b);
}

const planned = (schedule: Schedule) => schedule.flatMap(([offset, count]) => Array.from({ length: count }, () => offset));

interface Sent {
  sentMs: number;
  status: number;
  latencyMs: number;
}

/** Send the schedule from `localAddress`; each request on its own connection. Resolves in send order. */
async function sendSchedule(port: number, schedule: Schedule, localAddress: string): Promise<Sent[]> {
  const start = performance.now();
  const pending: Array<Promise<Sent>> = [];
  for (const [offset, count] of schedule) {
    const due = start + offset;
    while (performance.now() < due - 2) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now() - 2)));
    for (let i = 0; i < count; i++) pending.push(sendOne(port, localAddress, start));
  }
  return Promise.all(pending);
}

function sendOne(port: number, localAddress: string, start: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/ok.txt', agent: false, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ sentMs, status: res.statusCode ?? 0, latencyMs: performance.now() - start - sentMs }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('nginx did not answer in 10 s')));
    req.on('error', reject);
    const sentMs = performance.now() - start;
    req.end();
  });
}

describe.skipIf(!nginx.bin)(suiteTitle('leaky-bucket against nginx limit_req', [['nginx', nginx]]), () => {
  let address = 0;
  for (const [modeName, mode] of Object.entries(MODES)) {
    describe(`limit_req zone=z ${mode.directive} (rate=${RATE}r/s)`, () => {
      let server: Balancer;
      beforeAll(async () => {
        server = await startNginxWith(async (port, dir) => {
          // nginx's workers run as an unprivileged user: let them read the scratch dir.
          await chmod(dir, 0o755);
          await mkdir(join(dir, 'www'));
          await writeFile(join(dir, 'www', 'ok.txt'), 'ok\n');
          return `  limit_req_zone $binary_remote_addr zone=z:1m rate=${RATE}r/s;
  server {
    listen 127.0.0.1:${port};
    location / {
      limit_req zone=z ${mode.directive};
      root ${dir}/www;
    }
  }`;
        });
      });
      afterAll(() => server?.stop());

      for (const scheduleName of mode.schedules) {
        const schedule = SCHEDULES[scheduleName];
        it(`${scheduleName}: the same requests pass, are refused and wait`, async () => {
          // First, on the limiter alone: jitter cannot flip a decision of this schedule.
          const expected = counts(
            groupsOf(
              schedule,
              decide(mode.options, planned(schedule)).map((d) => ({ allowed: d.allowed, wait: 0 })),
            ),
          );
          const rng = seeded(10);
          for (let run = 0; run < 500; run++) {
            const decisions = decide(mode.options, perturbed(schedule, rng)).map((d) => ({ allowed: d.allowed, wait: 0 }));
            expect(counts(groupsOf(schedule, decisions)), `perturbation ${run}`).toEqual(expected);
          }

          // Each attempt from its own address: a fresh key in nginx's zone.
          let sent: Sent[] = [];
          let slip = Number.POSITIVE_INFINITY;
          for (let attempt = 0; attempt < ATTEMPTS && slip > MAX_SLIP_MS; attempt++) {
            address++;
            sent = await sendSchedule(server.port, schedule, `127.0.10.${address}`);
            slip = Math.max(...sent.map((s, i) => Math.abs(s.sentMs - planned(schedule)[i])));
          }
          expect(
            slip,
            `sends slipped ${slip.toFixed(1)} ms behind the plan in ${ATTEMPTS} attempts: the machine is too loaded to compare`,
          ).toBeLessThanOrEqual(MAX_SLIP_MS);
          const statuses = [...new Set(sent.map((s) => s.status))].sort();
          expect(
            statuses.every((status) => status === 200 || status === 503),
            `statuses ${statuses.join(', ')}`,
          ).toBe(true);

          // nginx takes the requests of a group in any order: send times in order, results by group.
          const order = sent.map((_, i) => i).sort((a, b) => sent[a].sentMs - sent[b].sentMs);
          const ours = decide(
            mode.options,
            order.map((i) => sent[i].sentMs),
          );
          const unit = groupsOf(
            schedule,
            ours.map((d) => ({ allowed: d.allowed, wait: d.delayMs })),
          );
          const reference = groupsOf(
            schedule,
            sent.map((s) => ({ allowed: s.status === 200, wait: s.latencyMs })),
          );
          expect(counts(reference), `nginx (sends slipped up to ${slip.toFixed(1)} ms from the plan)`).toEqual(counts(unit));
          expect(counts(unit)).toEqual(expected);

          // A delayed request waited about its delay: never much less (nginx's ms clock against ours), and
          // not far more (generous: this is a check of the delay, not of speed).
          unit.forEach((group, g) =>
            group.waits.forEach((wait, i) => {
              const measured = reference[g].waits[i];
              expect(measured, `group ${g} request ${i}: expected to wait ${wait} ms`).toBeGreaterThanOrEqual(wait - 10);
              expect(measured, `group ${g} request ${i}: expected to wait ${wait} ms`).toBeLessThan(wait + 500);
            }),
          );
          if (modeName === 'delays every excess request') expect(unit.some((group) => group.waits.some((w) => w >= 1000))).toBe(true);
        });
      }
    });
  }
});
