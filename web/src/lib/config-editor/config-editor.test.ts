/**
 * The config editor's knowledge of the config, against the JSON Schema the engine ships
 * (engine/edgelab.schema.json): places in YAML text, and what the schema offers and says there.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA as schema } from './config-schema.ts';
import { descriptionAt, keyOptions, namesANode, valueOptions } from './schema-at.ts';
import { parseErrorPath } from './error-path.ts';
import { cursorPlace, keyPathAt, rangeOfPath } from './yaml-places.ts';

const CONFIG = `version: 1
name: Demo
nodes:
  - id: edge
    kind: proxy
    to: pool
  - id: pool
    kind: balancer
    algorithm: round-robin
    targets: [s1, s2]
  - id: s1
    kind: service
  - id: s2
    kind: service
`;

/** `text` with `|` marking the cursor: the text without it and the cursor's offset. */
function at(marked: string): [string, number] {
  const offset = marked.indexOf('|');
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

describe('cursorPlace', () => {
  it('a new key under a node: the node object, with its kind known', () => {
    const [text, offset] = at(CONFIG.replace('    algorithm: round-robin\n', '    algorithm: round-robin\n    hea|\n'));
    const place = cursorPlace(text, offset)!;
    expect(place).toMatchObject({ kind: 'key', path: ['nodes', 1], from: offset - 3 });
    expect((place.doc as { nodes: Array<{ kind: string }> }).nodes[1].kind).toBe('balancer');
  });

  it('a value after `key: `, typed or not yet', () => {
    const [text, offset] = at(CONFIG.replace('algorithm: round-robin', 'algorithm: lea|'));
    expect(cursorPlace(text, offset)).toMatchObject({ kind: 'value', path: ['nodes', 1, 'algorithm'], from: offset - 3 });
    const [empty, end] = at(CONFIG.replace('kind: proxy', 'kind: |'));
    expect(cursorPlace(empty, end)).toMatchObject({ kind: 'value', path: ['nodes', 0, 'kind'] });
  });

  it('a new list item and a top-level key', () => {
    const [text, offset] = at(`${CONFIG}  - |`);
    expect(cursorPlace(text, offset)).toMatchObject({ kind: 'value', path: ['nodes', 4] });
    const [top, end] = at(`${CONFIG}tra|`);
    expect(cursorPlace(top, end)).toMatchObject({ kind: 'key', path: [] });
  });

  it('nothing in a comment or in the middle of a flow list', () => {
    const [text, offset] = at(CONFIG.replace('name: Demo', 'name: Demo # a co|mment'));
    expect(cursorPlace(text, offset)).toBeUndefined();
  });
});

describe('YAML whose aliases expand without bound (a billion laughs)', () => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`), 'g: '].join('\n');

  it('places the cursor and the key under the pointer without a value for the config, rather than throwing', () => {
    expect(cursorPlace(laughs, laughs.length)).toMatchObject({ kind: 'value', path: ['g'], doc: undefined });
    expect(keyPathAt(laughs, 1)).toEqual({ path: ['a'], doc: undefined });
  });
});

describe('what the schema offers', () => {
  it("a balancer's keys it lacks, not a service's, and not the ones it has", () => {
    const [text, offset] = at(CONFIG.replace('    algorithm: round-robin\n', '    algorithm: round-robin\n    |\n'));
    const place = cursorPlace(text, offset)!;
    const names = keyOptions(schema, place.path, place.doc).map((o) => o.name);
    expect(names).toContain('healthCheck');
    expect(names).not.toContain('latency');
    expect(names).not.toContain('algorithm');
  });

  it('before a node has a kind, every kind of node is offered, and kind itself', () => {
    const names = keyOptions(schema, ['nodes', 0], { nodes: [{ id: 'x' }] }).map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['kind', 'to', 'routes', 'algorithm', 'latency']));
  });

  it("a field's values: a node's kinds, a balancer's algorithms, a boolean's two", () => {
    // The word being typed is left out of the document (cursorPlace), so a node's kind does not narrow its own values.
    expect(valueOptions(schema, ['nodes', 0, 'kind'], { nodes: [{ id: 'x', kind: null }] })).toEqual(['proxy', 'gateway', 'balancer', 'service']);
    const balancer = { nodes: [{ id: 'x', kind: 'balancer' }] };
    expect(valueOptions(schema, ['nodes', 0, 'algorithm'], balancer)).toEqual(expect.arrayContaining(['round-robin', 'least-connections', 'maglev']));
    const filterRule = ['nodes', 0, 'filter', 'headers', 0, 'require'];
    expect(valueOptions(schema, filterRule, { nodes: [{ id: 'edge', kind: 'proxy' }] })).toEqual(expect.arrayContaining(['true', 'false']));
  });

  it('the fields that name a node: a proxy\'s to, a balancer\'s targets; not a service\'s latency', () => {
    const doc = { nodes: [{ kind: 'proxy' }, { kind: 'balancer', targets: ['a'] }, { kind: 'service' }] };
    expect(namesANode(schema, ['nodes', 0, 'to'], doc)).toBe(true);
    expect(namesANode(schema, ['nodes', 1, 'targets', 0], doc)).toBe(true);
    expect(namesANode(schema, ['nodes', 2, 'latency'], doc)).toBe(false);
  });

  it('the key under the pointer, for its help', () => {
    const offset = CONFIG.indexOf('algorithm') + 3;
    expect(keyPathAt(CONFIG, offset)?.path).toEqual(['nodes', 1, 'algorithm']);
    expect(keyPathAt(CONFIG, CONFIG.indexOf('round-robin') + 2)).toBeUndefined();
  });

  it("a field's description, as the schema gives it", () => {
    expect(descriptionAt(schema, ['nodes', 0, 'listen'], { nodes: [{ kind: 'proxy' }] })).toMatch(/TCP port/);
    expect(descriptionAt(schema, ['nodes', 0, 'nothing-here'], { nodes: [{ kind: 'proxy' }] })).toBeUndefined();
  });
});

describe('error paths in the text', () => {
  it("underlines a field's key and value, a list item, and for a missing field the nearest place that exists", () => {
    const range = (path: string) => {
      const r = rangeOfPath(CONFIG, parseErrorPath(path))!;
      return CONFIG.slice(r.from, r.to);
    };
    expect(range('nodes[1].algorithm')).toBe('algorithm: round-robin');
    expect(range('nodes[1].targets[1]')).toBe('s2');
    expect(range('nodes[2].latency')).toBe('id: s1\n    kind: service');
    expect(range('name')).toBe('name: Demo');
  });
});
