import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { editDistance, keysAt, nearestName } from './suggest.ts';

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['abc', '', 3],
    ['targets', 'targets', 0],
    ['tagrets', 'targets', 1], // a swapped pair costs one
    ['least-conections', 'least-connections', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // optimal string alignment: no edit inside a transposed pair
  ])('%j to %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('nearestName', () => {
  const pickers = ['round-robin', 'weighted-round-robin', 'least-connections', 'ip-hash', 'p2c'];
  it.each<[string, readonly string[], string | undefined]>([
    ['least-conections', pickers, 'least-connections'],
    ['Round-Robin', pickers, 'round-robin'],
    ['roundrobin', pickers, 'round-robin'],
    ['users-9', ['users-1', 'users-2', 'orders-1'], 'users-1'],
    ['tagrets', ['targets', 'algorithm'], 'targets'],
    ['egde', ['edge', 'api'], 'edge'],
    // Too far to be a slip of the finger: nothing offered.
    ['magic', pickers, undefined],
    ['rate', ['name', 'limit', 'key'], undefined],
    ['ab', ['cd'], undefined],
    // What was written is no suggestion.
    ['edge', ['edge'], undefined],
  ])('%j among %j is %j', (word, names, expected) => {
    expect(nearestName(word, names)).toBe(expected);
  });
});

describe('the budget of one check', () => {
  it('is charged per comparison, and a search it cannot finish offers nothing', () => {
    const budget = { cells: 7 * 7 };
    // 'algorithm' is skipped uncharged: its length alone is further than the best found.
    expect(nearestName('tagrets', ['targets', 'algorithm'], budget)).toBe('targets');
    expect(budget.cells).toBe(0);
    expect(nearestName('tagrets', ['targets'], budget)).toBeUndefined();
    // 'targetz' is close, but the search stops before 'targets': no worse name is offered.
    expect(nearestName('tagrets', ['targetz', 'targets'], { cells: 7 * 7 + 10 })).toBeUndefined();
    expect(nearestName('tagrets', ['targetz', 'targets'])).toBe('targets');
  });
});

describe('keysAt', () => {
  const Schema = z.strictObject({
    nodes: z.array(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('a'), alpha: z.number().optional() }),
        z.strictObject({ kind: z.literal('b'), beta: z.string().default('x') }).superRefine(() => {}),
      ]),
    ),
    extra: z.union([z.string(), z.strictObject({ one: z.number(), two: z.number() })]).optional(),
  });

  it('follows arrays, wrappers and the branch a discriminated union takes', () => {
    const input = { nodes: [{ kind: 'a' }, { kind: 'b' }], extra: {} };
    expect(keysAt(Schema, [], input)).toEqual(['nodes', 'extra']);
    expect(keysAt(Schema, ['nodes', 0], input)).toEqual(['kind', 'alpha']);
    expect(keysAt(Schema, ['nodes', 1], input)).toEqual(['kind', 'beta']);
    expect(keysAt(Schema, ['extra'], input)).toEqual(['one', 'two']);
  });

  it('takes every branch when the value names none, and nothing where no object is', () => {
    expect(keysAt(Schema, ['nodes', 0], { nodes: [{ kind: 'zzz' }] })).toEqual(['kind', 'alpha', 'beta']);
    expect(keysAt(Schema, ['nodes', 0, 'alpha'], { nodes: [{ kind: 'a' }] })).toEqual([]);
    expect(keysAt(Schema, ['missing'], {})).toEqual([]);
  });
});
