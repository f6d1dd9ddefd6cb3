/**
 * The route table as the gateway's route stage uses it: which route a request takes (every matcher,
 * priority, ties), the path it forwards (normalised, rewritten, query as sent), the 400 for paths that
 * must not be routed, the reason and the 404 explanation a learner reads, and the inspector's rows.
 */
import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoute } from './compile-route.ts';
import { valueMatches } from './conditions.ts';
import { hostMatches, requestHost } from './host-pattern.ts';
import { isPathRefusal, normalizePath } from './normalize-path.ts';
import { pathMatches } from './path-pattern.ts';
import { inPriorityOrder } from './priority.ts';
import { compileRouteTable, type RouteHit } from './route-table.ts';
import { parseRoutes } from './routes.fixture.ts';

interface Request {
  method?: string;
  host?: string;
  target: string;
  headers?: IncomingHttpHeaders;
}

function tableOf(routes: Array<Record<string, unknown>>) {
  return compileRouteTable(parseRoutes(routes));
}

function send(routes: Array<Record<string, unknown>>, request: Request) {
  const { method = 'GET', host = 'gw.test', target, headers = {} } = request;
  return tableOf(routes).match(method, host, target, headers);
}

/** The config index of the route a request takes, or undefined. */
function routeOf(routes: Array<Record<string, unknown>>, request: Request): number | undefined {
  const result = send(routes, request);
  if (result?.kind === 'refused') throw new Error(result.reason);
  return result?.route;
}

describe('what routes.ts did, still', () => {
  const routes = [
    { match: { path: '/health' } },
    { match: { path: '/users/*' }, stripPrefix: '/users' },
    { match: { path: '/orders/*', method: 'POST' } },
    { match: { path: '/beta/*', headers: { 'X-Canary': 'true' } } },
    { match: { path: '/search', query: { q: 'edge' } } },
  ];
  it.each<[Request, number | undefined]>([
    [{ target: '/health' }, 0],
    [{ target: '/health/' }, undefined],
    [{ target: '/users' }, 1],
    [{ target: '/users/' }, 1],
    [{ target: '/users/1/orders' }, 1],
    [{ target: '/users-admin' }, undefined],
    [{ target: '/orders/1', method: 'POST' }, 2],
    [{ target: '/orders/1', method: 'GET' }, undefined],
    [{ target: '/beta/x', headers: { 'x-canary': 'true' } }, 3],
    [{ target: '/beta/x', headers: { 'x-canary': 'TRUE' } }, undefined],
    [{ target: '/beta/x' }, undefined],
    [{ target: '/search?q=edge' }, 4],
    [{ target: '/search?q=edge&q=other' }, 4],
    [{ target: '/search?q=%65dge' }, 4],
    [{ target: '/search?q=other&q=edge' }, undefined],
    [{ target: '/search' }, undefined],
  ])('%j takes route %s', (request, expected) => {
    expect(routeOf(routes, request)).toBe(expected);
  });

  it.each([
    ['/users/1?x=1', '/1?x=1'],
    ['/users', '/'],
    ['/users?x=1', '/?x=1'],
    ['/users/', '/'],
  ])('strips the prefix: %s goes as %s', (target, path) => {
    expect(send(routes, { target })).toMatchObject({ kind: 'route', route: 1, path });
  });
});

