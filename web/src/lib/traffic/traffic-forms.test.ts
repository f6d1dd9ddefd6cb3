import { describe, expect, it } from 'vitest';
import { TRAFFIC_SHAPES as ENGINE_SHAPES, TrafficFlow } from '../../../../engine/src/config/schema.ts';
import type { TrafficState } from '../api-types.ts';
import { addClientBody, flowRows, liveChangeBody, nextClientName, shapeInitialValues, shapeStartBody, TRAFFIC_SHAPES } from './traffic-forms.ts';

describe('traffic forms', () => {
  it('offer the engine’s shapes', () => {
    expect(TRAFFIC_SHAPES).toEqual(ENGINE_SHAPES);
  });

  it.each(TRAFFIC_SHAPES)('prefill %s with a flow the engine accepts', (shape) => {
    const { action, ...fields } = shapeStartBody(shape, shapeInitialValues(shape, 12));
    expect(action).toBe('start');
    const parsed = TrafficFlow.safeParse({ to: 'edge', paths: ['/users/1'], ...fields });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('prefill around the running rate, never below 1 req/s', () => {
    expect(shapeInitialValues('ramp', 10)).toEqual({ rate: 10, endRate: 30, over: 20_000 });
    expect(shapeInitialValues('constant', 0)).toEqual({ rate: 1 });
    expect(shapeInitialValues('closed', 12)).toEqual({ users: 5, think: 200 });
  });

  it('leave empty fields to the engine and send numbers', () => {
    expect(shapeStartBody('bursts', { rate: '20', on: 1000, off: 2000, offRate: '' })).toEqual({
      action: 'start',
      shape: 'bursts',
      rate: 20,
      on: 1000,
      off: 2000,
    });
  });

  it('change a running flow live by name', () => {
    expect(liveChangeBody('browse', { rate: 30 })).toEqual({ action: 'set', flow: 'browse', rate: 30 });
    expect(liveChangeBody('browse', { users: 4 })).toEqual({ action: 'set', flow: 'browse', users: 4 });
  });

  it('fold the live numbers into each flow, by name', () => {
    const latency = { p50: 1, p95: 2, p99: 3, max: 4, mean: 1.5 };
    const traffic: TrafficState = {
      running: true,
      sent: 120,
      flows: [
        {
          name: 'browse',
          to: 'edge',
          rate: 12,
          clients: 6,
          loop: 'open',
          shape: 'poisson',
          phase: { index: 0, of: 1, name: 'phase-1', forMs: null },
        },
        {
          name: 'users',
          to: 'edge',
          rate: 0,
          clients: 2,
          loop: 'closed',
          shape: 'closed',
          users: 3,
          phase: { index: 1, of: 2, name: 'soak', forMs: 5000 },
          http2: true,
          keepAlive: false,
          failover: ['edge-b'],
        },
      ],
      live: [
        {
          name: 'browse',
          sent: 100,
          completed: 98,
          skipped: 0,
          outstanding: 2,
          targetRate: 12,
          achievedRate: 11.8,
          ratePerSecond: 12,
          latency,
          running: true,
          finished: false,
        },
        { name: 'users', sent: 10, completed: 10, skipped: 0, outstanding: 0, targetRate: null, achievedRate: 1, ratePerSecond: 1, latency, running: true, finished: false, entry: 'edge-b', failovers: 4 },
      ],
    };
    const [browse, users] = flowRows(traffic);
    expect(browse).toMatchObject({
      shape: 'poisson',
      loop: 'open',
      rate: 12,
      phase: null,
      targetRate: 12,
      achievedRate: 11.8,
      lastSecond: 12,
      sent: 100,
      outstanding: 2,
      http2: false,
      keepAlive: true,
      failover: [],
      entry: null,
    });
    expect(users).toMatchObject({ loop: 'closed', rate: null, users: 3, phase: 'phase 2 of 2: soak', sent: 10, achievedRate: 1, http2: true, keepAlive: false });
    expect(users).toMatchObject({ failover: ['edge-b'], entry: 'edge-b', failovers: 4 });
    expect(flowRows(null)).toEqual([]);
  });
});

describe('adding a client', () => {
  it('copies a running flow, one client at its own rate, as a consumer when named', () => {
    expect(addClientBody('browse', 'client-1', 20, '')).toEqual({ action: 'add', like: 'browse', name: 'client-1', clients: 1, rate: 20 });
    expect(addClientBody('browse', 'client-2', 5, ' mobile ')).toMatchObject({ auth: { consumers: ['mobile'] } });
    expect(nextClientName(['browse', 'client-1'])).toBe('client-2');
  });
});
