import { describe, expect, it } from 'vitest';
import { placeTip } from './tip-placement.ts';

const viewport = { width: 1000, height: 800 };
const tip = { width: 200, height: 60 };

describe('placing a tip', () => {
  it('centres it under its anchor', () => {
    expect(placeTip({ x: 500, top: 100, bottom: 120 }, tip, viewport)).toEqual({ left: 400, top: 132 });
  });

  it('flips it above when it would run off the bottom', () => {
    expect(placeTip({ x: 500, top: 750, bottom: 770 }, tip, viewport)).toEqual({ left: 400, top: 678 });
  });

  it('keeps it inside the viewport sideways', () => {
    expect(placeTip({ x: 20, top: 100, bottom: 100 }, tip, viewport).left).toBe(8);
    expect(placeTip({ x: 990, top: 100, bottom: 100 }, tip, viewport).left).toBe(792);
  });
});
