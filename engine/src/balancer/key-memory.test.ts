import { describe, expect, it } from 'vitest';
import { KeyMemory } from './key-memory.ts';

const pool =
  (...ids: string[]) =>
  (id: string) =>
    ids.includes(id);

describe('KeyMemory', () => {
  it.each([
    ['first sight', [], 'a', { key: 'k', outcome: 'new' }],
    ['the same target', ['a'], 'a', { key: 'k', outcome: 'stayed' }],
    ['another target while the last is in the pool', ['a'], 'b', { key: 'k', outcome: 'moved', previous: 'a' }],
    ['another target after the last left the pool', ['c'], 'b', { key: 'k', outcome: 'rehomed', previous: 'c' }],
  ])('%s', (_name, before, target, expected) => {
    const memory = new KeyMemory();
    for (const t of before) memory.observe('k', t, pool('a', 'b'));
    expect(memory.observe('k', target, pool('a', 'b'))).toEqual(expected);
  });

  it('judges against the last target only, and remembers the new one', () => {
    const memory = new KeyMemory();
    const inPool = pool('a', 'b');
    expect(['a', 'b', 'b', 'a'].map((t) => memory.observe('k', t, inPool).outcome)).toEqual(['new', 'moved', 'stayed', 'moved']);
  });

  it('forgets the key seen longest ago past its limit, so memory stays bounded', () => {
    const memory = new KeyMemory(2);
    const inPool = pool('a');
    memory.observe('k1', 'a', inPool);
    memory.observe('k2', 'a', inPool);
    memory.observe('k1', 'a', inPool); // k1 seen again: k2 is now the oldest
    memory.observe('k3', 'a', inPool);
    expect(memory.size).toBe(2);
    expect(memory.observe('k1', 'a', inPool).outcome).toBe('stayed');
    expect(memory.observe('k2', 'a', inPool).outcome).toBe('new');
  });

  it('clear forgets every key', () => {
    const memory = new KeyMemory();
    memory.observe('k', 'a', pool('a'));
    memory.clear();
    expect(memory.size).toBe(0);
    expect(memory.observe('k', 'b', pool('a', 'b')).outcome).toBe('new');
  });
});
