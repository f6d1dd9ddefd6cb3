/**
 * The generated settings form, field kind by field kind, from the config's JSON Schema as the engine
 * ships it: what each field shows, what a change hands up (path and value), and an error beside its field.
 */
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LIMITER_IDS } from '../../../../engine/src/gateway/limiters/limiter-ids.ts';
import { CONFIG_SCHEMA } from '../../lib/config-editor/config-schema.ts';
import { nodeForm, type FieldSpec } from '../../lib/config-form/form-model.ts';
import type { ItemWait } from '../../lib/config-form/new-items.ts';
import SchemaField from './SchemaField.svelte';

type Change = [Array<string | number>, unknown];

/** The form of a node of `kind`, rendered with `value`; the changes it hands up are collected. */
function render(kind: string, value: Record<string, unknown>, errors: Record<string, string> = {}, waiting: Record<string, ItemWait> = {}) {
  const spec = nodeForm(CONFIG_SCHEMA, kind) as Extract<FieldSpec, { kind: 'group' }>;
  const changes: Change[] = [];
  const applied: Array<Change[0]> = [];
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(SchemaField, {
    target,
    props: {
      spec,
      value,
      name: kind,
      path: [],
      errors: new Map(Object.entries(errors)),
      onchange: (path: Change[0], v: unknown) => changes.push([path, v]),
      waiting: new Map(Object.entries(waiting)),
      onapply: (path: Change[0]) => applied.push(path),
      required: true,
    },
  });
  flushSync();
  onTestFinished(() => {
    unmount(instance);
    target.remove();
  });
  const input = (key: string) => target.querySelector(`#setting-${key.replace(/[^\w-]/g, '-')}`) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  const set = (key: string, text: string) => {
    const element = input(key);
    element.value = text;
    element.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
  };
  const button = (label: string) => target.querySelector(`button[aria-label="${label}"]`) as HTMLButtonElement | null;
  return { target, input, set, button, changes, applied };
}

