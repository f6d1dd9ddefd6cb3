import { describe, expect, it } from 'vitest';
import { classifyOutcome, OUTCOME_ORDER, OUTCOME_STYLES } from './outcome.ts';

describe('classifyOutcome', () => {
  it.each([
    [undefined, undefined, 'pending'],
    [200, undefined, 'ok'],
    [204, undefined, 'ok'],
    [304, undefined, 'redirect'],
    [404, undefined, 'client-error'],
    [500, 'SERVICE_INJECTED_ERROR', 'server-error'],
    [503, undefined, 'server-error'],
    [502, 'EDGE_UPSTREAM_REFUSED', 'edge-error'],
    [404, 'EDGE_NO_ROUTE', 'edge-error'],
    [429, 'EDGE_RATE_LIMITED', 'throttled'],
    [429, undefined, 'throttled'],
    [401, 'EDGE_UNAUTHORIZED', 'denied'],
    [403, 'EDGE_FORBIDDEN', 'denied'],
    [403, undefined, 'denied'],
    [500, 'EDGE_INTERNAL', 'edge-error'],
  ] as const)('status %s, code %s is %s', (status, error, expected) => {
    expect(classifyOutcome(status, error)).toBe(expected);
  });

  it('gives every class its own colour and draws each once', () => {
    const colours = OUTCOME_ORDER.map((c) => OUTCOME_STYLES[c].colour);
    expect(new Set(colours).size).toBe(OUTCOME_ORDER.length);
    expect(new Set(OUTCOME_ORDER).size).toBe(Object.keys(OUTCOME_STYLES).length);
  });

  it('never tells an error from a success by colour alone', () => {
    for (const error of ['client-error', 'denied', 'throttled', 'server-error', 'edge-error'] as const) {
      expect(OUTCOME_STYLES[error].shape).not.toBe(OUTCOME_STYLES.ok.shape);
    }
  });

  it('draws throttled and denied in shapes of their own, apart from each other and from failures', () => {
    const shapes = (['throttled', 'denied', 'server-error', 'edge-error'] as const).map((c) => OUTCOME_STYLES[c].shape);
    expect(new Set(shapes).size).toBe(shapes.length);
  });
});
