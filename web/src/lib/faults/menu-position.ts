/**
 * Where a node's or an edge's fault menu goes: beside the element it belongs to (right of it, or left
 * when the right has no room), never over it, so the learner sees the marker appear as they inject;
 * aligned with its top, and moved as far as needed to stay inside the viewport with a margin. A menu
 * larger than the viewport keeps its top-left corner on screen, so its first items stay reachable.
 */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MENU_MARGIN = 8;
export const MENU_GAP = 8;

export function menuBeside(element: Rect, menu: Size, viewport: Size, margin = MENU_MARGIN): { x: number; y: number } {
  const clamp = (at: number, size: number, room: number) => Math.max(margin, Math.min(at, room - size - margin));
  const right = element.right + MENU_GAP;
  const left = element.left - MENU_GAP - menu.width;
  const x = right + menu.width + margin <= viewport.width ? right : left >= margin ? left : clamp(element.left, menu.width, viewport.width);
  return { x, y: clamp(element.top, menu.height, viewport.height) };
}

/** The plain rectangle of an element's box on screen (a DOMRect does not survive structured copies). */
export function rectOf(element: Element): Rect {
  const { left, top, right, bottom } = element.getBoundingClientRect();
  return { left, top, right, bottom };
}
