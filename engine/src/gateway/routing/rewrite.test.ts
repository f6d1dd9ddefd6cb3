/** Rewrites: templates with captured parameters (keeping what a /* prefix left), stripPrefix as before, addPrefix. */
import { describe, expect, it } from 'vitest';
import { captureParams, compilePathPattern, restStart } from './path-pattern.ts';
import { compileRewrite, rewritePath, templateNames, templateProblem, type RewriteSpec } from './rewrite.ts';

/** The path `spec` forwards for `path` matched by `pattern`. */
function forward(pattern: string, spec: RewriteSpec, path: string): string {
  const compiled = compilePathPattern(pattern);
  const found = compiled.kind === 'regex' ? compiled.regex.exec(path) : null;
  return rewritePath(compileRewrite(spec)!, path, captureParams(compiled, path, found), restStart(compiled, path));
}

describe('rewritePath', () => {
  it.each<[string, RewriteSpec, string, string]>([
    ['/users/:id', { rewrite: '/v2/users/{id}' }, '/users/42', '/v2/users/42'],
    ['/users/:id/orders/:order', { rewrite: '/orders/{order}/of/{id}' }, '/users/42/orders/7', '/orders/7/of/42'],
    ['/health', { rewrite: '/status' }, '/health', '/status'],
    ['/users/*', { rewrite: '/v2/people' }, '/users/1/orders', '/v2/people/1/orders'],
    ['/users/*', { rewrite: '/v2/people' }, '/users', '/v2/people'],
    ['/users/*', { rewrite: '/v2/people' }, '/users/', '/v2/people/'],
    ['/users/*', { rewrite: '/v2/people/' }, '/users/1', '/v2/people/1'],
    ['/users/*', { rewrite: '/' }, '/users/1', '/1'],
    ['/users/*', { rewrite: '/' }, '/users', '/'],
    ['/users/:id/*', { rewrite: '/people/{id}' }, '/users/42/orders/7', '/people/42/orders/7'],
    ['~^/v(?<version>[0-9]+)/items$', { rewrite: '/items/{version}' }, '/v3/items', '/items/3'],
    ['/users/*', { stripPrefix: '/users' }, '/users/1', '/1'],
    ['/users/*', { stripPrefix: '/users' }, '/users', '/'],
    ['/users/*', { stripPrefix: '/users/' }, '/users/1', '/1'],
    ['/users/*', { stripPrefix: '/users/' }, '/users', '/users'],
    ['/*', { stripPrefix: '/api' }, '/apix/1', '/x/1'],
    ['/*', { stripPrefix: '/api' }, '/other', '/other'],
    ['/users/*', { addPrefix: '/api' }, '/users/1', '/api/users/1'],
    ['/users/*', { addPrefix: '/api/' }, '/users/1', '/api/users/1'],
    ['/*', { addPrefix: '/api' }, '/', '/api/'],
    ['/users/*', { stripPrefix: '/users', addPrefix: '/people' }, '/users/1', '/people/1'],
    ['/users/:id', { rewrite: '/u/{id}', addPrefix: '/v2' }, '/users/42', '/v2/u/42'],
    // A regex group captures `..`, `.` or nothing where a :param cannot: the result is resolved, never sent as `/../x`.
    ['~^/v(?<v>[^/]*)/', { rewrite: '/{v}/x' }, '/v../y', '/x'],
    ['~^/v(?<v>[^/]*)/', { rewrite: '/{v}/x', addPrefix: '/api' }, '/v../y', '/api/x'],
    ['~^/v(?<v>[^/]*)/', { rewrite: '/in/{v}/x' }, '/v./y', '/in/x'],
    ['~^/v(?<v>[^/]*)/', { rewrite: '/{v}/x' }, '/v/y', '/x'],
  ])('%s with %j sends %s as %s', (pattern, spec, path, expected) => {
    expect(forward(pattern, spec, path)).toBe(expected);
  });

  it('compiles nothing when a route neither rewrites nor strips nor adds', () => {
    expect(compileRewrite({})).toBeUndefined();
  });
});

describe('templates', () => {
  it('names the parameters a template uses', () => {
    expect(templateNames('/v2/{id}/orders/{order}')).toEqual(['id', 'order']);
  });

  it.each([
    ['/v2/{id}', undefined],
    ['/v2/users', undefined],
    ['/v2?x=1', /query string is kept/],
    ['/v2/{1d}', /a parameter is \{name\}/],
    ['/v2/{}', /a parameter is \{name\}/],
    ['/v2/{id', /unbalanced/],
    ['/v2/id}', /unbalanced/],
  ])('%s: %s', (template, problem) => {
    if (problem === undefined) expect(templateProblem(template)).toBeUndefined();
    else expect(templateProblem(template)).toMatch(problem);
  });
});
