/**
 * The small geometry the topology and the dots share: cubic edges between a node's out port and the
 * next node's in port, points along them (allocation-free: callers pass the point to fill), and the
 * `xMidYMid meet` transform that maps layout units onto the element the SVG and canvas fill.
 */
export interface Point {
  x: number;
  y: number;
}

/** A cubic Bézier from (x0, y0) to (x1, y1); control points make it leave and arrive horizontally. */
export interface Curve {
  x0: number;
  y0: number;
  c1x: number;
  c1y: number;
  c2x: number;
  c2y: number;
  x1: number;
  y1: number;
}

export function horizontalCurve(x0: number, y0: number, x1: number, y1: number): Curve {
  const bend = Math.max(24, Math.abs(x1 - x0) * 0.5);
  return { x0, y0, c1x: x0 + bend, c1y: y0, c2x: x1 - bend, c2y: y1, x1, y1 };
}

export function curvePath(c: Curve): string {
  return `M${c.x0},${c.y0} C${c.c1x},${c.c1y} ${c.c2x},${c.c2y} ${c.x1},${c.y1}`;
}

/** Fills `out` with the point at parameter t (0 = start, 1 = end) and returns it. */
export function curvePoint(c: Curve, t: number, out: Point): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  out.x = a * c.x0 + b * c.c1x + d * c.c2x + e * c.x1;
  out.y = a * c.y0 + b * c.c1y + d * c.c2y + e * c.y1;
  return out;
}

export interface FitTransform {
  scale: number;
  dx: number;
  dy: number;
}

/** The transform an SVG with `viewBox="0 0 viewW viewH"` and `preserveAspectRatio="xMidYMid meet"` applies. */
export function fitTransform(viewW: number, viewH: number, boxW: number, boxH: number): FitTransform {
  if (viewW <= 0 || viewH <= 0 || boxW <= 0 || boxH <= 0) return { scale: 1, dx: 0, dy: 0 };
  const scale = Math.min(boxW / viewW, boxH / viewH);
  return { scale, dx: (boxW - viewW * scale) / 2, dy: (boxH - viewH * scale) / 2 };
}
