import { describe, expect, it } from 'vitest';
import type { Config } from '../builder/graph-edits.ts';
import { renamedPosition, withoutPosition, withPosition } from './position-edit.ts';

const config: Config = {
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service' },
  ],
};

describe('withPosition', () => {
  it('keeps the position in whole units under layout.positions, beside the others', () => {
    const first = withPosition(config, 'edge', { x: 10.4, y: 20.6 });
    expect(first).toMatchObject({ ok: true, done: 'moved edge' });
    if (!first.ok) return;
    expect(first.config.layout).toEqual({ positions: { edge: { x: 10, y: 21 } } });
    const second = withPosition(first.config, 's1', { x: -5, y: 3 });
    expect(second.ok && second.config.layout).toEqual({ positions: { edge: { x: 10, y: 21 }, s1: { x: 0, y: 3 } } });
    expect(config.layout).toBeUndefined();
  });

  it('refuses a node the config does not have', () => {
    expect(withPosition(config, 'gone', { x: 1, y: 1 })).toEqual({ ok: false, reason: 'no node has the id gone' });
  });
});

describe('withoutPosition', () => {
  it("drops the node's position, and layout with its last one", () => {
    const both = { ...config, layout: { positions: { edge: { x: 1, y: 2 }, s1: { x: 3, y: 4 } } } };
    const one = withoutPosition(both, 'edge');
    expect(one.layout).toEqual({ positions: { s1: { x: 3, y: 4 } } });
    expect('layout' in withoutPosition(one, 's1')).toBe(false);
    expect(withoutPosition(config, 'edge')).toBe(config);
  });
});

describe('renamedPosition', () => {
  it("keeps a renamed node's position under its new id, and leaves a node without one alone", () => {
    const placed = { ...config, layout: { positions: { edge: { x: 1, y: 2 }, s1: { x: 3, y: 4 } } } };
    expect(renamedPosition(placed, 'edge', 'front').layout).toEqual({ positions: { s1: { x: 3, y: 4 }, front: { x: 1, y: 2 } } });
    expect(renamedPosition(config, 'edge', 'front')).toBe(config);
  });
});
