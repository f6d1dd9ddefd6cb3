/** The settings forms generated from the config's JSON Schema as the engine ships it: every kind of field appears. */
import { describe, expect, it } from 'vitest';
import { LIMITER_IDS } from '../../../../engine/src/gateway/limiters/limiter-ids.ts';
import { CONFIG_SCHEMA } from '../config-editor/config-schema.ts';
import { blanks, initialOf, nodeForm as nodeFormOf, scenarioForm, setAt, switchVariant, variantOf, type FieldSpec, type GroupField } from './form-model.ts';

function nodeForm(kind: string): FieldSpec {
  return nodeFormOf(CONFIG_SCHEMA, kind)!;
}

function field(spec: FieldSpec, ...path: string[]): FieldSpec {
  let at = spec;
  for (const name of path) {
    if (at.kind !== 'group') throw new Error(`${name}: not in a group (${at.kind})`);
    const found: GroupField | undefined = at.fields.find((f) => f.name === name);
    if (found === undefined) throw new Error(`no field ${name}`);
    at = found.spec;
  }
  return at;
}

describe('node forms from the schema', () => {
  it('every node kind is a group of its own settings', () => {
    for (const kind of ['proxy', 'gateway', 'balancer', 'service']) {
      const form = nodeForm(kind);
      expect(form.kind).toBe('group');
      expect(field(form, 'kind')).toEqual(expect.objectContaining({ kind: 'constant', value: kind }));
    }
  });

  it('each kind of field: choice, number, amount, group with help, list, variants, on/off', () => {
    const balancer = nodeForm('balancer');
    expect(field(balancer, 'algorithm')).toMatchObject({ kind: 'choice', options: expect.arrayContaining(['round-robin', 'maglev']) });
    expect(field(balancer, 'listen')).toMatchObject({ kind: 'number', integer: true, min: 0, max: 65535, description: expect.stringMatching(/TCP port/) });
    expect(field(balancer, 'healthCheck', 'interval')).toMatchObject({ kind: 'amount', description: expect.stringMatching(/between checks/) });
    expect(field(balancer, 'healthCheck').kind).toBe('group');
    expect(field(balancer, 'targets').kind).toBe('list');
    const latency = field(nodeForm('service'), 'latency');
    expect(latency.kind).toBe('variants');
    if (latency.kind !== 'variants') return;
    expect(latency.variants.map((v) => v.label)).toEqual(expect.arrayContaining(['value', 'uniform', 'normal']));
    const proxy = nodeForm('proxy');
    const require = field(proxy, 'filter', 'headers');
    expect(require.kind).toBe('list');
  });

  it('a new value of a variant starts with its discriminator set, and a value is told apart by it', () => {
    const latency = field(nodeForm('service'), 'latency');
    if (latency.kind !== 'variants') throw new Error('latency is not variants');
    const uniform = latency.variants.find((v) => v.label === 'uniform')!;
    expect(uniform.initial).toMatchObject({ distribution: 'uniform' });
    expect(latency.variants[variantOf(latency, { distribution: 'uniform', min: '1ms', max: '2ms' })].label).toBe('uniform');
    expect(latency.variants[variantOf(latency, '40ms')].label).toBe('value');
    expect(initialOf({ kind: 'list', item: { kind: 'text' } })).toEqual([]);
  });
});

