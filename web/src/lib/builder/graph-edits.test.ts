/**
 * The topology editor's edits on the e2e sandbox, each result checked by the engine's own validation
 * (engine/src/config/validate.ts): an edit the model makes is one the engine accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../../../engine/src/config/validate.ts';
import { addNode, CLIENTS, connect, deleteNode, disconnect, emptySandbox, renameNode, upstreamsOf, type Config, type Edit } from './graph-edits.ts';

// The tests run from the repository's root.
const sandbox = parse(readFileSync('e2e/sandbox.yaml', 'utf8')) as Config;

/** The edited config, which the engine must accept. */
function accepted(edit: Edit): Config {
  if (!edit.ok) throw new Error(`refused: ${edit.reason}`);
  const verdict = validateConfig(edit.config);
  expect(verdict.ok ? [] : verdict.errors).toEqual([]);
  return edit.config;
}

const node = (config: Config, id: string) => config.nodes.find((n) => n.id === id)!;

describe('adding nodes', () => {
  it('a service stands alone with a free id; a balancer is added in front of its first target', () => {
    const withService = accepted(addNode(sandbox, 'service'));
    expect(withService.nodes.at(-1)).toEqual({ id: 'service-1', kind: 'service' });
    const withPool = accepted(addNode(withService, 'balancer', 'service-1'));
    expect(node(withPool, 'pool-1')).toMatchObject({ kind: 'balancer', targets: ['service-1'] });
    expect(addNode(withPool, 'service')).toMatchObject({ ok: true, config: { nodes: expect.arrayContaining([{ id: 'service-2', kind: 'service' }]) } });
  });

  it('a proxy or gateway needs the node it forwards to', () => {
    expect(addNode(sandbox, 'proxy')).toEqual({ ok: false, reason: 'a proxy forwards requests: choose the node it forwards to' });
    expect(addNode(sandbox, 'gateway', 'nowhere').ok).toBe(false);
    expect(node(accepted(addNode(sandbox, 'gateway', 'users-1')), 'gateway-1')).toMatchObject({ routes: [{ match: { path: '/*' }, to: 'users-1' }] });
  });
});

describe('connecting', () => {
  it("an edge becomes the field of the source's kind: a proxy's to, a gateway route, a balancer target", () => {
    const target = accepted(connect(sandbox, 'users', 'orders-1'));
    expect(upstreamsOf(node(target, 'users'))).toEqual(['users-1', 'users-2', 'users-3', 'orders-1']);
    const route = accepted(connect(sandbox, 'api', 'users-1'));
    expect((node(route, 'api').routes as unknown[]).at(-1)).toEqual({ match: { path: '/users-1/*' }, to: 'users-1' });
    const moved = connect(sandbox, 'edge', 'users');
    expect(moved).toMatchObject({ ok: true, done: 'edge now forwards to users (instead of api)' });
    expect(node(accepted(moved), 'edge').to).toBe('users');
  });

  it('from the clients box: a traffic flow into the node', () => {
    const flows = accepted(connect(sandbox, CLIENTS, 'users')).traffic!;
    expect(flows.at(-1)).toEqual({ name: 'to-users', to: 'users', rate: 5 });
    expect(connect(sandbox, CLIENTS, 'edge')).toEqual({ ok: false, reason: 'traffic already enters at edge' });
  });

  it('refuses what cannot be an edge, saying why', () => {
    expect(connect(sandbox, 'users-1', 'orders-1')).toEqual({ ok: false, reason: 'users-1 is a service: it answers requests itself and forwards to nothing' });
    expect(connect(sandbox, 'users', 'users-1')).toEqual({ ok: false, reason: 'users already forwards to users-1' });
    expect(connect(sandbox, 'edge', 'edge').ok).toBe(false);
  });
});

describe('disconnecting and deleting', () => {
  it('a target or a route goes; the last upstream of a node does not', () => {
    expect(upstreamsOf(node(accepted(disconnect(sandbox, 'users', 'users-2')), 'users'))).toEqual(['users-1', 'users-3']);
    expect(upstreamsOf(node(accepted(disconnect(sandbox, 'api', 'orders-1')), 'api'))).toEqual(['users']);
    expect(disconnect(sandbox, 'edge', 'api')).toEqual({ ok: false, reason: 'api is the only upstream of edge: connect edge to another node first, or delete edge' });
  });

  it('deleting a node removes every reference to it: targets, routes, flows, scenario steps', () => {
    const withScenario: Config = { ...sandbox, scenario: [{ at: '10s', action: 'inject', target: 'users->users-2', type: 'latency', ms: 100 }] };
    const deleted = deleteNode(withScenario, 'users-2');
    expect(deleted).toMatchObject({ ok: true, done: 'deleted users-2' });
    const config = (deleted as { config: Config }).config;
    expect(config.nodes.map((n) => n.id)).not.toContain('users-2');
    expect(upstreamsOf(node(config, 'users'))).toEqual(['users-1', 'users-3']);
    expect(config.scenario).toEqual([]);
    expect(accepted(deleteNode(sandbox, 'orders-1')).nodes.find((n) => n.id === 'api')?.routes).toHaveLength(1);
  });

  it('refuses to delete the only upstream of a node, naming what to change first', () => {
    expect(deleteNode(sandbox, 'api')).toEqual({ ok: false, reason: 'api is the only upstream of edge: connect edge to another node first, or delete edge' });
  });
});

