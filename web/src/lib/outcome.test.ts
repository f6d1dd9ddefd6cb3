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

  it('gives every class a shape of its own, so an outcome reads without colour (the dots wear their target\'s)', () => {
    const classes = Object.keys(OUTCOME_STYLES);
    expect(OUTCOME_ORDER).toHaveLength(classes.length);
    const shapes = OUTCOME_ORDER.map((c) => OUTCOME_STYLES[c].shape);
    expect(new Set(shapes).size).toBe(classes.length);
  });
});
