/**
 * The outcome shapes, drawn once here for both the canvas (the dots) and SVG (the legend's and the
 * event log's glyphs), so a shape reads the same in each. Sizes are in units of the dot's radius.
 * How each is painted: filled with the target's colour and a dark outline; the ring (in flight) is
 * the colour as a thick outline around a dark middle; the cross is the colour as a stroke over a
 * dark one; the no-entry sign is a filled circle with a dark bar across.
 */
import type { DotShape } from '../outcome.ts';

const star = (points: number, outer: number, inner: number): number[] =>
  Array.from({ length: points * 2 }, (_, k) => {
    const r = k % 2 === 0 ? outer : inner;
    const angle = (k * Math.PI) / points - Math.PI / 2;
    return [r * Math.cos(angle), r * Math.sin(angle)];
  }).flat();

/** Closed outlines as flat x, y lists; the round shapes and the cross are drawn by their own rules below. */
const POLYGONS: Partial<Record<DotShape, readonly number[]>> = {
  square: [-0.9, -0.9, 0.9, -0.9, 0.9, 0.9, -0.9, 0.9],
  diamond: [0, -1.25, 1.25, 0, 0, 1.25, -1.25, 0],
  triangle: [0, -1.2, 1.1, 0.8, -1.1, 0.8],
  star: star(5, 1.35, 0.6),
};

/** How a shape is painted: see the file's opening comment. */
export type ShapePaint = 'fill' | 'ring' | 'stroke' | 'fill-bar';

export function paintOf(shape: DotShape): ShapePaint {
  return shape === 'ring' ? 'ring' : shape === 'cross' ? 'stroke' : shape === 'no-entry' ? 'fill-bar' : 'fill';
}

/** The no-entry sign's bar, from -BAR to +BAR across the middle. */
export const BAR = 0.62;

/** Adds the shape, centred on (x, y) with radius r, to the canvas's current path. */
export function traceShape(ctx: CanvasRenderingContext2D, shape: DotShape, x: number, y: number, r: number): void {
  const points = POLYGONS[shape];
  if (points !== undefined) {
    ctx.moveTo(x + points[0] * r, y + points[1] * r);
    for (let i = 2; i < points.length; i += 2) ctx.lineTo(x + points[i] * r, y + points[i + 1] * r);
    ctx.closePath();
  } else if (shape === 'cross') {
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
  } else {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, Math.PI * 2);
  }
}

const round = (v: number) => Math.round(v * 100) / 100;

/** The same shape as an SVG path centred on 0, 0. */
export function shapePath(shape: DotShape, r: number): string {
  const points = POLYGONS[shape];
  if (points !== undefined) {
    const xy = (i: number) => `${round(points[i] * r)},${round(points[i + 1] * r)}`;
    return `M${xy(0)} ${Array.from({ length: points.length / 2 - 1 }, (_, k) => `L${xy(2 * k + 2)}`).join(' ')} Z`;
  }
  if (shape === 'cross') return `M${-r},${-r} L${r},${r} M${r},${-r} L${-r},${r}`;
  return `M${r},0 A${r},${r} 0 1 1 ${-r},0 A${r},${r} 0 1 1 ${r},0 Z`;
}

/** The no-entry bar as an SVG path. */
export function barPath(r: number): string {
  return `M${round(-BAR * r)},0 L${round(BAR * r)},0`;
}
