/** Undo on top of changes made since: the three-way merge of configs, each result also checked by the engine. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../../../engine/src/config/validate.ts';
import { addNode, connect, renameNode, type Config, type Edit } from './graph-edits.ts';
import { rebase } from './rebase.ts';

const sandbox = parse(readFileSync('e2e/sandbox.yaml', 'utf8')) as Config;

function done(edit: Edit): Config {
  if (!edit.ok) throw new Error(edit.reason);
  return edit.config;
}

/** `config` with node `id`'s `field` set to `value`: a change made elsewhere (the settings form). */
function setField(config: Config, id: string, field: string, value: unknown): Config {
  return { ...config, nodes: config.nodes.map((n) => (n.id === id ? { ...n, [field]: value } : n)) };
}

function merged(base: unknown, mine: unknown, theirs: unknown): Config {
  const result = rebase(base, mine, theirs);
  if (!result.ok) throw new Error(`conflict at ${result.path}`);
  const verdict = validateConfig(result.config);
  expect(verdict.ok ? [] : verdict.errors).toEqual([]);
  return result.config as Config;
}

describe('undo on the config as it is now', () => {
  it('with nothing changed since, undo gives the config before the edit', () => {
    const after = done(addNode(sandbox, 'service'));
    expect(merged(after, sandbox, after)).toEqual(sandbox);
  });

  it('keeps a setting changed since on another node, and on the node the edit touched', () => {
    const after = done(connect(done(addNode(sandbox, 'service')), 'users', 'service-1'));
    const before = done(addNode(sandbox, 'service'));
    const since = setField(setField(after, 'users-1', 'latency', '400ms'), 'users', 'algorithm', 'least-connections');
    const undone = merged(after, before, since);
    expect(undone.nodes.find((n) => n.id === 'users')).toMatchObject({ algorithm: 'least-connections', targets: ['users-1', 'users-2', 'users-3'] });
    expect(undone.nodes.find((n) => n.id === 'users-1')?.latency).toBe('400ms');
  });

  it('keeps a node added since elsewhere, and a node removed since stays removed', () => {
    const after = done(addNode(sandbox, 'service'));
    const since = { ...after, nodes: [...after.nodes.filter((n) => n.id !== 'orders-1'), { id: 'extra', kind: 'service' as const }] };
    since.nodes = since.nodes.map((n) => (n.id === 'api' ? { ...n, routes: [{ match: { path: '/users/*' }, to: 'users' }] } : n));
    const undone = merged(after, sandbox, since);
    expect(undone.nodes.map((n) => n.id)).toEqual(['edge', 'api', 'users', 'users-1', 'users-2', 'users-3', 'extra']);
  });

  it('undoes a rename in place, keeping the node where it was in the list', () => {
    const after = done(renameNode(sandbox, 'users-1', 'fast-1'));
    const since = { ...after, name: 'Renamed elsewhere' };
    const undone = merged(after, sandbox, since);
    expect(undone.nodes.map((n) => n.id)).toEqual(sandbox.nodes.map((n) => n.id));
    expect(undone.name).toBe('Renamed elsewhere');
  });

  it('stops at a value both the edit and a later change touched, naming the place', () => {
    const after = done(connect(sandbox, 'users', 'orders-1'));
    const since = { ...after, nodes: after.nodes.map((n) => (n.id === 'users' ? { ...n, targets: ['users-1', 'orders-1'] } : n)) };
    expect(rebase(after, sandbox, since)).toEqual({ ok: false, path: 'nodes["users"].targets' });
    const changedAddedNode = setField(done(addNode(sandbox, 'service')), 'service-1', 'latency', '5ms');
    expect(rebase(done(addNode(sandbox, 'service')), sandbox, changedAddedNode)).toEqual({ ok: false, path: 'nodes["service-1"]' });
  });
});
