import { describe, expect, it } from 'vitest';
import type { LimitDecisionView, StageStep } from '../../../../engine/src/events.ts';
import { chartOf, decidedAt, focusKey, LimitHistory, remainingAt, type LimitPoint } from './limit-history.ts';

const decision = (key: string, allowed: boolean, remaining: number, quota = 5): LimitDecisionView => ({
  name: 'per-ip',
  limiter: 'token-bucket',
  key,
  allowed,
  delayMs: 0,
  quota,
  remaining,
  resetMs: 0,
  retryAfterMs: 0,
  level: remaining,
});

describe('LimitHistory', () => {
  it('keeps recent decisions per limit and key, bounded', () => {
    const history = new LimitHistory(3, 2);
    for (let i = 0; i < 5; i++) history.record(1000 + i, [decision('a', true, 4 - i)]);
    history.record(2000, [decision('b', false, 0)]);
    history.record(2001, [decision('c', true, 3)]);
    const keys = history.keysOf('per-ip');
    expect([...keys.keys()]).toEqual(['b', 'c']);
    history.record(2002, [decision('c', true, 2)]);
    expect(keys.get('c')!.map((p) => p.remaining)).toEqual([3, 2]);
  });

  it('keeps each key in decision order, though events arrive as requests end', () => {
    const history = new LimitHistory();
    history.record(100, [decision('a', true, 4)]);
    history.record(300, [decision('a', false, 0)]);
    // A slow accepted request, decided before the refusal, ends after it.
    history.record(200, [{ ...decision('a', true, 1), delayMs: 50 }]);
    expect(history.keysOf('per-ip').get('a')!.map((p) => [p.ts, p.level, p.delayMs])).toEqual([
      [100, 4, 0],
      [200, 1, 50],
      [300, 0, 0],
    ]);
  });
});

describe('decidedAt', () => {
  it('is when the node received the request plus the stages before the rate limit, to the ms', () => {
    const stages = [
      { stage: 'route', verdict: 'continue', ms: 0.4 },
      { stage: 'auth', verdict: 'continue', ms: 2.3 },
      { stage: 'rate-limit', verdict: 'continue', ms: 500 },
    ] as StageStep[];
    expect(decidedAt(10_000, 520.2, stages, 2)).toBe(9482);
    expect(decidedAt(10_000, 520.2, stages, 0)).toBe(9480);
  });
});

describe('focusKey', () => {
  const points = (ts: number[], allowed: boolean): LimitPoint[] => ts.map((t) => ({ limiter: 'token-bucket', ts: t, allowed, remaining: 0, quota: 5, level: 0, delayMs: 0 }));

  it('watches the key refused most recently, else the busiest', () => {
    const keys = new Map([
      ['busy', points([10, 11, 12, 13], true)],
      ['refused', points([5], false)],
    ]);
    expect(focusKey(keys, 0)).toBe('refused');
    // A refusal older than the window no longer counts.
    expect(focusKey(keys, 8)).toBe('busy');
    expect(focusKey(new Map(), 0)).toBeUndefined();
  });
});

describe('remainingAt', () => {
  const at = (ts: number, remaining: number): LimitPoint => ({ limiter: 'token-bucket', ts, allowed: true, remaining, quota: 5, level: remaining, delayMs: 0 });

  it('refills a token bucket at its rate up to the quota, and holds nothing before the first decision', () => {
    const points = [at(1000, 1)];
    expect(remainingAt(points, { algorithm: 'token-bucket', rate: 2 }, 500)).toBeUndefined();
    expect(remainingAt(points, { algorithm: 'token-bucket', rate: 2 }, 1500)).toBe(2);
    expect(remainingAt(points, { algorithm: 'token-bucket', rate: 2 }, 9000)).toBe(5);
  });

  it('fills a fixed window again at its boundary, and holds the others at their last value', () => {
    const points = [at(1500, 0)];
    expect(remainingAt(points, { algorithm: 'fixed-window', window: 1000 }, 1900)).toBe(0);
    expect(remainingAt(points, { algorithm: 'fixed-window', window: 1000 }, 2000)).toBe(5);
    expect(remainingAt(points, { algorithm: 'sliding-window-log', window: 1000 }, 9000)).toBe(0);
  });
});

describe('chartOf', () => {
  it('draws the line inside the box and places each decision on the time axis', () => {
    const points: LimitPoint[] = [
      { limiter: 'concurrency', ts: 1000, allowed: true, remaining: 5, quota: 5, level: 1, delayMs: 0 },
      { limiter: 'concurrency', ts: 1500, allowed: false, remaining: 0, quota: 5, level: 5, delayMs: 0 },
    ];
    const chart = chartOf(points, { algorithm: 'concurrency' }, 0, 2000, { width: 200, height: 50 });
    expect(chart.marks).toEqual([
      { x: 100, allowed: true },
      { x: 150, allowed: false },
    ]);
    expect(chart.line.startsWith('M100.0,0.0')).toBe(true);
    expect(chart.line.endsWith('L200.0,50.0')).toBe(true);
  });
});
