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
  generation: 1,
});

describe('LimitHistory', () => {
  it('keeps recent decisions per limit and key, bounded', () => {
    const history = new LimitHistory(3, 2);
    for (let i = 0; i < 5; i++) history.record(1000 + i, [decision('a', true, 4 - i)], 1000 + i);
    history.record(2000, [decision('b', false, 0)], 2000);
    history.record(2001, [decision('c', true, 3)], 2001);
    const keys = history.keysOf('per-ip');
    expect([...keys.keys()]).toEqual(['b', 'c']);
    history.record(2002, [decision('c', true, 2)], 2002);
    expect(keys.get('c')!.map((p) => p.remaining)).toEqual([3, 2]);
  });

  it('keeps each key in decision order, though events arrive as requests end', () => {
    const history = new LimitHistory();
    history.record(100, [decision('a', true, 4)], 100);
    history.record(300, [decision('a', false, 0)], 300);
    // A slow accepted request, decided before the refusal, ends after it.
    history.record(200, [{ ...decision('a', true, 1), delayMs: 50 }], 200);
    expect(history.keysOf('per-ip').get('a')!.map((p) => [p.ts, p.level, p.delayMs])).toEqual([
      [100, 4, 0],
      [200, 1, 50],
      [300, 0, 0],
    ]);
  });
});

describe('LimitHistory across configs', () => {
  const of = (generation: number, remaining: number): LimitDecisionView => ({ ...decision('a', true, remaining), generation });
  const kept = (history: LimitHistory) => history.keysOf('per-ip').get('a')?.map((p) => p.level) ?? [];

  it('keeps the new config’s decisions that came before its config.applied', () => {
    const history = new LimitHistory();
    history.configApplied(1);
    history.record(100, [of(1, 4)], 110);
    // The new limiter's first requests end before the engine says the config is applied.
    history.record(200, [of(2, 3)], 210);
    history.record(220, [of(2, 2)], 230);
    history.configApplied(2);
    expect(kept(history)).toEqual([3, 2]);
    expect(history.generation).toBe(2);
  });

  it('drops the old config’s decisions at config.applied, and leaves out one that ends after it', () => {
    const history = new LimitHistory();
    history.record(100, [of(1, 4)], 110);
    history.configApplied(2);
    expect(kept(history)).toEqual([]);
    // Decided under the old config, ended after the new one was applied.
    history.record(150, [of(1, 3)], 400);
    history.record(300, [of(2, 4)], 310);
    expect(kept(history)).toEqual([4]);
  });

  it('ignores a config.applied older than the decisions it holds', () => {
    const history = new LimitHistory();
    history.record(300, [of(3, 4)], 310);
    history.configApplied(2);
    expect(kept(history)).toEqual([4]);
  });
});

describe('LimitHistory of a concurrency limit', () => {
  const slots = (inUse: number, inFlightAfter?: number): LimitDecisionView => ({
    ...decision('a', true, 3 - inUse, 3),
    limiter: 'concurrency',
    level: inUse,
    ...(inFlightAfter === undefined ? {} : { inFlightAfter }),
  });

  it('places each slot given back at the end of its request, in time order with the decisions', () => {
    const history = new LimitHistory();
    // Two requests take slots at 100 and 120; the second ends first (at 150), then the first (at 300).
    history.record(120, [slots(2, 1)], 150);
    history.record(100, [slots(1, 0)], 300);
    expect(history.keysOf('per-ip').get('a')!.map((p) => [p.ts, p.level, p.remaining, p.release ?? false])).toEqual([
      [100, 1, 2, false],
      [120, 2, 1, false],
      [150, 1, 2, true],
      [300, 0, 3, true],
    ]);
  });

  it('counts only decisions when it picks the key to watch, and marks only decisions on the chart', () => {
    const history = new LimitHistory();
    history.record(100, [slots(1, 0)], 300);
    history.record(200, [{ ...slots(1, 0), key: 'b' }], 210);
    history.record(220, [{ ...slots(1, 0), key: 'b' }], 230);
    const keys = history.keysOf('per-ip');
    expect(focusKey(keys, 0)).toBe('b');
    expect(chartOf(keys.get('a')!, { algorithm: 'concurrency', limit: 3 }, 0, 1000, { width: 100, height: 10 }).marks).toEqual([{ x: 10, allowed: true }]);
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
