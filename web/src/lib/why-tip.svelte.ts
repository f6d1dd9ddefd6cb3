/**
 * The one "why" tip of a part of the page: which request's reason is showing, and where. Pointer and
 * keyboard share it: hovering or focusing a dot, a key on a ring or a log line shows that request's
 * reason; leaving it hides the tip unless another element has taken it over meanwhile.
 */
import type { Why } from './traces/why.ts';

export interface ShownTip {
  /** Whoever showed it (a request id, a log line id): only they hide it. */
  owner: string;
  why: Why;
  anchor: { x: number; top: number; bottom: number };
}

export class WhyTip {
  current = $state.raw<ShownTip | null>(null);

  /** Under a point (the pointer over a canvas dot). */
  showAt(owner: string, why: Why, x: number, y: number): void {
    this.current = { owner, why, anchor: { x, top: y, bottom: y } };
  }

  /** Under an element (a focused or hovered line, a key on a ring). */
  showFor(owner: string, why: Why, element: Element): void {
    const rect = element.getBoundingClientRect();
    this.current = { owner, why, anchor: { x: rect.left + rect.width / 2, top: rect.top, bottom: rect.bottom } };
  }

  hide(owner?: string): void {
    if (owner === undefined || this.current?.owner === owner) this.current = null;
  }
}
