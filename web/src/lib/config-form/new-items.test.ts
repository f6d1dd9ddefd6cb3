/** New list items wait in the form until applied, on the gateway and clients forms as the schema makes them. */
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../config-editor/config-schema.ts';
import { nodeForm, scenarioForm, type FieldSpec } from './form-model.ts';
import { engineWait, itemName, missingOf, newItems as newItemsOf, pathWhenApplied, sameValue, waitingOf, withNew, withoutNew } from './new-items.ts';

const newItems = (...args: Parameters<typeof newItemsOf>) => newItemsOf(...args).map((item) => item.path);

const gatewayForm = nodeForm(CONFIG_SCHEMA, 'gateway')!;
const routes = [
  { match: { path: '/users/*' }, to: 'users-v1' },
  { match: { path: '/v2/users/*' }, to: 'users-v2' },
];
const running = { id: 'api', kind: 'gateway', routes };

function item(spec: FieldSpec, name: string): FieldSpec {
  if (spec.kind !== 'group') throw new Error(spec.kind);
  const list = spec.fields.find((f) => f.name === name)!.spec;
  if (list.kind !== 'list') throw new Error(`${name} is ${list.kind}`);
  return list.item;
}

describe('newItems', () => {
  it('an object past the end of its running list is new; items already running and one-value items are not', () => {
    const draft = { ...running, routes: [...routes, {}], consumers: [{ name: '' }] };
    expect(newItems(gatewayForm, running, draft)).toEqual([['routes', 2], ['consumers', 0]]);
    expect(newItems(gatewayForm, running, running)).toEqual([]);
    const balancer = { id: 'lb', kind: 'balancer', targets: ['a'] };
    expect(newItems(nodeForm(CONFIG_SCHEMA, 'balancer')!, balancer, { ...balancer, targets: ['a', ''] })).toEqual([]);
  });

  it('finds new items inside items already running (a route\'s list of rate limits) and in the clients\' flows', () => {
    const draft = { ...running, routes: [{ ...routes[0], rateLimit: [{ algorithm: 'gcra', rate: 5 }] }, routes[1]] };
    expect(newItems(gatewayForm, running, draft)).toEqual([['routes', 0, 'rateLimit', 0]]);
    const clients = { traffic: [{ to: 'edge', rate: 5 }] };
    expect(newItems(scenarioForm(CONFIG_SCHEMA), clients, { traffic: [...clients.traffic, { to: '' }] })).toEqual([['traffic', 1]]);
  });
});

describe('withoutNew and withNew', () => {
  it('what applies leaves new items out, or keeps the one being applied; a list of new items only goes back to none', () => {
    const draft = { ...running, routes: [...routes, { to: 'a', match: { path: '/a' } }, { to: 'b' }], consumers: [{ name: 'mobile' }] };
    const items = newItems(gatewayForm, running, draft);
    expect(withoutNew(draft, running, items)).toEqual(running);
    expect(withoutNew(draft, running, items, [['routes', 3]])).toEqual({ ...running, routes: [...routes, { to: 'b' }] });
    expect(withoutNew(draft, { ...running, consumers: [] }, items)).toEqual({ ...running, consumers: [] });
  });

  it('puts the items still waiting back after an apply, at the end of their lists', () => {
    const draft = { ...running, routes: [...routes, { to: 'a' }, { to: 'b' }] };
    const applied = { ...running, routes: [...routes, { to: 'b' }] };
    expect(withNew(applied, draft, [['routes', 2]])).toEqual({ ...running, routes: [...routes, { to: 'b' }, { to: 'a' }] });
    expect(withNew(running, { consumers: [{ name: 'x' }] }, [['consumers', 0]])).toEqual({ ...running, consumers: [{ name: 'x' }] });
  });
});

describe('sameValue', () => {
  it('compares config values as JSON, whatever the order of keys', () => {
    expect(sameValue({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true);
    expect(sameValue({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(sameValue({ a: undefined }, {})).toBe(false);
    expect(sameValue({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
  });
});

describe('missingOf', () => {
  it('a consumer needs its name; a route needs to (or aggregate) and a match with something in it', () => {
    expect(missingOf(item(gatewayForm, 'consumers'), { name: '' }, 'consumers')).toEqual(['name']);
    expect(missingOf(item(gatewayForm, 'consumers'), { name: 'mobile' }, 'consumers')).toEqual([]);
    const route = item(gatewayForm, 'routes');
    expect(missingOf(route, {}, 'routes')).toEqual(['to (or aggregate)', 'a match (path, host, method, headers or query)']);
    expect(missingOf(route, { to: 'users-v2', match: {} }, 'routes')).toEqual(['a match (path, host, method, headers or query)']);
    expect(missingOf(route, { to: 'users-v2', match: { path: '/users/*' } }, 'routes')).toEqual([]);
    expect(missingOf(route, { aggregate: { upstreams: [] }, match: { path: '/x' } }, 'routes')).toEqual([]);
  });

  it('a flow needs its required fields, a fault its type\'s', () => {
    const flow = item(scenarioForm(CONFIG_SCHEMA), 'traffic');
    expect(missingOf(flow, { to: '' }, 'traffic')).toContain('to');
    expect(missingOf(flow, { to: 'edge' }, 'traffic')).not.toContain('to');
  });

  it('what each new item of a draft still needs, by its path', () => {
    const draft = { ...running, routes: [...routes, { to: 'users-v2' }], consumers: [{ name: 'mobile' }] };
    expect(waitingOf(newItemsOf(gatewayForm, running, draft), draft)).toEqual(
      new Map([
        ['routes.2', { needs: ['a match (path, host, method, headers or query)'], warnings: [] }],
        ['consumers.0', { needs: [], warnings: [] }],
      ]),
    );
  });

  it('where a new item sits when applied alone, and what the engine said of it there', () => {
    expect(pathWhenApplied(['routes', 3], [['routes', 2], ['routes', 3], ['consumers', 0]])).toEqual(['routes', 2]);
    expect(pathWhenApplied(['routes', 2], [['routes', 2], ['routes', 3]])).toEqual(['routes', 2]);
    const check = {
      errors: [
        { path: 'traffic[1].rate', message: 'required: requests per second' },
        { path: 'traffic[0].rate', message: 'not this one' },
      ],
      warnings: [{ path: 'nodes[0] (api).routes[2]', message: 'can never match: route 1 has the same match' }],
    };
    expect(engineWait(check, ['traffic', 1])).toEqual({ needs: ['rate: required: requests per second'], warnings: [] });
    expect(engineWait(check, ['nodes', 0, 'routes', 2])).toEqual({ needs: [], warnings: ['can never match: route 1 has the same match'] });
  });

  it('names an item as the page does', () => {
    expect(itemName(['routes', 2])).toBe('routes[2]');
    expect(itemName(['routes', 0, 'rateLimit', 1])).toBe('rateLimit[1]');
  });
});
