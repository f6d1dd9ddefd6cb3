/** The traffic part of `edgelab run`'s output, from the generator's real stats after a short run. */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow } from '../config/schema.ts';
import { rawUpstream, waitFor, type RawUpstream } from '../testing/harness.ts';
import { TrafficGenerator } from '../traffic/generator.ts';
import { trafficLengthMs } from '../traffic/phases.ts';
import { flowTable, trafficNotes, trafficProgress } from './traffic-report.ts';

let upstream: RawUpstream | undefined;
let traffic: TrafficGenerator | undefined;
afterEach(async () => {
  await traffic?.close();
  await upstream?.close();
  traffic = upstream = undefined;
});

describe('traffic report', () => {
  it('has a row per phase that ran and a total, and notes the sends it skipped', async () => {
    upstream = await rawUpstream(() => {});
    traffic = new TrafficGenerator({ resolve: (to) => new URL(to).origin, rng: seededRng(1) });
    const flow = TrafficFlow.parse({
      name: 'shop',
      to: upstream.url,
      maxOutstanding: 3,
      phases: [
        { name: 'calm', for: '200ms', rate: 20 },
        { name: 'rush', for: '200ms', shape: 'ramp', rate: 20, endRate: 100 },
        { name: 'later', for: '1s', rate: 5 },
      ],
    });
    await traffic.start([flow]);
    await waitFor(() => (traffic!.stats().flows[0].phase === 2 ? true : undefined));
    await traffic.stop();
    const stats = traffic.stats();
    const lines = flowTable(stats).split('\n');
    expect(lines[0]).toMatch(/^flow\s+phase\s+shape\s+for s\s+sent\s+skipped\s+done\s+target\/s\s+achieved\/s\s+p50 ms\s+p95 ms\s+p99 ms$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      'shop calm constant 0.2 3',
      'shop rush ramp 0.2 0',
      expect.stringMatching(/^shop later constant 1\.0 0$/),
      expect.stringMatching(/^shop \(all\) [0-9.]+ 3 \d+$/),
    ]);
    expect(trafficNotes(stats)).toContain(
      `shop: ${stats.skipped} of ${stats.intended} intended sends were skipped because too many requests were unanswered (maxOutstanding); the rate the config asked for was not sent`,
    );
    expect(trafficNotes(stats).some((n) => n.startsWith('shop calm: achieved 0.0 req/s of the'))).toBe(true);
    expect(trafficProgress(stats)).toMatch(/^0 req\/s {2}skipped \d+$/);
  });

  it('a run lasts as long as its phases when they all end', () => {
    const flow = (fields: Record<string, unknown>) => TrafficFlow.parse({ to: 'edge', ...fields });
    expect(
      trafficLengthMs([
        flow({
          phases: [
            { for: '2s', rate: 1 },
            { for: '500ms', rate: 2 },
          ],
        }),
        flow({ phases: [{ for: '1s', rate: 1 }] }),
      ]),
    ).toBe(2_500);
    expect(trafficLengthMs([flow({ rate: 1 })])).toBeUndefined();
    expect(trafficLengthMs([])).toBeUndefined();
  });
});
