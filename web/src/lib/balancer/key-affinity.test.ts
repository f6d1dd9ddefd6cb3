import { describe, expect, it } from 'vitest';
import { keyAffinityReadout } from './key-affinity.ts';

describe('keyAffinityReadout', () => {
  it('is absent until the engine reports a returning key', () => {
    expect(keyAffinityReadout(undefined)).toBeNull();
  });

  it('reads the three counts in order, named as a goal names them, with their sum', () => {
    const readout = keyAffinityReadout({ stayed: 40, moved: 7, rehomed: 3 });
    expect(readout?.returning).toBe(50);
    expect(readout?.rows.map((r) => [r.metric, r.count])).toEqual([
      ['keys.stayed', 40],
      ['keys.moved', 7],
      ['keys.rehomed', 3],
    ]);
    expect(readout?.rows[1].meaning).toMatch(/still in the pool/);
    expect(readout?.rows[2].meaning).toMatch(/left/);
  });
});
