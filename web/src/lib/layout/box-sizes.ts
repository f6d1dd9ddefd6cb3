/**
 * The sizes a node's box comes in, so that the diagram fits the stage at scale 1 (every font at its CSS
 * size on screen, never below 11 px) instead of being scaled down to fit. A box is `wide` or `narrow`
 * (what a column can spare: a narrow box keeps every number and drops secondary text) and `tall` or
 * `short` (a layer too tall for the stage gets short boxes: the name, the pipe and one line of counts;
 * one too tall for those, mini ones).
 * The gaps shrink to their minimum before the boxes narrow; width left over widens the gaps again.
 */
export interface BoxSize {
  w: number;
  h: number;
  /** Distance from the box's top to its pipe. */
  pipeOffset: number;
}

export const WIDE = 184;
export const NARROW = 132;
export const TALL = { h: 112, pipeOffset: 48 } as const;
export const SHORT = { h: 62, pipeOffset: 32 } as const;
/**
 * A mini box, for a layer too many for short boxes in the room (a balancer's twenty targets at 1280x800):
 * narrower, so the layer wraps into more sub-columns, and lower (its name, the pipe, one line of counts,
 * 11-12 px like the rest), with a smaller gap between boxes, which still clears their tabs (9 px).
 */
export const MINI = { w: 104, h: 48, pipeOffset: 27, rowGap: 18 } as const;

export interface Spacing {
  pad: number;
  clientsW: number;
  /** Between two layers: room for the edges, their arrows and their labels. */
  colGap: number;
  /** Between two boxes of a layer, one above the other: room for the tabs on their edges (18 px). */
  rowGap: number;
  /** Between the sub-columns a tall layer wraps into. */
  subGap: number;
}

/** What a layout has when nothing limits it; the layout module's historic dimensions. */
export const ROOMY: Spacing = { pad: 22, clientsW: 132, colGap: 70, rowGap: 28, subGap: 24 };
/** The least a layout gives before it lets the stage scroll. */
export const TIGHT: Spacing = { pad: 14, clientsW: 104, colGap: 30, rowGap: 22, subGap: 16 };

/** The width `layers` node layers (after the clients) take with node boxes `nodeW` wide. */
export function layersWidth(layers: number, nodeW: number, s: Spacing): number {
  return 2 * s.pad + s.clientsW + layers * (nodeW + s.colGap);
}
