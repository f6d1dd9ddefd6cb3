import { describe, expect, it } from 'vitest';
import { DecisionTally } from './decision-tally.ts';
import { decision } from './limiter.ts';

const pass = decision('token-bucket', true, 10, 9, 100, 0, 9);
const wait = decision('leaky-bucket', true, 10, 9, 100, 0, 9, 250);
const refuse = decision('token-bucket', false, 10, 0, 100, 100, 0);

describe('DecisionTally', () => {
  it('counts each decision in the totals and under its key', () => {
    const tally = new DecisionTally();
    for (const [key, outcome] of [
      ['a', pass],
      ['a', refuse],
      ['a', refuse],
      ['b', wait],
      ['b', pass],
      ['b', pass],
      ['c', pass],
    ] as const)
      tally.record(key, outcome, 0);
    expect(tally.summary('token-bucket', 2)).toEqual({
      limiter: 'token-bucket',
      keys: 3,
      maxKeys: 10_000,
      allowed: 5,
      rejected: 2,
      delayed: 1,
      evictedIdle: 0,
      evictedForced: 0,
      topByUse: [
        { key: 'b', used: 3, rejected: 0 },
        { key: 'a', used: 1, rejected: 2 },
      ],
      topByRejections: [{ key: 'a', used: 1, rejected: 2 }],
    });
  });

  it('holds at most maxKeys keys under a flood of distinct ones, and its totals forget nothing', () => {
    const tally = new DecisionTally(100);
    for (let i = 0; i < 10_000; i++) tally.record(`k${i}`, pass, i);
    const summary = tally.summary('token-bucket', 1);
    expect(summary.keys).toBe(100);
    expect(summary.evictedForced).toBe(9_900);
    expect(summary.allowed).toBe(10_000);
  });

  it('starts again from nothing when its counts are reset: totals, keys and evictions', () => {
    const tally = new DecisionTally(2);
    for (const key of ['a', 'b', 'c']) tally.record(key, pass, 0);
    tally.record('a', refuse, 0);
    tally.resetCounts();
    expect(tally.summary('token-bucket', 2)).toMatchObject({
      keys: 0,
      maxKeys: 2,
      allowed: 0,
      rejected: 0,
      delayed: 0,
      evictedForced: 0,
      topByUse: [],
      topByRejections: [],
    });
    tally.record('b', wait, 1);
    expect(tally.summary('token-bucket', 2)).toMatchObject({
      keys: 1,
      allowed: 1,
      delayed: 1,
      topByUse: [{ key: 'b', used: 1, rejected: 0 }],
    });
  });
});
