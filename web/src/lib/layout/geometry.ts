/**
 * The small geometry the topology and the dots share: edges between a node's out port and the next
 * node's in port as routes of cubic pieces (one S-curve, or a trunk, bus and branch), points along them
 * (allocation-free: callers pass the point to fill), and the scale the stage draws a layout at (the SVG
 * and the canvas share it).
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

/** A straight line as a cubic, so a route is made of one kind of piece. */
export function lineCurve(x0: number, y0: number, x1: number, y1: number): Curve {
  return { x0, y0, c1x: x0 + (x1 - x0) / 3, c1y: y0 + (y1 - y0) / 3, c2x: x0 + ((x1 - x0) * 2) / 3, c2y: y0 + ((y1 - y0) * 2) / 3, x1, y1 };
}

/** A rounded corner from (x0, y0) to (x1, y1) around the corner point (cx, cy). */
function cornerCurve(x0: number, y0: number, cx: number, cy: number, x1: number, y1: number): Curve {
  const k = 0.55;
  return { x0, y0, c1x: x0 + (cx - x0) * k, c1y: y0 + (cy - y0) * k, c2x: x1 + (cx - x1) * k, c2y: y1 + (cy - y1) * k, x1, y1 };
}

/** An edge's line: cubic pieces, each starting where the one before ends. */
export type Route = readonly Curve[];

/**
 * One edge of a wide fan-out drawn as a tree branch: a trunk from the port to the bus at `busX` (every
 * edge of the fan shares it), along the bus to the target's height, then its own branch to (x1, y1),
 * with rounded corners of `radius`. Where the fan's edges would merge into one thick bar as S-curves,
 * the trunk and bus draw as one line and each branch stands apart, a row-pitch from its neighbours.
 */
export function busRoute(x0: number, y0: number, busX: number, x1: number, y1: number, radius: number): Route {
  const dy = y1 - y0;
  if (Math.abs(dy) < 0.5) return [lineCurve(x0, y0, x1, y1)];
  const s = Math.sign(dy);
  const r = Math.min(radius, Math.abs(dy) / 2, busX - x0, x1 - busX);
  const route: Curve[] = [];
  if (busX - r > x0) route.push(lineCurve(x0, y0, busX - r, y0));
  route.push(cornerCurve(busX - r, y0, busX, y0, busX, y0 + s * r));
  if (Math.abs(dy) > 2 * r) route.push(lineCurve(busX, y0 + s * r, busX, y1 - s * r));
  route.push(cornerCurve(busX, y1 - s * r, busX, y1, busX + r, y1));
  if (x1 > busX + r) route.push(lineCurve(busX + r, y1, x1, y1));
  return route;
}

export function routePath(route: Route): string {
  return route.map((c, i) => `${i === 0 ? `M${c.x0},${c.y0} ` : ' '}C${c.c1x},${c.c1y} ${c.c2x},${c.c2y} ${c.x1},${c.y1}`).join('');
}

/** A piece's length, estimated as the mean of its chord and its control polygon (exact for a line). */
function pieceLength(c: Curve): number {
  const chord = Math.hypot(c.x1 - c.x0, c.y1 - c.y0);
  const net = Math.hypot(c.c1x - c.x0, c.c1y - c.y0) + Math.hypot(c.c2x - c.c1x, c.c2y - c.c1y) + Math.hypot(c.x1 - c.c2x, c.y1 - c.c2y);
  return (chord + net) / 2;
}

/**
 * Fills `out` with the point a fraction t (0 = start, 1 = end) of the way along `route`, by length, so
 * a dot crosses a long bus and a short corner at the same speed; returns it. No allocation.
 */
export function routePoint(route: Route, t: number, out: Point): Point {
  if (route.length === 1) return curvePoint(route[0], t, out);
  let total = 0;
  for (let i = 0; i < route.length; i++) total += pieceLength(route[i]);
  let left = Math.min(1, Math.max(0, t)) * total;
  for (let i = 0; i < route.length; i++) {
    const len = pieceLength(route[i]);
    if (left <= len || i === route.length - 1) return curvePoint(route[i], len <= 0 ? 1 : Math.min(1, left / len), out);
    left -= len;
  }
  return out;
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
