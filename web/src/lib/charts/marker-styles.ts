/**
 * How each kind of chart marker is drawn, and what the charts' key says of it: one table, so the
 * marks on every chart and their key never disagree. Okabe-Ito colours, and a dash of its own for each
 * kind, so they are told apart without colour too.
 */
import type { MarkerKind } from './metric-history.ts';

export interface MarkerStyle {
  colour: string;
  /** SVG stroke-dasharray; '' for a solid line. */
  dash: string;
  /** The key's words for it. */
  meaning: string;
}

export const MARKER_STYLES: Record<MarkerKind, MarkerStyle> = {
  fault: { colour: '#e69f00', dash: '4 3', meaning: 'a fault began or ended' },
  config: { colour: '#d4dae3', dash: '', meaning: 'a config was applied' },
  lesson: { colour: '#56b4e9', dash: '1.5 2', meaning: 'a lesson step began or met its goal' },
  reset: { colour: '#cc79a7', dash: '6 2 1.5 2', meaning: 'counts reset' },
};

export const MARKER_KINDS: readonly MarkerKind[] = ['fault', 'config', 'lesson', 'reset'];