describe('matchers', () => {
  it.each<[string, Record<string, unknown>, Request, boolean]>([
    ['an exact host', { host: 'api.example.com' }, { target: '/', host: 'API.example.com:8081' }, true],
    ['an exact host, another host', { host: 'api.example.com' }, { target: '/', host: 'web.example.com' }, false],
    ['a wildcard host', { host: '*.example.com' }, { target: '/', host: 'a.b.example.com' }, true],
    ['a wildcard host, the bare suffix', { host: '*.example.com' }, { target: '/', host: 'example.com' }, false],
    ['a host with its port', { host: 'api.example.com:8081' }, { target: '/', host: 'api.example.com:8082' }, false],
    ['a host list', { host: ['a.test', 'b.test'] }, { target: '/', host: 'b.test' }, true],
    ['no Host at all', { host: 'a.test' }, { target: '/', host: undefined }, false],
    ['one method', { method: 'GET' }, { target: '/', method: 'HEAD' }, false],
    ['a method list', { method: ['GET', 'HEAD'] }, { target: '/', method: 'HEAD' }, true],
    ['a method list, another method', { method: ['GET', 'HEAD'] }, { target: '/', method: 'DELETE' }, false],
    ['a template', { path: '/users/:id' }, { target: '/users/42' }, true],
    ['a template, an empty segment', { path: '/users/:id' }, { target: '/users/' }, false],
    ['a regex path', { path: '~^/v[0-9]+/items$' }, { target: '/v12/items?x=1' }, true],
    ['a regex path, no match', { path: '~^/v[0-9]+/items$' }, { target: '/vx/items' }, false],
    ['a header present', { headers: { 'x-canary': { present: true } } }, { target: '/', headers: { 'x-canary': '' } }, true],
    ['a header present, absent', { headers: { 'x-canary': { present: true } } }, { target: '/' }, false],
    ['a header regex', { headers: { 'x-version': { regex: '^2' } } }, { target: '/', headers: { 'x-version': '2.1' } }, true],
    ['a header regex, no match', { headers: { 'x-version': { regex: '^2' } } }, { target: '/', headers: { 'x-version': '12' } }, false],
    ['a header regex, absent', { headers: { 'x-version': { regex: '.*' } } }, { target: '/' }, false],
    ['a query present', { query: { debug: { present: true } } }, { target: '/?debug' }, true],
    ['a query present, absent', { query: { debug: { present: true } } }, { target: '/?other=1' }, false],
    ['a query equals', { query: { v: '2' } }, { target: '/?v=2' }, true],
    ['a query regex', { query: { v: { regex: '^[23]$' } } }, { target: '/?v=3' }, true],
    ['a query regex, no match', { query: { v: { regex: '^[23]$' } } }, { target: '/?v=4' }, false],
    [
      'every condition at once',
      { host: 'a.test', method: 'GET', path: '/u/:id', headers: { x: '1' }, query: { y: { present: true } } },
      { target: '/u/1?y', host: 'a.test', headers: { x: '1' } },
      true,
    ],
  ])('%s', (_what, match, request, matches) => {
    expect(routeOf([{ match }], request)).toBe(matches ? 0 : undefined);
  });
});

describe('priority', () => {
  it('sends each request to the most specific route that matches, whatever the config order (the path first)', () => {
    const routes = [
      { match: { path: '/users/*' }, to: 'users' },
      { match: { path: '/users/*', headers: { 'x-canary': 'true' } }, to: 'users-canary' },
      { match: { path: '/users/me' }, to: 'me' },
      { match: { path: '/users/:id', method: 'GET' }, to: 'by-id' },
    ];
    const to = (request: Request) => (send(routes, request) as RouteHit).to;
    expect(to({ target: '/users/1/orders', headers: { 'x-canary': 'true' } })).toBe('users-canary');
    expect(to({ target: '/users/1', headers: { 'x-canary': 'true' } })).toBe('by-id');
    expect(to({ target: '/users/1' })).toBe('by-id');
    expect(to({ target: '/users/1', method: 'POST' })).toBe('users');
    expect(to({ target: '/users/me' })).toBe('me');
    expect(to({ target: '/users/1/orders' })).toBe('users');
  });

  it('takes the first in config order among equally specific routes that match', () => {
    const routes = [
      { match: { path: '/a/*', headers: { x: '1' } }, to: 't' },
      { match: { path: '/a/*', query: { y: '1' } }, to: 'u' },
      { match: { path: '/a/*', headers: { z: '1' } }, to: 's' },
    ];
    expect(routeOf(routes, { target: '/a/b?y=1', headers: { x: '1', z: '1' } })).toBe(0);
    expect(routeOf(routes, { target: '/a/b?y=1', headers: { z: '1' } })).toBe(2);
    expect(routeOf(routes, { target: '/a/b?y=1' })).toBe(1);
  });
});

