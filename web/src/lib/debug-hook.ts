/**
 * `window.__edgelab`: what the Playwright frame-budget benchmark and e2e tests read. Dot positions are
 * in client (CSS pixel) coordinates, ready for `page.mouse.click`.
 */
import type { FrameStatsSnapshot } from './dots/frame-stats.ts';
import type { OutcomeClass } from './outcome.ts';

export interface EdgelabDebugHook {
  /** Requests that currently have a dot. */
  dotsInFlight(): number;
  /** Recent per-frame script time of the dot layer, in ms. */
  frameStats(): FrameStatsSnapshot;
  /**
   * Where each visible dot is drawn, which request it is, its colour (its target's), its tag's colour
   * (its consumer's, once a gateway named it; else null) and the consumer its events name, whether it
   * carries an answer from a proxy's cache, and the nodes its path goes through (`client` first).
   */
  dots(): Array<{
    rid: string;
    x: number;
    y: number;
    outcome: OutcomeClass;
    colour: string;
    tag: string | null;
    consumer: string | null;
    cached: boolean;
    nodes: string[];
  }>;
}

declare global {
  interface Window {
    __edgelab?: EdgelabDebugHook;
  }
}

export function installDebugHook(hook: EdgelabDebugHook): () => void {
  window.__edgelab = hook;
  return () => {
    if (window.__edgelab === hook) delete window.__edgelab;
  };
}
