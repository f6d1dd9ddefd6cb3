import { describe, expect, it } from 'vitest';
import { OUTCOME_ORDER, OUTCOME_STYLES } from '../outcome.ts';
import { barPath, paintOf, shapePath } from './shapes.ts';

describe('outcome shapes', () => {
  it('draws every outcome as a path of its own', () => {
    const paths = OUTCOME_ORDER.map((outcome) => shapePath(OUTCOME_STYLES[outcome].shape, 5));
    for (const path of paths) expect(path).toMatch(/^M-?\d/);
    // The ring, the circle and the no-entry sign share the circle's outline: their paint tells them apart.
    const looks = OUTCOME_ORDER.map((outcome, i) => `${paths[i]} ${paintOf(OUTCOME_STYLES[outcome].shape)}`);
    expect(new Set(looks).size).toBe(OUTCOME_ORDER.length);
  });

  it('scales with the radius, centred on 0, 0', () => {
    expect(shapePath('square', 10)).toBe('M-9,-9 L9,-9 L9,9 L-9,9 Z');
    expect(shapePath('cross', 4)).toBe('M-4,-4 L4,4 M4,-4 L-4,4');
    expect(barPath(10)).toBe('M-6.2,0 L6.2,0');
  });
});
