import { describe, expect, it } from 'vitest';
import { busRoute, curvePath, curvePoint, drawScale, horizontalCurve, MAX_DRAW_SCALE, routePath, routePoint } from './geometry.ts';

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

describe('bus routes', () => {
  const route = busRoute(0, 100, 20, 120, 20, 8);

  it('run from the port along the trunk, up the bus at busX, and along the branch to the target, each piece where the last ended', () => {
    expect(route[0]).toMatchObject({ x0: 0, y0: 100 });
    expect(route.at(-1)).toMatchObject({ x1: 120, y1: 20 });
    for (let i = 1; i < route.length; i++) expect([route[i].x0, route[i].y0]).toEqual([route[i - 1].x1, route[i - 1].y1]);
    expect(route.map((p) => [p.x0, p.y0, p.x1, p.y1])).toEqual([
      [0, 100, 12, 100],
      [12, 100, 20, 92],
      [20, 92, 20, 28],
      [20, 28, 28, 20],
      [28, 20, 120, 20],
    ]);
    expect(routePath(route)).toMatch(/^M0,100 C4,100 8,100 12,100 C16\.4,100 20,96\.4 20,92 C20,\S+ 20,\S+ 20,28 C/);
  });

  it('are walked by length: a dot crosses the bus and the branch at one speed', () => {
    const p = { x: NaN, y: NaN };
    expect(routePoint(route, 0, p)).toEqual({ x: 0, y: 100 });
    expect(routePoint(route, 1, p)).toEqual({ x: 120, y: 20 });
    // Trunk 12 + corner ~12.7 + bus 64 + corner ~12.7 + branch 92: the middle of the way is on the bus's far end or the corner after it.
    routePoint(route, 0.5, p);
    expect(p.x).toBeGreaterThanOrEqual(20);
    expect(p.x).toBeLessThan(30);
    expect(p.y).toBeLessThan(40);
  });

  it('go straight to a target level with the port, and round smaller corners on a short drop', () => {
    expect(busRoute(0, 50, 20, 100, 50, 8)).toHaveLength(1);
    const short = busRoute(0, 50, 20, 100, 56, 8);
    expect(short.every((c) => c.y1 >= 50 && c.y1 <= 56)).toBe(true);
    expect(short.at(-1)).toMatchObject({ x1: 100, y1: 56 });
  });

  it('walk a one-piece route as its curve', () => {
    const c = horizontalCurve(0, 0, 100, 50);
    expect(routePoint([c], 0.3, { x: 0, y: 0 })).toEqual(curvePoint(c, 0.3, { x: 0, y: 0 }));
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