describe('normalisation before matching', () => {
  const routes = [
    { match: { path: '/admin/*' }, to: 'admin' },
    { match: { path: '/users/*' }, to: 'users' },
  ];

  it.each([
    ['/users/%2e%2e/admin', 'admin', '/admin'],
    ['/users/.%2E/admin/x', 'admin', '/admin/x'],
    ['/users/../admin', 'admin', '/admin'],
    ['//admin', 'admin', '/admin'],
    ['/admin/./', 'admin', '/admin/'],
    ['/users//1', 'users', '/users/1'],
    ['/%75sers/1', 'users', '/users/1'],
    ['/users/%7E1?q=%2e%2e', 'users', '/users/~1?q=%2e%2e'],
  ])('%s goes to %s as %s', (target, to, path) => {
    expect(send(routes, { target })).toMatchObject({ kind: 'route', to, path });
  });

  it.each([
    ['/users/..%2fadmin', 'an encoded slash (%2f) in the path: /users/..%2fadmin'],
    ['/users/..%2Fadmin/x', 'an encoded slash (%2F) in the path: /users/..%2Fadmin/x'],
    ['/users/..%5Cadmin', 'an encoded backslash (%5C) in the path: /users/..%5Cadmin'],
    ['/users\\..\\admin', 'a backslash in the path: /users\\..\\admin'],
    ['/users/%C0%AE%C0%AE/admin', 'encoded bytes that are not UTF-8 (or an overlong form) at "%C0%AE%C0%AE": /users/%C0%AE%C0%AE/admin'],
    ['/users/%zz', 'invalid percent-encoding at "%zz": /users/%zz'],
  ])('refuses %s with 400 EDGE_BAD_REQUEST', (target, reason) => {
    expect(send(routes, { target })).toEqual({ kind: 'refused', error: 'EDGE_BAD_REQUEST', reason });
  });

  it('forwards the target untouched when it was already normal and nothing rewrites it', () => {
    expect(send(routes, { target: '/users/1?b=2&a=%20' })).toMatchObject({ path: '/users/1?b=2&a=%20', matchedPath: '/users/1' });
  });
});

describe('a hit', () => {
  it('carries the params, the forwarded path with the query, the timeout and a reason', () => {
    const result = send([{ match: { path: '/users/:id', method: 'GET' }, to: 'users', rewrite: '/v2/users/{id}', timeout: '2s' }], {
      target: '/users/42?full=1',
    });
    expect(result).toEqual({
      kind: 'route',
      route: 0,
      to: 'users',
      params: { id: '42' },
      path: '/v2/users/42?full=1',
      matchedPath: '/users/42',
      timeout: 2000,
      reason: 'route 1 (GET /users/:id) matched /users/42 with id=42 -> users as /v2/users/42',
    });
  });

  it('says in its reason when the path was normalised', () => {
    const result = send([{ match: {}, to: 'users' }, { match: { path: '/health' } }], { target: '/a/%2e%2e//health' });
    expect(result).toMatchObject({ route: 1, reason: 'route 2 (/health) matched /health (sent as /a/%2e%2e//health) -> s' });
  });

  it('names a regex route by its pattern and its named captures', () => {
    const result = send([{ match: { path: '~^/v(?<version>[0-9]+)/', headers: { 'x-team': { present: true } } }, to: 'items' }], {
      target: '/v3/items',
      headers: { 'x-team': 'a' },
    });
    expect(result).toMatchObject({
      params: { version: '3' },
      reason: 'route 1 (~^/v(?<version>[0-9]+)/ x-team present) matched /v3/items with version=3 -> items',
    });
  });
});

describe('explainMiss', () => {
  const routes = [
    { match: { path: '/users/*', method: 'GET' }, to: 'users' },
    { match: { path: '/orders/:id', headers: { 'x-team': 'ops' }, query: { v: { regex: '^2' } } }, to: 'orders' },
    { match: { host: '*.example.com', path: '/admin' }, to: 'admin' },
  ];
  const table = tableOf(routes);
  it.each<[Request, string]>([
    [{ target: '/users/1', method: 'POST' }, 'no route matches POST /users/1; closest is route 1 (GET /users/*): method POST is not GET'],
    [
      { target: '/orders/7?v=1', headers: { 'x-team': 'dev' } },
      'no route matches GET /orders/7; closest is route 2 (/orders/:id x-team: ops ?v ~ ^2): header x-team is "dev", not "ops", query ?v "1" does not match ^2',
    ],
    [
      { target: '/orders/7?v=2' },
      'no route matches GET /orders/7; closest is route 2 (/orders/:id x-team: ops ?v ~ ^2): header x-team is missing',
    ],
    [
      { target: '/admin', host: 'evil.test' },
      'no route matches GET /admin; closest is route 3 (/admin host *.example.com): host evil.test is not *.example.com',
    ],
    [
      { target: '/admin', host: undefined },
      'no route matches GET /admin; closest is route 3 (/admin host *.example.com): no host is not *.example.com',
    ],
    [
      { target: '/users//..//x' },
      'no route matches GET /x; closest is route 1 (GET /users/*): path /x is neither /users nor under /users/',
    ],
    [
      { target: '/orders' },
      'no route matches GET /orders; closest is route 1 (GET /users/*): path /orders is neither /users nor under /users/',
    ],
  ])('%j: %s', (request, reason) => {
    const { method = 'GET', target, headers = {} } = request;
    const host = 'host' in request ? request.host : 'gw.test';
    expect(table.match(method, host, target, headers)).toBeUndefined();
    expect(table.explainMiss(method, host, target, headers)).toBe(reason);
  });
});

