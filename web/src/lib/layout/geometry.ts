/**
 * The small geometry the topology and the dots share: cubic edges between a node's out port and the
 * next node's in port, points along them (allocation-free: callers pass the point to fill), and the
 * scale the stage draws a layout at (the SVG and the canvas share it).
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

/** Layout units to the drawing element's pixels: `scale`, then the offset. */
export interface FitTransform {
  scale: number;
  dx: number;
  dy: number;
}

/** The most the stage enlarges a small layout to fill its room. */
export const MAX_DRAW_SCALE = 1.5;

/**
 * The scale the stage draws a `layoutW` x `layoutH` layout at in `room` (screen pixels): enlarged to fill
 * the room up to MAX_DRAW_SCALE, and never below 1, so no text is smaller on screen than its CSS size
 * (a layout larger than the room scrolls instead).
 */
export function drawScale(layoutW: number, layoutH: number, room: { width: number; height: number }): number {
  if (layoutW <= 0 || layoutH <= 0) return 1;
  return Math.max(1, Math.min(room.width / layoutW, room.height / layoutH, MAX_DRAW_SCALE));
}
