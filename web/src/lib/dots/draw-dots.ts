/**
 * Paints the dot field on a canvas laid over the topology SVG. A dot's colour is its target's (the
 * service its balancer picked, lib/colour/target-colours.ts; grey before the pick) and its shape is
 * its outcome (lib/outcome.ts, drawn by shapes.ts): ring in flight, circle 2xx, diamond 3xx, square
 * 4xx, no-entry sign 401/403, triangle 429, star 5xx, cross edge error. An answer from a proxy's
 * cache gets a light ring around its shape, whatever its outcome.
 *
 * Cost per frame stays flat: the dots are sorted by look (outcome, then colour) into a reused array
 * with a counting sort, and each look is one path filled once; errors are drawn last, on top. Only
 * fading dots are drawn one by one. No allocation per dot, and the colours are the palette's strings.
 */
import { colourOfSlot, TARGET_PALETTE } from '../colour/target-colours.ts';
import type { FitTransform } from '../layout/geometry.ts';
import { OUTCOME_ORDER, OUTCOME_STYLES, type OutcomeClass } from '../outcome.ts';
import type { Dot, DotField } from './dot-field.ts';
import { BAR, paintOf, traceShape, type ShapePaint } from './shapes.ts';

/** Dot size in layout units. */
export const DOT_RADIUS = 6.5;
const OUTLINE = '#0b1120';
/** The ring of an answer from a proxy's cache, and its gap from the shape. */
export const CACHED_RING = '#f5f7fa';
const CACHED_GAP = 3.2;
/** The in-flight ring is drawn a little inside the radius, so with its thick line it is as big as the others. */
const RING_INSET = 0.8;

const OUTCOME_INDEX = Object.fromEntries(OUTCOME_ORDER.map((outcome, i) => [outcome, i])) as Record<OutcomeClass, number>;
/** The palette's colours and grey (slot -1) for no target. */
const COLOURS = TARGET_PALETTE.length + 1;
const LOOKS = OUTCOME_ORDER.length * COLOURS;
const starts = new Int32Array(LOOKS + 1);
const cursor = new Int32Array(LOOKS);
let sorted: Dot[] = [];

const lookOf = (dot: Dot) => OUTCOME_INDEX[dot.outcome] * COLOURS + (dot.slot < 0 ? 0 : (dot.slot % TARGET_PALETTE.length) + 1);
const shown = (dot: Dot) => dot.active && dot.visible;

export function drawDots(ctx: CanvasRenderingContext2D, field: DotField, fit: FitTransform, pixelRatio: number): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const k = fit.scale * pixelRatio;
  ctx.setTransform(k, 0, 0, k, fit.dx * pixelRatio, fit.dy * pixelRatio);
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  sortByLook(field.dots);
  for (let look = 0; look < LOOKS; look++) {
    const from = starts[look];
    const to = starts[look + 1];
    if (from === to) continue;
    const outcome = OUTCOME_ORDER[Math.floor(look / COLOURS)];
    const shape = OUTCOME_STYLES[outcome].shape;
    const paint = paintOf(shape);
    const colour = colourOfSlot((look % COLOURS) - 1);
    const r = paint === 'ring' ? DOT_RADIUS * RING_INSET : DOT_RADIUS;
    ctx.globalAlpha = 1;
    ctx.beginPath();
    let any = false;
    for (let i = from; i < to; i++) {
      if (sorted[i].alpha < 1) continue;
      traceShape(ctx, shape, sorted[i].x, sorted[i].y, r);
      any = true;
    }
    if (any) paintLook(ctx, paint, colour, from, to, true);
    for (let i = from; i < to; i++) {
      const dot = sorted[i];
      if (dot.alpha >= 1) continue;
      ctx.globalAlpha = Math.max(0, dot.alpha);
      ctx.beginPath();
      traceShape(ctx, shape, dot.x, dot.y, r);
      paintLook(ctx, paint, colour, i, i + 1, false);
    }
  }
  drawCacheRings(ctx, field);
  ctx.globalAlpha = 1;
}

/** Orders the shown dots by look into `sorted`: look `l` holds `sorted[starts[l]]` to `sorted[starts[l + 1] - 1]`. */
function sortByLook(dots: readonly Dot[]): void {
  if (sorted.length < dots.length) sorted = new Array<Dot>(dots.length);
  starts.fill(0);
  for (const dot of dots) if (shown(dot)) starts[lookOf(dot) + 1]++;
  for (let look = 0; look < LOOKS; look++) {
    starts[look + 1] += starts[look];
    cursor[look] = starts[look];
  }
  for (const dot of dots) if (shown(dot)) sorted[cursor[lookOf(dot)]++] = dot;
}

/** Paints the current path in a look; a no-entry sign then gets its bars, for the dots from `from` to `to` (opaque or fading as `opaque` says). */
function paintLook(ctx: CanvasRenderingContext2D, paint: ShapePaint, colour: string, from: number, to: number, opaque: boolean): void {
  if (paint === 'stroke') {
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 5;
    ctx.stroke();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.8;
    ctx.stroke();
    return;
  }
  if (paint === 'ring') {
    ctx.fillStyle = OUTLINE;
    ctx.fill();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.6;
    ctx.stroke();
    return;
  }
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 1.2;
  ctx.stroke();
  if (paint !== 'fill-bar') return;
  ctx.beginPath();
  const half = BAR * DOT_RADIUS;
  for (let i = from; i < to; i++) {
    const dot = sorted[i];
    if (opaque !== (dot.alpha >= 1)) continue;
    ctx.moveTo(dot.x - half, dot.y);
    ctx.lineTo(dot.x + half, dot.y);
  }
  ctx.lineWidth = 2.4;
  ctx.stroke();
}

function drawCacheRings(ctx: CanvasRenderingContext2D, field: DotField): void {
  const r = DOT_RADIUS + CACHED_GAP;
  ctx.strokeStyle = CACHED_RING;
  ctx.lineWidth = 1.6;
  for (const dot of field.dots) {
    if (!shown(dot) || !dot.cached) continue;
    ctx.globalAlpha = Math.max(0, Math.min(1, dot.alpha));
    ctx.beginPath();
    ctx.arc(dot.x, dot.y, r, 0, Math.PI * 2);
    ctx.stroke();
  }
}