describe('entries', () => {
  it('lists every route in priority order with its config index and what placed it', () => {
    const table = tableOf([
      { match: { path: '/users/*' }, to: 'users' },
      { match: { path: '/users/:id', method: ['GET', 'HEAD'] }, to: 'users' },
      { match: { host: 'api.example.com' }, to: 'admin' },
    ]);
    expect(table.entries).toEqual([
      { index: 2, to: 'admin', description: '/* host api.example.com', precedence: 'exact host, every path' },
      { index: 1, to: 'users', description: 'GET,HEAD /users/:id', precedence: 'template (2 segments, 7 literal characters), method' },
      { index: 0, to: 'users', description: '/users/*', precedence: 'prefix (1 segment, 6 literal characters)' },
    ]);
  });
});

/** A fixed table that uses every matcher, and requests drawn from the values it tests. */
const propertyRoutes = parseRoutes([
  { match: { path: '/users/*' }, to: 'users' },
  { match: { path: '/users/:id', method: ['GET', 'HEAD'] }, to: 'users' },
  { match: { path: '/users/me' }, to: 'users' },
  { match: { path: '/users/:id/orders/*', headers: { 'x-canary': 'true' } }, to: 'users' },
  { match: { path: '~^/v[0-9]+/users' }, to: 'users' },
  { match: { host: '*.example.com', path: '/admin/*' }, to: 'users' },
  { match: { host: 'api.example.com', query: { v: { regex: '^2' } } }, to: 'users' },
  { match: { path: '/orders/*', query: { debug: { present: true } }, headers: { 'x-version': { regex: '^1' } } }, to: 'users' },
  { match: { path: '/orders/*' }, to: 'users' },
]);

const segment = fc.constantFrom('users', 'me', '42', 'orders', 'admin', 'v1', 'v2', '..', '.', '', '%2e', '%75sers');
const requests = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST'),
  host: fc.constantFrom('api.example.com', 'a.example.com', 'example.com', 'other.test', undefined),
  path: fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`),
  query: fc.constantFrom('', '?v=2', '?v=1', '?debug', '?debug&v=2'),
  headers: fc.record({ 'x-canary': fc.constantFrom('true', 'false'), 'x-version': fc.constantFrom('1.0', '2.0') }, { requiredKeys: [] }),
});

describe('properties', () => {
  it('takes the first route, in priority order, whose every condition holds', () => {
    const table = compileRouteTable(propertyRoutes);
    const ordered = inPriorityOrder(propertyRoutes.map(compileRoute));
    fc.assert(
      fc.property(requests, ({ method, host, path, query, headers }) => {
        const result = table.match(method, host, path + query, headers);
        const normal = normalizePath(path);
        if (isPathRefusal(normal)) return expect(result?.kind).toBe('refused');
        const params = new URLSearchParams(query.slice(1));
        const expected = ordered.find(
          (route) =>
            (route.methods === undefined || route.methods.includes(method)) &&
            (route.hosts === undefined || route.hosts.some((h) => hostMatches(h, requestHost(host)))) &&
            pathMatches(route.path, normal) &&
            route.headers.every((c) => valueMatches(c, headers[c.name as keyof typeof headers])) &&
            route.query.every((c) => valueMatches(c, params.get(c.name))),
        );
        expect(result === undefined ? undefined : (result as RouteHit).route).toBe(expected?.index);
        if (result === undefined) expect(table.explainMiss(method, host, path + query, headers)).toMatch(/^no route matches /);
        else expect((result as RouteHit).path).toBe(normal + query);
      }),
      { seed: 20, numRuns: 3000 },
    );
  });
});
