import { describe, expect, it } from 'vitest';
import { LAYOUT_BOUND } from './layout-hints.ts';
import { validateConfig } from './validate.ts';

const config = (layout: unknown) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service' },
  ],
  layout,
});

function outcome(layout: unknown): { errors: string[]; warnings: string[] } {
  const result = validateConfig(config(layout));
  return result.ok ? { errors: [], warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) } : { errors: result.errors.map((e) => `${e.path}: ${e.message}`), warnings: [] };
}

describe('layout hints', () => {
  it('keeps positions by node id, and a config without them stays valid', () => {
    const result = validateConfig(config({ positions: { edge: { x: 10, y: 20.5 }, s1: { x: 0, y: LAYOUT_BOUND } } }));
    expect(result.ok && result.config.layout).toEqual({ positions: { edge: { x: 10, y: 20.5 }, s1: { x: 0, y: LAYOUT_BOUND } } });
    expect(outcome(undefined)).toEqual({ errors: [], warnings: [] });
  });

  it('warns about a position for an id no node has, without refusing the config', () => {
    expect(outcome({ positions: { edge: { x: 1, y: 1 }, gone: { x: 5, y: 5 } } })).toEqual({
      errors: [],
      warnings: ['layout.positions.gone: no node has the id gone; this position is not used'],
    });
  });

  it.each([
    ['a negative coordinate', { positions: { edge: { x: -1, y: 0 } } }, 'layout.positions.edge.x'],
    ['a coordinate past the bound', { positions: { edge: { x: 0, y: LAYOUT_BOUND + 1 } } }, 'layout.positions.edge.y'],
    ['a coordinate that is not a number', { positions: { edge: { x: '12', y: 0 } } }, 'layout.positions.edge.x'],
    ['an infinite coordinate', { positions: { edge: { x: Infinity, y: 0 } } }, 'layout.positions.edge.x'],
    ['a missing coordinate', { positions: { edge: { x: 3 } } }, 'layout.positions.edge.y'],
    ['a misspelt key', { position: {} }, 'layout'],
  ])('refuses %s', (_what, layout, path) => {
    const { errors } = outcome(layout);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].startsWith(path), errors.join('\n')).toBe(true);
  });
});
