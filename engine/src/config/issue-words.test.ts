/**
 * zod's generic words never reach a person: every check a schema left without a message says what the
 * field takes and what it got, proven on single cases and on every field of the shipped examples set
 * wrong in turn (a wrong type, empty, out of range).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatErrors, validateConfig, validateText } from './validate.ts';

const errorsOf = (text: string) => {
  const result = validateText(text);
  return result.ok ? [] : formatErrors(result.errors).split('\n');
};

/** What zod says when a schema gave no message: "Too small: expected number to be >=1", "Invalid input: ...". */
const ZOD_WORDS = /Invalid input|Invalid option|Invalid string|Invalid number|Invalid key|Invalid value|Too small|Too big|received|expected \w+ to (be|have)/;

describe('the words for checks a schema left unlabelled', () => {
  it.each([
    [
      'an aggregate upstream path without its slash',
      '{ match: { path: /a/* }, aggregate: { upstreams: [{ name: u, to: svc, path: "users" }] } }',
      'nodes[0] (api).routes[0].aggregate.upstreams[0].path: must start with "/", got "users"',
    ],
    [
      'an aggregate upstream without its name',
      '{ match: { path: /a/* }, aggregate: { upstreams: [{ to: svc, path: /u }] } }',
      "nodes[0] (api).routes[0].aggregate.upstreams[0].name: required: the upstream answer's key in the merged answer (letters, digits, _ and -, starting with a letter)",
    ],
    ['a route without its target', '{ match: { path: /a/* } }', 'nodes[0] (api).routes[0].to: required: the node or URL the route sends to (or aggregate: { upstreams: [...] })'],
  ])('%s', (_what, route, expected) => {
    expect(errorsOf(`version: 1\nnodes:\n  - { id: api, kind: gateway, routes: [${route}] }\n  - { id: svc, kind: service }\n`)).toEqual([expected]);
  });

  it.each([
    ['retries.on: []', '{ on: [] }', 'nodes[0] (lb).retries.on: list at least one of connect-error, reset, timeout, 5xx (or leave on out: all of them)'],
    ['retries.tries: 0', '{ tries: 0 }', 'nodes[0] (lb).retries.tries: must be at least 1, got 0'],
    ['retries.tries: 2.5', '{ tries: 2.5 }', 'nodes[0] (lb).retries.tries: expected a whole number, got 2.5'],
    ['retries.budget.percent: 200', '{ budget: { percent: 200 } }', 'nodes[0] (lb).retries.budget.percent: must be at most 100, got 200'],
    ['retries: yes', 'yes', 'nodes[0] (lb).retries: expected a mapping, got "yes"'],
    ['retries.methods: GET', '{ methods: GET }', 'nodes[0] (lb).retries.methods: expected a list, got "GET"'],
  ])('%s', (_what, retries, expected) => {
    expect(errorsOf(`version: 1\nnodes:\n  - { id: lb, kind: balancer, targets: [svc], retries: ${retries} }\n  - { id: svc, kind: service }\n`)).toEqual([expected]);
  });

  it.each([
    ['an empty list of paths', 'paths: []', 'traffic[0].paths: must not be empty'],
    ['no clients', 'clients: 0', 'traffic[0].clients: must be at least 1, got 0'],
    ['clients as text', 'clients: many', 'traffic[0].clients: expected a number, got "many"'],
    ['yes for true', 'keepAlive: yes', 'traffic[0].keepAlive: expected true or false, got "yes" (YAML reads it as text: write true)'],
    ['Off for false', 'http2: Off', 'traffic[0].http2: expected true or false, got "Off" (YAML reads it as text: write false)'],
    ['a long string where a number goes', `clients: ${'x'.repeat(100)}`, `traffic[0].clients: expected a number, got "${'x'.repeat(40)}"…`],
  ])('traffic: %s', (_what, field, expected) => {
    expect(errorsOf(`version: 1\nnodes: [{ id: svc, kind: service }]\ntraffic:\n  - { to: svc, rate: 1, ${field} }\n`)).toEqual([expected]);
  });

  it("leaves none of zod's generic words in any error, every field of every example set wrong in turn", () => {
    const examples = new URL('../../../examples/', import.meta.url);
    const configs = readdirSync(examples).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(new URL(f, examples), 'utf8')));
    expect(configs.length).toBeGreaterThan(3);
    const wrong: unknown[] = ['', 'x', -1, 0, 1e12, 0.5, true, null, [], {}, ['x'], [{}], { x: 1 }];
    const generic = new Set<string>();
    let checked = 0;
    for (const config of configs) {
      for (const path of pathsIn(config)) {
        for (const value of wrong) {
          const result = validateConfig(withValueAt(config, path, value));
          if (result.ok) continue;
          checked += result.errors.length;
          for (const error of result.errors) if (ZOD_WORDS.test(error.message)) generic.add(`${error.path}: ${error.message}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect([...generic]).toEqual([]);
  });
});

/** Every path to a value in `value`, the root excepted. */
function pathsIn(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const here = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => pathsIn(item, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([key, item]) => pathsIn(item, [...path, key]))];
  return here;
}

function withValueAt(root: unknown, path: PropertyKey[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<PropertyKey, unknown>;
  let at = copy;
  for (const part of path.slice(0, -1)) at = at[part] as Record<PropertyKey, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}
