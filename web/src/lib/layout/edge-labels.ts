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
