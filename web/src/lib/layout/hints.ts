/**
 * The config's layout hints applied to a computed layout: a box with a position goes there (it is
 * `pinned`), and every other box moves down, in its column, until it clears the pinned boxes and the
 * boxes already settled. Two boxes clear each other when the tabs on their top and bottom edges
 * (reaching 9 px out) cannot touch, so no overlap survives a hint, whatever the learner dragged where.
 * The clients box and external URLs are not nodes of the config: they take no hints.
 */
import type { NodeBox } from './layout.ts';

export interface Position {
  x: number;
  y: number;
}

const CLEAR_X = 8;
const CLEAR_Y = 18;

export function boxesClear(a: Pick<NodeBox, 'x' | 'y' | 'w' | 'h'>, b: Pick<NodeBox, 'x' | 'y' | 'w' | 'h'>): boolean {
  return a.x + a.w + CLEAR_X <= b.x || b.x + b.w + CLEAR_X <= a.x || a.y + a.h + CLEAR_Y <= b.y || b.y + b.h + CLEAR_Y <= a.y;
}

function moveTo(box: NodeBox, x: number, y: number): void {
  box.pipeY += y - box.y;
  box.inX += x - box.x;
  box.x = x;
  box.y = y;
  box.outX = x + box.w;
}

/** Moves the hinted boxes to their positions and the others out of their way; `rowGap` is the space left above a moved box. */
export function placeAroundHints(boxes: NodeBox[], positions: Readonly<Record<string, Position>>, rowGap: number): void {
  for (const box of boxes) {
    const at = Object.hasOwn(positions, box.id) ? positions[box.id] : undefined;
    if (at === undefined || box.kind === 'clients' || box.kind === 'external') continue;
    moveTo(box, at.x, at.y);
    box.inX = at.x;
    box.pinned = true;
  }
  if (!boxes.some((b) => b.pinned)) return;
  const settled: NodeBox[] = [];
  for (const box of [...boxes.filter((b) => b.pinned), ...boxes.filter((b) => !b.pinned)]) {
    for (let hit = settled.find((s) => !boxesClear(s, box)); hit !== undefined; hit = settled.find((s) => !boxesClear(s, box))) {
      moveTo(box, box.x, hit.y + hit.h + rowGap);
    }
    settled.push(box);
  }
}
