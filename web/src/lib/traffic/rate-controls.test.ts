import { describe, expect, it } from 'vitest';
import type { TrafficState } from '../api-types.ts';
import { rateChangeBody, rateControls } from './rate-controls.ts';

const latency = { p50: 1, p95: 1, p99: 1, max: 1, mean: 1 };
const live = (name: string, targetRate: number | null) => ({
  name,
  sent: 10,
  completed: 10,
  skipped: 0,
  outstanding: 0,
  targetRate,
  achievedRate: 1,
  ratePerSecond: 1,
  latency,
  running: true,
  finished: false,
});

const traffic: TrafficState = {
  running: true,
  sent: 0,
  flows: [
    { name: 'browse', to: 'edge', rate: 12, clients: 6, shape: 'ramp' },
    { name: 'shoppers', to: 'edge', rate: 0, clients: 2, loop: 'closed', shape: 'closed', users: 3 },
    { name: 'client-1', to: 'edge', rate: 20, clients: 1 },
  ],
  live: [live('browse', 17.5), live('shoppers', null), live('client-1', 20)],
};

describe('the rate control', () => {
  it('shows each open-loop flow at the engine’s target now (a ramp’s current rate, not its start)', () => {
    expect(rateControls(traffic)).toEqual([
      { flow: 'browse', rate: 17.5, changeable: true },
      { flow: 'client-1', rate: 20, changeable: true },
    ]);
    expect(rateControls(null)).toEqual([]);
  });

  it('shows a paused flow at the rate it is set to; only the first one restarts from here', () => {
    const paused = { ...traffic, running: false, live: undefined };
    expect(rateControls(paused)).toEqual([
      { flow: 'browse', rate: 12, changeable: true },
      { flow: 'client-1', rate: 20, changeable: false },
    ]);
    expect(rateChangeBody(paused, 'browse', 30)).toEqual({ action: 'start', rate: 30 });
    expect(rateChangeBody(paused, 'client-1', 30)).toBeUndefined();
  });

  it('changes a running flow live, by name; a closed loop or an unknown flow has no rate to change', () => {
    expect(rateChangeBody(traffic, 'client-1', 5)).toEqual({ action: 'set', flow: 'client-1', rate: 5 });
    expect(rateChangeBody(traffic, 'shoppers', 5)).toBeUndefined();
    expect(rateChangeBody(traffic, 'nobody', 5)).toBeUndefined();
    expect(rateChangeBody(null, 'browse', 5)).toBeUndefined();
  });
});