describe('a union inside a union', () => {
  it('is one choice: a route\'s rateLimit is one of the algorithms, named by their const, or a list of limits', () => {
    const routes = field(nodeForm('gateway'), 'routes');
    if (routes.kind !== 'list') throw new Error(`routes is ${routes.kind}`);
    const rateLimit = field(routes.item, 'rateLimit');
    if (rateLimit.kind !== 'variants') throw new Error(`rateLimit is ${rateLimit.kind}`);
    expect(rateLimit.variants.map((v) => v.label)).toEqual([...LIMITER_IDS, 'several (a list)']);
    expect(rateLimit.variants.every((v) => v.spec.kind !== 'variants')).toBe(true);
    expect(rateLimit.discriminator).toBe('algorithm');
    expect(rateLimit.variants[variantOf(rateLimit, { algorithm: 'fixed-window', limit: 10, window: '1s' })].label).toBe('fixed-window');
    expect(rateLimit.variants[variantOf(rateLimit, [{ algorithm: 'gcra', rate: 1 }])].label).toBe('several (a list)');
    expect(rateLimit.variants.find((v) => v.label === 'fixed-window')!.initial).toEqual({ algorithm: 'fixed-window', limit: 1, window: '' });
  });

  it('switching a rate limit\'s algorithm keeps what both mean the same by (key, name, rate), not a burst that means another thing', () => {
    const routes = field(nodeForm('gateway'), 'routes');
    if (routes.kind !== 'list') throw new Error(`routes is ${routes.kind}`);
    const rateLimit = field(routes.item, 'rateLimit');
    if (rateLimit.kind !== 'variants') throw new Error(`rateLimit is ${rateLimit.kind}`);
    const index = (label: string) => rateLimit.variants.findIndex((v) => v.label === label);
    const bucket = { algorithm: 'token-bucket', rate: 10, burst: 1, key: 'global', name: 'api' };
    expect(switchVariant(rateLimit, bucket, index('fixed-window'))).toEqual({ algorithm: 'fixed-window', limit: 1, window: '', key: 'global', name: 'api' });
    expect(switchVariant(rateLimit, bucket, index('gcra'))).toEqual({ algorithm: 'gcra', rate: 10, key: 'global', name: 'api' });
    expect(switchVariant(rateLimit, { algorithm: 'fixed-window', limit: 5, window: '1s' }, index('sliding-window-log'))).toEqual({ algorithm: 'sliding-window-log', limit: 5, window: '1s' });
    expect(switchVariant(rateLimit, bucket, index('several (a list)'))).toEqual([]);
    expect(switchVariant(rateLimit, undefined, index('concurrency'))).toEqual({ algorithm: 'concurrency', limit: 1 });
  });

  it('no form anywhere is labelled by its kind of field alone where a const or a name could say it', () => {
    const labels: string[] = [];
    const walk = (spec: FieldSpec): void => {
      if (spec.kind === 'group') spec.fields.forEach((f) => walk(f.spec));
      if (spec.kind === 'list') walk(spec.item);
      if (spec.kind === 'variants') spec.variants.forEach((v) => (labels.push(v.label), walk(v.spec)));
    };
    for (const kind of ['proxy', 'gateway', 'balancer', 'service']) walk(nodeForm(kind));
    walk(scenarioForm(CONFIG_SCHEMA));
    expect(labels).not.toContain('variants');
    expect(labels).toEqual(expect.arrayContaining(['token-bucket', 'uniform', 'down']));
  });

  it('a latency\'s forms are told apart by distribution, a fault\'s by type', () => {
    const latency = field(nodeForm('service'), 'latency');
    expect(latency).toMatchObject({ kind: 'variants', discriminator: 'distribution' });
    const scenario = field(scenarioForm(CONFIG_SCHEMA), 'scenario');
    expect(scenario.kind === 'list' && scenario.item).toMatchObject({ kind: 'variants', discriminator: 'type' });
  });
});

describe('the clients form from the schema', () => {
  it('traffic flows as a list of groups with the flow fields (to, rate, paths, method, headers, ...), and the scenario as a list', () => {
    const form = scenarioForm(CONFIG_SCHEMA);
    expect(form.kind === 'group' && form.fields.map((f) => f.name)).toEqual(['traffic', 'scenario']);
    const flows = field(form, 'traffic');
    if (flows.kind !== 'list' || flows.item.kind !== 'group') throw new Error(`traffic is ${flows.kind}`);
    const names = flows.item.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['name', 'to', 'rate', 'clients', 'paths', 'method', 'headers']));
    expect(flows.item.fields.find((f) => f.name === 'to')).toMatchObject({ required: true });
    expect(field(flows.item, 'rate')).toMatchObject({ kind: 'number' });
    expect(field(flows.item, 'paths')).toMatchObject({ kind: 'list', item: { kind: 'text' } });
    expect(field(flows.item, 'method').description).toBeTruthy();
    expect(field(form, 'scenario').kind).toBe('list');
  });
});

describe('setAt', () => {
  it('sets a nested value without touching the original, and removes a key set to undefined', () => {
    const node = { id: 'pool', healthCheck: { interval: '2s' }, targets: ['a', 'b'] };
    expect(setAt(node, ['healthCheck', 'interval'], '5s')).toEqual({ id: 'pool', healthCheck: { interval: '5s' }, targets: ['a', 'b'] });
    expect(setAt(node, ['healthCheck', 'interval'], undefined)).toEqual({ id: 'pool', healthCheck: {}, targets: ['a', 'b'] });
    expect(setAt(node, ['targets', 0], undefined)).toEqual({ id: 'pool', healthCheck: { interval: '2s' }, targets: ['b'] });
    expect(setAt(node, ['retries', 'tries'], 3)).toMatchObject({ retries: { tries: 3 } });
    expect(node).toEqual({ id: 'pool', healthCheck: { interval: '2s' }, targets: ['a', 'b'] });
  });
});

describe('blanks', () => {
  it('counts the empty strings a new item starts with, wherever they sit', () => {
    expect(blanks({ id: 'pool', targets: ['a', ''] })).toBe(1);
    expect(blanks({ consumers: [{ name: '', apiKeys: [''] }] })).toBe(2);
    expect(blanks({ id: 'pool', targets: ['a', { to: 'b', weight: 2 }], retries: { tries: 0 } })).toBe(0);
  });
});
