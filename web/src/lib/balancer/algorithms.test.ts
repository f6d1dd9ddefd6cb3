import { describe, expect, it } from 'vitest';
import { KEYED_PICKERS, PICKER_IDS, PICKER_OPTIONS } from '../../../../engine/src/balancer/pickers/index.ts';
import { ALGORITHM_IDS, ALGORITHMS, formatHashKey, parseHashKey } from './algorithms.ts';

describe('the algorithms the page offers', () => {
  it('are the engine’s picker ids, in the engine’s order', () => {
    expect(ALGORITHM_IDS).toEqual([...PICKER_IDS]);
  });

  it('accept the options the engine accepts, and hash a key where the engine reads one', () => {
    for (const algorithm of ALGORITHMS) {
      expect(algorithm.options, algorithm.id).toEqual(PICKER_OPTIONS[algorithm.id]);
      expect(algorithm.keyed, algorithm.id).toBe(KEYED_PICKERS.includes(algorithm.id));
    }
  });

  it.each([
    ['ip', { source: 'ip', name: '' }],
    ['path', { source: 'path', name: '' }],
    ['header:x-user', { source: 'header', name: 'x-user' }],
    ['cookie:session', { source: 'cookie', name: 'session' }],
    ['query:user', { source: 'query', name: 'user' }],
    [undefined, { source: 'ip', name: '' }],
  ] as const)('reads hash key %s as its parts and writes it back', (spec, parts) => {
    expect(parseHashKey(spec)).toEqual(parts);
    expect(formatHashKey(parts)).toBe(spec ?? 'ip');
  });
});
