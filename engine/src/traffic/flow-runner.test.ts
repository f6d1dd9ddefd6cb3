/** A flow whose next send is further away than a timer holds waits for it, instead of waking every millisecond. */
import { afterEach, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow } from '../config/schema.ts';
import { rawUpstream, type RawUpstream } from '../testing/harness.ts';
import { TrafficGenerator } from './generator.ts';

let upstream: RawUpstream | undefined;
let traffic: TrafficGenerator | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(async () => {
  process.off('warning', onWarning);
  await traffic?.close();
  await upstream?.close();
  traffic = upstream = undefined;
});

it('a rate so low that the next send is years away arms no timer past what one holds', async () => {
  upstream = await rawUpstream((_req, res) => res.end('ok'));
  traffic = new TrafficGenerator({ resolve: (to) => to, rng: seededRng(1), onStateChange: () => {} });
  process.on('warning', onWarning);
  // One request per 31 years: the first is sent at once, the next is 10^12 ms away.
  await traffic.start([TrafficFlow.parse({ to: upstream.url, rate: 1e-9 })]);
  await new Promise((r) => setTimeout(r, 200));
  expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  expect(traffic.stats().sent).toBeLessThanOrEqual(1);
});

it('a flow just started reads its rate over at least a second: one answer a millisecond in is not a thousand a second', async () => {
  upstream = await rawUpstream((_req, res) => res.end('ok'));
  traffic = new TrafficGenerator({ resolve: (to) => to, rng: seededRng(1), onStateChange: () => {} });
  // 2 a second: the first request goes at once, the next 500 ms later.
  await traffic.start([TrafficFlow.parse({ to: upstream.url, rate: 2 })]);
  while (traffic.stats().completed === 0) await new Promise((r) => setTimeout(r, 1));
  const stats = traffic.stats();
  const flow = stats.flows[0]!;
  // However soon the answer came, no rate since the start says more than the answers so far.
  expect(stats.achievedRate).toBeLessThanOrEqual(stats.completed);
  expect(flow.achievedRate).toBeLessThanOrEqual(flow.completed);
  expect(flow.phases[0]!.achievedRate).toBeLessThanOrEqual(flow.completed);
  // The target is what the schedule asks for: 2 a second from the start, whatever was sent so far.
  expect(flow.phases[0]!.targetRate).toBe(2);
});

it("a phase's target is the rate configured, not its sends over its time: even arrivals send at its start too", async () => {
  upstream = await rawUpstream((_req, res) => res.end('ok'));
  let now = 0;
  traffic = new TrafficGenerator({ resolve: (to) => to, rng: seededRng(1), onStateChange: () => {}, now: () => now });
  await traffic.start([TrafficFlow.parse({ to: upstream.url, phases: [{ name: 'main', for: '3s', rate: 4 }] })]);
  const phase = () => traffic!.stats().flows[0]!.phases[0]!;
  // 1.5 s on: sends at 0, 250 ... 1500 ms are due (the next timer sends them), 7 of them.
  now = 1_500;
  while (phase().intended < 7) await new Promise((r) => setTimeout(r, 5));
  expect([phase().intended, phase().targetRate]).toEqual([7, 4]);
  // Raised to 10 a second for the second half: 4 a second for 1.5 s and 10 for 1.5 s is 7 a second over 3 s.
  traffic.set({ rate: 10 });
  now = 3_000;
  while (phase().state !== 'done') await new Promise((r) => setTimeout(r, 5));
  expect(phase().targetRate).toBe(7);
  // It sent more than that (each schedule sends at its start): the target is the rate asked, not the sends.
  expect(phase().intended).toBeGreaterThan(21);
});
