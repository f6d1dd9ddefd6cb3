import { describe, expect, it } from 'vitest';
import { curvePath, curvePoint, drawScale, horizontalCurve, MAX_DRAW_SCALE } from './geometry.ts';

describe('curves', () => {
  const c = horizontalCurve(0, 0, 100, 50);

  it('start at the out port and end at the in port', () => {
    const p = { x: NaN, y: NaN };
    expect(curvePoint(c, 0, p)).toEqual({ x: 0, y: 0 });
    expect(curvePoint(c, 1, p)).toEqual({ x: 100, y: 50 });
    expect(curvePoint(c, 0.5, p)).toEqual({ x: 50, y: 25 });
  });

  it('fill the point they are given', () => {
    const p = { x: 0, y: 0 };
    expect(curvePoint(c, 0.25, p)).toBe(p);
  });

  it('serialise as an SVG path', () => {
    expect(curvePath(c)).toBe('M0,0 C50,0 50,50 100,50');
  });
});

describe('drawScale', () => {
  const room = { width: 800, height: 500 };

  it('enlarges a small layout to fill the room, up to its limit', () => {
    expect(drawScale(700, 250, room)).toBeCloseTo(800 / 700);
    expect(drawScale(200, 100, room)).toBe(MAX_DRAW_SCALE);
  });

  it('never draws below scale 1: a layout larger than the room scrolls', () => {
    expect(drawScale(1200, 300, room)).toBe(1);
    expect(drawScale(700, 2000, room)).toBe(1);
  });

  it('is 1 for an empty layout', () => {
    expect(drawScale(0, 0, room)).toBe(1);
  });
});
