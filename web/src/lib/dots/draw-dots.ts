/**
 * Paints the dot field on a canvas laid over the topology SVG. One pass per outcome class (errors
 * last, on top), one path per pass for the opaque dots; only fading dots are drawn one by one.
 * Shapes match the legend: ring (in flight), circle (2xx, 3xx), square (4xx, 5xx), cross (edge error),
 * triangle (throttled, 429), diamond (denied, 401/403). An answer from a proxy's cache gets a light
 * ring around its shape, whatever its outcome. While a request is selected (`field.focus`) every
 * other dot is drawn faint and the selected one last, on top, in a bright ring.
 */
import type { FitTransform } from '../layout/geometry.ts';
import { OUTCOME_ORDER, OUTCOME_STYLES, type DotShape } from '../outcome.ts';
import type { Dot, DotField } from './dot-field.ts';

/** Dot size in layout units. */
export const DOT_RADIUS = 6.5;
const OUTLINE = '#0b1120';
const LIGHT_RIM = '#9cc8ec';
/** The ring of an answer from a proxy's cache, and its gap from the shape. */
export const CACHED_RING = '#f5f7fa';
const CACHED_GAP = 3.2;
/** How opaque the other dots are while one request is selected. */
export const DIMMED_ALPHA = 0.22;
const FOCUS_RING = '#f5f7fa';

export function drawDots(ctx: CanvasRenderingContext2D, field: DotField, fit: FitTransform, pixelRatio: number): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const k = fit.scale * pixelRatio;
  ctx.setTransform(k, 0, 0, k, fit.dx * pixelRatio, fit.dy * pixelRatio);
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  const focus = field.focus;
  const dim = focus === null ? 1 : DIMMED_ALPHA;
  let focused: Dot | undefined;
  for (const outcome of OUTCOME_ORDER) {
    const { colour, shape } = OUTCOME_STYLES[outcome];
    ctx.globalAlpha = dim;
    ctx.beginPath();
    let any = false;
    for (const dot of field.dots) {
      if (dot.active && dot.visible && dot.outcome === outcome && dot.alpha >= 1 && dot.rid !== focus) {
        addShape(ctx, shape, dot);
        any = true;
      }
    }
    if (any) paint(ctx, shape, colour);
    for (const dot of field.dots) {
      if (!dot.active || !dot.visible || dot.outcome !== outcome) continue;
      if (dot.rid === focus) focused = dot;
      else if (dot.alpha < 1) {
        ctx.globalAlpha = Math.max(0, dot.alpha) * dim;
        ctx.beginPath();
        addShape(ctx, shape, dot);
        paint(ctx, shape, colour);
      }
    }
  }
  drawCacheRings(ctx, field, dim);
  if (focused !== undefined) drawFocused(ctx, focused);
  ctx.globalAlpha = 1;
}

/** The selected request's dot: full strength, ringed, over every other. */
function drawFocused(ctx: CanvasRenderingContext2D, dot: Dot): void {
  const { colour, shape } = OUTCOME_STYLES[dot.outcome];
  ctx.globalAlpha = Math.max(0, Math.min(1, dot.alpha));
  ctx.beginPath();
  addShape(ctx, shape, dot);
  paint(ctx, shape, colour);
  ctx.beginPath();
  ctx.arc(dot.x, dot.y, DOT_RADIUS + CACHED_GAP + (dot.cached ? 3 : 0), 0, Math.PI * 2);
  ctx.strokeStyle = FOCUS_RING;
  ctx.lineWidth = 2.4;
  ctx.stroke();
}

function drawCacheRings(ctx: CanvasRenderingContext2D, field: DotField, dim: number): void {
  const r = DOT_RADIUS + CACHED_GAP;
  ctx.strokeStyle = CACHED_RING;
  ctx.lineWidth = 1.6;
  for (const dot of field.dots) {
    if (!dot.active || !dot.visible || !dot.cached) continue;
    ctx.globalAlpha = Math.max(0, Math.min(1, dot.alpha)) * (dot.rid === field.focus ? 1 : dim);
    ctx.beginPath();
    ctx.arc(dot.x, dot.y, r, 0, Math.PI * 2);
    ctx.stroke();
  }
}

function addShape(ctx: CanvasRenderingContext2D, shape: DotShape, dot: Dot): void {
  const r = DOT_RADIUS;
  switch (shape) {
    case 'ring':
    case 'circle':
      ctx.moveTo(dot.x + r, dot.y);
      ctx.arc(dot.x, dot.y, r, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(dot.x - r * 0.9, dot.y - r * 0.9, r * 1.8, r * 1.8);
      break;
    case 'triangle':
      ctx.moveTo(dot.x, dot.y - r * 1.15);
      ctx.lineTo(dot.x + r * 1.05, dot.y + r * 0.8);
      ctx.lineTo(dot.x - r * 1.05, dot.y + r * 0.8);
      ctx.closePath();
      break;
    case 'diamond':
      ctx.moveTo(dot.x, dot.y - r * 1.2);
      ctx.lineTo(dot.x + r * 1.2, dot.y);
      ctx.lineTo(dot.x, dot.y + r * 1.2);
      ctx.lineTo(dot.x - r * 1.2, dot.y);
      ctx.closePath();
      break;
    case 'cross':
      ctx.moveTo(dot.x - r, dot.y - r);
      ctx.lineTo(dot.x + r, dot.y + r);
      ctx.moveTo(dot.x + r, dot.y - r);
      ctx.lineTo(dot.x - r, dot.y + r);
      break;
  }
}

function paint(ctx: CanvasRenderingContext2D, shape: DotShape, colour: string): void {
  if (shape === 'cross') {
    ctx.strokeStyle = OUTLINE;
    ctx.lineWidth = 5;
    ctx.stroke();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2.6;
    ctx.stroke();
    return;
  }
  if (shape === 'ring') {
    ctx.fillStyle = OUTLINE;
    ctx.fill();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.stroke();
    return;
  }
  ctx.fillStyle = colour;
  ctx.fill();
  // The dark blue of `denied` needs a light rim to stand out on the dark stage.
  ctx.strokeStyle = shape === 'diamond' ? LIGHT_RIM : OUTLINE;
  ctx.lineWidth = 1.2;
  ctx.stroke();
}
