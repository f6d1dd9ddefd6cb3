/**
 * Where an edge's label goes (a gateway route's match, a target's weight other than 1): on the edge
 * past its middle, where fanned-out edges have parted, else at another point along it; left out when
 * no point clears every box (and its tabs) and every label placed before. Secondary text is dropped,
 * never shrunk nor drawn over a box: the route stays in the node's inspector.
 */
import { routePoint, type Point } from './geometry.ts';
import type { EdgeLayout, NodeBox } from './layout.ts';

/** A label's text centred on `x`, its baseline at `y`. */
export interface EdgeLabel {
  key: string;
  text: string;
  x: number;
  y: number;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Advance of the 11 px monospace the labels use, rounded up. */
const CHAR = 6.8;
const ALONG = [0.64, 0.5, 0.78, 0.36];
/** The tabs on a box's top and bottom edges reach this far out of it. */
const TAB = 9;

/**
 * Fills `out` with the point a fraction t along the part of `edge` that is its own: the whole S-curve,
 * or a bus edge's branch (its trunk and bus are every sibling's too, so a label there would name the wrong
 * edge). Where an edge's label or fault badge goes.
 */
export function edgeOwnPoint(edge: EdgeLayout, t: number, out: Point): Point {
  return routePoint(edge.route.length > 1 ? edge.route.slice(-1) : edge.route, t, out);
}

export function labelRect(label: EdgeLabel): Rect {
  const w = label.text.length * CHAR + 6;
  return { x: label.x - w / 2, y: label.y - 11, w, h: 15 };
}

const apart = (a: Rect, b: Rect) => a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;

/** A faulted edge's badge, 18 px tall, `x`/`y` its top-left corner; a compact one is its warning sign alone. */
export interface FaultBadge {
  key: string;
  x: number;
  y: number;
  w: number;
  h: number;
  compact: boolean;
}

const BADGE_H = 18;
/** A badge of the warning sign alone, where the whole badge would cover a box or a label (its words are its title). */
export const COMPACT_W = 18;
/** Along the edge's own part, nearest its middle first (a label takes 0.64 first: the badge starts before it). */
const BADGE_ALONG = [0.4, 0.25, 0.55, 0.15, 0.7, 0.85];
/** Along the straight lead into a box past the first sub-column. */
const LEAD_ALONG = [0.5, 0.3, 0.7];

/**
 * Where the fault badge of `edge` goes, `w` wide: on its own part (or its lead) clear of every box, every
 * edge label and every badge in `placed`, so a badge never covers the weight or route it shares an edge
 * with; on a branch too short for it, level with the branch and ending before its label (out over the
 * bus), else below the line (a label sits above it), else above; where none is clear, the same places
 * for a compact badge (the warning sign alone); at 0.4 along when still none is.
 */
export function placeFaultBadge(
  edge: EdgeLayout,
  w: number,
  layout: { boxes: readonly NodeBox[]; labels: readonly EdgeLabel[] },
  placed: readonly FaultBadge[],
): FaultBadge {
  const taken: Rect[] = [
    ...layout.boxes.map((b) => ({ x: b.x, y: b.y - TAB, w: b.w, h: b.h + 2 * TAB })),
    ...layout.labels.map(labelRect),
    ...placed,
  ];
  const clear = (badge: FaultBadge) => taken.every((r) => apart(r, badge));
  return (
    badgeSpots(edge, w, layout.labels).find(clear) ??
    badgeSpots(edge, COMPACT_W, layout.labels).find(clear) ??
    badgeSpots(edge, w, layout.labels)[0]
  );
}

/** The places a badge `w` wide may take on `edge`, in the order they are tried. */
function badgeSpots(edge: EdgeLayout, w: number, labels: readonly EdgeLabel[]): FaultBadge[] {
  const at = { x: 0, y: 0 };
  const compact = w === COMPACT_W;
  const centred = (p: Point, dy: number): FaultBadge => ({ key: edge.key, x: p.x - w / 2, y: p.y + dy, w, h: BADGE_H, compact });
  const spots: FaultBadge[] = BADGE_ALONG.map((t) => centred(edgeOwnPoint(edge, t, at), -BADGE_H / 2));
  const end = { ...edgeOwnPoint(edge, 1, at) };
  if (edge.lead !== undefined)
    spots.push(...LEAD_ALONG.map((t) => centred({ x: end.x + (edge.lead! - end.x) * t, y: end.y }, -BADGE_H / 2)));
  // A branch shorter than the badge: level with it, ending just before its label (or its box), out over the bus.
  const label = labels.find((l) => l.key === edge.key);
  spots.push(centred({ x: (label === undefined ? end.x : labelRect(label).x) - 3 - w / 2, y: end.y }, -BADGE_H / 2));
  for (const t of BADGE_ALONG) spots.push(centred(edgeOwnPoint(edge, t, at), 3), centred(edgeOwnPoint(edge, t, at), -BADGE_H - 3));
  return spots;
}

export function placeEdgeLabels(edges: readonly EdgeLayout[], texts: ReadonlyMap<string, string>, boxes: readonly NodeBox[]): EdgeLabel[] {
  const taken: Rect[] = boxes.map((b) => ({ x: b.x, y: b.y - TAB, w: b.w, h: b.h + 2 * TAB }));
  const labels: EdgeLabel[] = [];
  const at = { x: 0, y: 0 };
  for (const edge of edges) {
    const text = texts.get(edge.key);
    if (text === undefined) continue;
    for (const t of ALONG) {
      edgeOwnPoint(edge, t, at);
      const label = { key: edge.key, text, x: at.x, y: at.y - 6 };
      const rect = labelRect(label);
      if (taken.every((r) => apart(r, rect))) {
        labels.push(label);
        taken.push(rect);
        break;
      }
    }
  }
  return labels;
}
