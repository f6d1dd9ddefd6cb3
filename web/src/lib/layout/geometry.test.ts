import { describe, expect, it } from 'vitest';
import { curvePath, curvePoint, fitTransform, horizontalCurve } from './geometry.ts';

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

describe('fitTransform', () => {
  it('letterboxes a wide box like xMidYMid meet', () => {
    expect(fitTransform(100, 50, 400, 100)).toEqual({ scale: 2, dx: 100, dy: 0 });
  });

  it('letterboxes a tall box', () => {
    expect(fitTransform(100, 50, 100, 250)).toEqual({ scale: 1, dx: 0, dy: 100 });
  });

  it('is the identity for an empty box', () => {
    expect(fitTransform(100, 50, 0, 0)).toEqual({ scale: 1, dx: 0, dy: 0 });
  });
});