describe('from an empty sandbox', () => {
  it('empties a sandbox (nodes, traffic, scenario; the name stays), and refuses to empty an empty one', () => {
    const withScenario: Config = { ...sandbox, scenario: [{ at: '10s', target: 'users-2', type: 'down' }] };
    const edit = emptySandbox(withScenario);
    expect(edit).toMatchObject({ ok: true, done: `emptied the sandbox (removed ${sandbox.nodes.length} nodes and their traffic)` });
    const empty = accepted(edit);
    expect(empty).toMatchObject({ name: sandbox.name, nodes: [], traffic: [], scenario: [] });
    expect(emptySandbox(empty)).toEqual({ ok: false, reason: 'the sandbox is already empty' });
  });

  it('builds the classic edge from nothing: a service first, each kind in front of the last, two services behind the balancer, clients in front', () => {
    let config = accepted(emptySandbox(sandbox));
    expect(addNode(config, 'proxy')).toMatchObject({ ok: false });
    config = accepted(addNode(config, 'service'));
    config = accepted(addNode(config, 'service'));
    config = accepted(addNode(config, 'balancer', 'service-1'));
    config = accepted(connect(config, 'pool-1', 'service-2'));
    config = accepted(addNode(config, 'gateway', 'pool-1'));
    config = accepted(addNode(config, 'proxy', 'gateway-1'));
    config = accepted(connect(config, CLIENTS, 'proxy-1'));
    expect(config.nodes.map((n) => `${n.id}->${upstreamsOf(n).join(',')}`)).toEqual([
      'service-1->',
      'service-2->',
      'pool-1->service-1,service-2',
      'gateway-1->pool-1',
      'proxy-1->gateway-1',
    ]);
    expect(config.traffic).toEqual([{ name: 'to-proxy-1', to: 'proxy-1', rate: 5 }]);
  });

  it('deletes the last node, leaving an empty sandbox the engine accepts', () => {
    const one = accepted(addNode(accepted(emptySandbox(sandbox)), 'service'));
    expect(accepted(deleteNode(one, 'service-1')).nodes).toEqual([]);
  });
});

describe('renaming', () => {
  it('renames a node and every field that names it: upstreams, flows, scenario targets', () => {
    const withScenario: Config = { ...sandbox, scenario: [{ at: '10s', target: 'users->users-2', type: 'latency', ms: 100 }] };
    const edit = renameNode(withScenario, 'users', 'people');
    expect(edit).toMatchObject({ ok: true, done: 'renamed users to people' });
    const renamed = accepted(edit);
    expect(renamed.nodes.map((n) => n.id)).toContain('people');
    expect(renamed.nodes.map((n) => n.id)).not.toContain('users');
    expect(JSON.stringify(renamed)).not.toMatch(/"users"|"users->/);
    expect(renamed.scenario).toEqual([{ at: '10s', target: 'people->users-2', type: 'latency', ms: 100 }]);
    expect(accepted(renameNode(sandbox, 'edge', 'front')).traffic?.map((f) => f.to)).toContain('front');
  });

  it('refuses an id another node has, the clients box\'s name, an empty id and the same id', () => {
    expect(renameNode(sandbox, 'users-1', 'users-2')).toEqual({ ok: false, reason: 'another node is called users-2 already: ids must be unique, choose another' });
    expect(renameNode(sandbox, 'users-1', CLIENTS).ok).toBe(false);
    expect(renameNode(sandbox, 'users-1', '  ').ok).toBe(false);
    expect(renameNode(sandbox, 'users-1', 'users-1').ok).toBe(false);
  });

  it('a palette add never collides: the next free id of the kind', () => {
    const taken = accepted(renameNode(accepted(addNode(sandbox, 'service')), 'users-1', 'service-2'));
    expect(addNode(taken, 'service')).toMatchObject({ ok: true, done: 'added service service-3' });
  });
});
