import { describe, expect, it } from 'vitest';
import { NEUTRAL_COLOUR } from '../lib/colour/target-colours.ts';
import { OUTCOME_ORDER, OUTCOME_STYLES } from '../lib/outcome.ts';
import { LabState } from '../state/lab-state.svelte.ts';
import { renderWithLab } from '../test/render.ts';
import EventLog from './EventLog.svelte';
import Legend from './Legend.svelte';

/** What a glyph draws: its shape's elements and their colours (its size may differ between places). */
function drawing(root: ParentNode, outcome: string): string | undefined {
  return root.querySelector(`svg.glyph[data-outcome="${outcome}"]`)?.innerHTML;
}

describe('outcome glyphs', () => {
  it('are the same in the event log as in the legend, each outcome its own shape, grey without a target', () => {
    const lab = new LabState();
    lab.log = OUTCOME_ORDER.map((outcome, id) => ({ id, kind: 'request', ts: 1_000, text: `a ${outcome} request`, rid: `r${id}`, outcome }));
    const legend = renderWithLab(Legend, lab);
    const log = renderWithLab(EventLog, lab);
    for (const outcome of OUTCOME_ORDER) {
      const glyph = legend.target.querySelector(`svg.glyph[data-outcome="${outcome}"]`);
      expect(glyph?.getAttribute('data-shape'), `the legend's ${outcome}`).toBe(OUTCOME_STYLES[outcome].shape);
      expect(glyph?.getAttribute('data-colour')).toBe(NEUTRAL_COLOUR);
      expect(drawing(log.target, outcome), `the log's ${outcome} glyph`).toBe(drawing(legend.target, outcome));
    }
  });

  it('draws 429 as the canvas does: a triangle', () => {
    const lab = new LabState();
    lab.log = [{ id: 1, kind: 'request', ts: 1_000, text: 'GET /users/1 → 429 EDGE_RATE_LIMITED', rid: 'r1', outcome: 'throttled', target: 'api' }];
    const log = renderWithLab(EventLog, lab);
    const glyph = log.target.querySelector('svg.glyph[data-outcome="throttled"]');
    expect(glyph?.getAttribute('data-shape')).toBe('triangle');
    expect(glyph?.querySelector('path')?.getAttribute('d')).toMatch(/^M0,-6\.48 L/);
  });
});
