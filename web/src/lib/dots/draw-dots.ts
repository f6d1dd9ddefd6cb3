/**
 * Paints the dot field on a canvas laid over the topology SVG. A dot's colour is its target's (the
 * service its balancer picked, lib/colour/target-colours.ts; grey before the pick) and its shape is
 * its outcome (lib/outcome.ts, drawn by shapes.ts): ring in flight, circle 2xx, diamond 3xx, square
 * 4xx, no-entry sign 401/403, triangle 429, star 5xx, cross edge error. An answer from a proxy's
 * cache gets a light ring around its shape, whatever its outcome. Once a gateway has named the
 * request's consumer, the dot wears a small tag at its upper right in the consumer's colour
 * (lib/colour/consumer-colours.ts): its fill stays the target's. While a request is selected
 * (`field.focus`) every other dot is drawn faint and the selected one last, on top, in a bright ring.
 *
 * Cost per frame stays flat: the dots are sorted by look (outcome, then colour) into a reused array
 * with a counting sort, and each look is one path filled once; errors are drawn last, on top. Only
 * fading dots are drawn one by one. No allocation per dot, and the colours are the palette's strings.
 */
import { CONSUMER_PALETTE } from '../colour/consumer-colours.ts';
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
/** How opaque the other dots are while one request is selected. */
export const DIMMED_ALPHA = 0.22;
const FOCUS_RING = '#f5f7fa';
/** A consumer's tag: a small disc at the dot's upper right, overlapping its edge like a badge. */
export const TAG_RADIUS = 3.4;
const TAG_OFFSET = 5.4;

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
  const focus = field.focus;
  const dim = focus === null ? 1 : DIMMED_ALPHA;
  let focused = -1;
  for (let look = 0; look < LOOKS; look++) {
    const from = starts[look];
    const to = starts[look + 1];
    if (from === to) continue;
    const outcome = OUTCOME_ORDER[Math.floor(look / COLOURS)];
    const shape = OUTCOME_STYLES[outcome].shape;
    const paint = paintOf(shape);
    const colour = colourOfSlot((look % COLOURS) - 1);
    const r = paint === 'ring' ? DOT_RADIUS * RING_INSET : DOT_RADIUS;
    ctx.globalAlpha = dim;
    ctx.beginPath();
    let any = false;
    for (let i = from; i < to; i++) {
      if (sorted[i].rid === focus) focused = i;
      if (sorted[i].alpha < 1 || i === focused) continue;
      traceShape(ctx, shape, sorted[i].x, sorted[i].y, r);
      any = true;
    }
    if (any) paintLook(ctx, paint, colour, from, to, true);
    for (let i = from; i < to; i++) {
      const dot = sorted[i];
      if (dot.alpha >= 1 || i === focused) continue;
      ctx.globalAlpha = Math.max(0, dot.alpha) * dim;
      ctx.beginPath();
      traceShape(ctx, shape, dot.x, dot.y, r);
      paintLook(ctx, paint, colour, i, i + 1, false);
    }
  }
  drawCacheRings(ctx, field, dim);
  drawTags(ctx, field, dim);
  if (focused >= 0) drawFocused(ctx, focused);
  ctx.globalAlpha = 1;
}

/** The selected request's dot (`sorted[i]`): full strength, ringed, over every other. */
function drawFocused(ctx: CanvasRenderingContext2D, i: number): void {
  const dot = sorted[i];
  const shape = OUTCOME_STYLES[dot.outcome].shape;
  const paint = paintOf(shape);
  ctx.globalAlpha = Math.max(0, Math.min(1, dot.alpha));
  ctx.beginPath();
  traceShape(ctx, shape, dot.x, dot.y, paint === 'ring' ? DOT_RADIUS * RING_INSET : DOT_RADIUS);
  paintLook(ctx, paint, colourOfSlot(dot.slot < 0 ? -1 : dot.slot % TARGET_PALETTE.length), i, i + 1, dot.alpha >= 1);
  ctx.beginPath();
  ctx.arc(dot.x, dot.y, DOT_RADIUS + CACHED_GAP + (dot.cached ? 3 : 0), 0, Math.PI * 2);
  ctx.strokeStyle = FOCUS_RING;
  ctx.lineWidth = 2.4;
  ctx.stroke();
  if (dot.tag >= 0) {
    ctx.beginPath();
    traceTag(ctx, dot);
    paintTag(ctx, dot.tag);
  }
}

/** The tags of the consumers' dots, one path per consumer colour; fading ones one by one, the selected one with it (drawFocused). */
function drawTags(ctx: CanvasRenderingContext2D, field: DotField, dim: number): void {
  for (let slot = 0; slot < CONSUMER_PALETTE.length; slot++) {
    ctx.globalAlpha = dim;
    ctx.beginPath();
    let any = false;
    for (const dot of field.dots) {
      if (!shown(dot) || dot.tag !== slot || dot.alpha < 1 || dot.rid === field.focus) continue;
      traceTag(ctx, dot);
      any = true;
    }
    if (any) paintTag(ctx, slot);
    for (const dot of field.dots) {
      if (!shown(dot) || dot.tag !== slot || dot.alpha >= 1 || dot.rid === field.focus) continue;
      ctx.globalAlpha = Math.max(0, dot.alpha) * dim;
      ctx.beginPath();
      traceTag(ctx, dot);
      paintTag(ctx, slot);
    }
  }
}

function traceTag(ctx: CanvasRenderingContext2D, dot: Dot): void {
  ctx.moveTo(dot.x + TAG_OFFSET + TAG_RADIUS, dot.y - TAG_OFFSET);
  ctx.arc(dot.x + TAG_OFFSET, dot.y - TAG_OFFSET, TAG_RADIUS, 0, Math.PI * 2);
}

function paintTag(ctx: CanvasRenderingContext2D, slot: number): void {
  ctx.fillStyle = CONSUMER_PALETTE[slot % CONSUMER_PALETTE.length];
  ctx.fill();
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 1.2;
  ctx.stroke();
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

function drawCacheRings(ctx: CanvasRenderingContext2D, field: DotField, dim: number): void {
  const r = DOT_RADIUS + CACHED_GAP;
  ctx.strokeStyle = CACHED_RING;
  ctx.lineWidth = 1.6;
  for (const dot of field.dots) {
    if (!shown(dot) || !dot.cached) continue;
    ctx.globalAlpha = Math.max(0, Math.min(1, dot.alpha)) * (dot.rid === field.focus ? 1 : dim);
    ctx.beginPath();
    ctx.arc(dot.x, dot.y, r, 0, Math.PI * 2);
    ctx.stroke();
  }
}