describe('SchemaField', () => {
  const balancer = { id: 'pool', kind: 'balancer', algorithm: 'round-robin', targets: ['a', 'b'], listen: 8082, healthCheck: { interval: '2s' } };

  it('a choice: the options the schema lists, the value chosen, a change handed up', () => {
    const form = render('balancer', balancer);
    const algorithm = form.input('algorithm') as HTMLSelectElement;
    expect([...algorithm.options].map((o) => o.value)).toEqual(expect.arrayContaining(['round-robin', 'least-connections', 'maglev']));
    expect(algorithm.value).toBe('round-robin');
    form.set('algorithm', 'maglev');
    expect(form.changes).toEqual([[['algorithm'], 'maglev']]);
  });

  it('a number: typed as a number; emptied, the setting goes back to its default', () => {
    const form = render('balancer', balancer);
    expect(form.input('listen').value).toBe('8082');
    form.set('listen', '9000');
    form.set('listen', '');
    expect(form.changes).toEqual([
      [['listen'], 9000],
      [['listen'], undefined],
    ]);
  });

  it('an amount inside a group: the text as written, with the schema\'s help beside it', () => {
    const form = render('balancer', balancer);
    expect(form.input('healthCheck.interval').value).toBe('2s');
    expect(form.target.querySelector('#setting-healthCheck-interval-help')?.textContent).toMatch(/between checks/);
    form.set('healthCheck.interval', '500ms');
    expect(form.changes).toEqual([[['healthCheck', 'interval'], '500ms']]);
  });

  it('a list: its items, removed and added', () => {
    const form = render('balancer', balancer);
    const remove = form.target.querySelector('[aria-label="Remove targets[0]"]') as HTMLButtonElement;
    remove.click();
    const add = [...form.target.querySelectorAll('button')].find((b) => b.textContent === 'Add to targets')!;
    add.click();
    expect(form.changes).toEqual([
      [['targets'], ['b']],
      [['targets'], ['a', 'b', '']],
    ]);
  });

  it('variants: a latency as one value or a distribution; switching form starts it with its discriminator', () => {
    const form = render('service', { id: 's', kind: 'service', latency: '40ms' });
    expect(form.input('latency').value).toBe('40ms');
    const chooser = form.target.querySelector('.variant select') as HTMLSelectElement;
    const uniform = [...chooser.options].find((o) => o.textContent === 'uniform')!;
    chooser.value = uniform.value;
    chooser.dispatchEvent(new Event('change', { bubbles: true }));
    expect(form.changes[0][0]).toEqual(['latency']);
    expect(form.changes[0][1]).toMatchObject({ distribution: 'uniform' });
  });

  const gateway = {
    id: 'api',
    kind: 'gateway',
    routes: [{ match: { path: '/users/*' }, to: 'users-v1', rateLimit: { algorithm: 'token-bucket', rate: 10, burst: 1, key: 'global' } }],
  };

  it('a union inside a union is one choice named by what tells its forms apart, the chosen form\'s fields right under it', () => {
    const form = render('gateway', gateway);
    const algorithm = form.input('routes.0.rateLimit-form') as HTMLSelectElement;
    expect(algorithm.closest('label')?.textContent).toMatch(/^\s*algorithm/);
    expect([...algorithm.options].map((o) => o.textContent)).toEqual(['not set', ...LIMITER_IDS, 'several (a list)']);
    expect(algorithm.selectedOptions[0]!.textContent).toBe('token-bucket');
    expect(form.input('routes.0.rateLimit.rate').value).toBe('10');
    expect(form.target.textContent).not.toMatch(/variants/);
    const summaries = [...form.target.querySelectorAll('summary')].map((s) => s.textContent!.trim());
    expect(summaries.filter((s) => /token-bucket|variants/.test(s))).toEqual([]);
    form.set('routes.0.rateLimit-form', String([...algorithm.options].findIndex((o) => o.textContent === 'fixed-window') - 1));
    expect(form.changes).toEqual([[['routes', 0, 'rateLimit'], { algorithm: 'fixed-window', limit: 1, window: '', key: 'global' }]]);
  });

  it('a new item not applied yet says what it still needs; its Apply waits for it, then hands its path up', () => {
    const value = { ...gateway, routes: [...gateway.routes, { to: 'users-v2' }, { to: 'users-v3', match: { path: '/v3/*' } }] };
    const form = render('gateway', value, {}, {
      'routes.1': { needs: ['a match (path, host, method, headers or query)'], warnings: [] },
      'routes.2': { needs: [], warnings: ['can never match: route 0 has the same match'] },
    });
    const notes = [...form.target.querySelectorAll('[data-testid="not-applied"]')].map((n) => n.textContent);
    expect(notes).toEqual(['not applied yet: needs a match (path, host, method, headers or query)', 'not applied yet: press Apply']);
    expect(form.target.querySelector('[data-testid="not-applied-warning"]')?.textContent).toBe('once applied: can never match: route 0 has the same match');
    expect(form.button('Apply routes[0]')).toBeNull();
    expect(form.button('Apply routes[1]')!.disabled).toBe(true);
    form.button('Apply routes[2]')!.click();
    expect(form.applied).toEqual([['routes', 2]]);
    const opened = [...form.target.querySelectorAll('details')].filter((d) => /^routes\[\d\]/.test(d.querySelector('summary')!.textContent!.trim()));
    expect(opened.map((d) => d.open)).toEqual([false, true, true]);
  });

  it('an unset group offers to set it; an error shows beside its field and marks the groups around it', () => {
    const form = render('balancer', balancer, { 'healthCheck.interval': 'expected a duration: 40ms, 1.5s, 2m' });
    const error = form.target.querySelector('[data-testid="setting-error"]');
    expect(error?.textContent).toMatch(/expected a duration/);
    expect(form.target.querySelector('details.has-error summary')?.textContent).toMatch(/healthCheck/);
    const setRetries = [...form.target.querySelectorAll('button')].find((b) => b.textContent === 'Set retries')!;
    setRetries.click();
    expect(form.changes[0][0]).toEqual(['retries']);
    expect(typeof form.changes[0][1]).toBe('object');
  });

  it('on/off, a union of a constant and text, and free YAML where the form cannot say better', () => {
    const form = render('proxy', {
      id: 'edge',
      kind: 'proxy',
      to: 'api',
      cache: { staleIfError: true },
      filter: { headers: [{ name: 'x-debug', require: true }] },
    });
    const staleIfError = form.input('cache.staleIfError') as HTMLSelectElement;
    expect([...staleIfError.options].map((o) => o.textContent)).toEqual(['default true', 'on', 'off']);
    form.set('cache.staleIfError', 'false');
    expect(form.changes.at(-1)).toEqual([['cache', 'staleIfError'], false]);
    const require = [...form.target.querySelectorAll('.variant select')].map((s) => [...(s as HTMLSelectElement).options].map((o) => o.textContent));
    expect(require).toContainEqual(expect.arrayContaining(['true', 'text']));
  });

  it('free JSON (a transform\'s body fields) is edited as YAML: parsed on change, a YAML error shown and nothing handed up', () => {
    const spec = { kind: 'yaml' } as const;
    const changes: Change[] = [];
    const target = document.createElement('div');
    document.body.append(target);
    const instance = mount(SchemaField, { target, props: { spec, value: { a: 1 }, name: 'set', path: ['set'], errors: new Map(), onchange: (p: Change[0], v: unknown) => changes.push([p, v]) } });
    onTestFinished(() => {
      unmount(instance);
      target.remove();
    });
    flushSync();
    const area = target.querySelector('textarea')!;
    expect(area.value).toBe('a: 1');
    area.value = 'a: [1, 2';
    area.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(changes).toEqual([]);
    expect(target.textContent).toMatch(/flow|collection|end/i);
    area.value = 'a: 2\nb: x';
    area.dispatchEvent(new Event('change', { bubbles: true }));
    expect(changes).toEqual([[['set'], { a: 2, b: 'x' }]]);
  });
});
