/**
 * Where a floating tip goes: centred under its anchor point, flipped above it when it would run off
 * the bottom, and kept inside the viewport sideways. All in client (CSS) pixels.
 */
export interface TipPlacement {
  left: number;
  top: number;
}

const GAP = 12;
const MARGIN = 8;

export function placeTip(
  anchor: { x: number; top: number; bottom: number },
  tip: { width: number; height: number },
  viewport: { width: number; height: number },
): TipPlacement {
  const left = Math.min(Math.max(anchor.x - tip.width / 2, MARGIN), Math.max(MARGIN, viewport.width - tip.width - MARGIN));
  const below = anchor.bottom + GAP;
  const top = below + tip.height <= viewport.height - MARGIN ? below : Math.max(MARGIN, anchor.top - GAP - tip.height);
  return { left, top };
}
