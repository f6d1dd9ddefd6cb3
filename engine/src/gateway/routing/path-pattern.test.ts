/** Path patterns: every kind matched against normalised paths, what each captures, and the patterns refused. */
import { describe, expect, it } from 'vitest';
import { captureParams, compilePathPattern, pathMatches, pathPatternProblem, restStart } from './path-pattern.ts';

describe('pathMatches', () => {
  it.each<[string | undefined, string, boolean]>([
    ['/health', '/health', true],
    ['/health', '/health/', false],
    ['/health', '/healthz', false],
    ['/', '/', true],
    ['/', '/a', false],
    ['/users/*', '/users', true],
    ['/users/*', '/users/', true],
    ['/users/*', '/users/1/orders', true],
    ['/users/*', '/users-admin', false],
    ['/users/*', '/user', false],
    ['/users/*', '/', false],
    ['/*', '/', true],
    ['/*', '/anything/at/all', true],
    [undefined, '/anything', true],
    ['/users/:id', '/users/42', true],
    ['/users/:id', '/users/', false],
    ['/users/:id', '/users', false],
    ['/users/:id', '/users/42/', false],
    ['/users/:id', '/users/42/orders', false],
    ['/users/:id', '/people/42', false],
    ['/users/:id/', '/users/42/', true],
    ['/:kind/:id', '/users/42', true],
    ['/:kind/:id', '/users', false],
    ['/users/:id/orders/*', '/users/42/orders', true],
    ['/users/:id/orders/*', '/users/42/orders/7/items', true],
    ['/users/:id/orders/*', '/users/42/ordersx', false],
    ['/users/:id/orders/*', '/users/42', false],
    ['/users/:id/*', '/users/42', true],
    ['/users/:id/*', '/users/42/', true],
    ['/a/:x/b/:y', '/a/1/b/2', true],
    ['/a/:x/b/:y', '/a/1/c/2', false],
    ['~^/v[0-9]+/items$', '/v2/items', true],
    ['~^/v[0-9]+/items$', '/v2/items/1', false],
    ['~^/v[0-9]+/', '/v12/anything', true],
    ['~admin', '/users/admin', true],
  ])('%s fits %s: %s', (spec, path, expected) => {
    expect(pathMatches(compilePathPattern(spec), path)).toBe(expected);
  });

  it('does not run a regex on a path past the input bound', () => {
    expect(pathMatches(compilePathPattern('~^/a'), `/a${'x'.repeat(2000)}`)).toBe(false);
  });
});

describe('captures', () => {
  it.each<[string, string, Record<string, string> | undefined]>([
    ['/users/:id', '/users/42', { id: '42' }],
    ['/users/:id/orders/:order', '/users/42/orders/7', { id: '42', order: '7' }],
    ['/users/:id/orders/*', '/users/42/orders/7/x', { id: '42' }],
    ['/files/:name', '/files/caf%C3%A9', { name: 'caf%C3%A9' }],
    ['~^/v(?<version>[0-9]+)/(?<item>[a-z]+)', '/v2/items', { version: '2', item: 'items' }],
    ['~^/v(?<version>[0-9]+)?/x', '/v/x', { version: '' }],
    ['~^/v[0-9]+/', '/v2/items', undefined],
    ['/users/*', '/users/1', undefined],
    ['/health', '/health', undefined],
  ])('%s on %s captures %j', (spec, path, params) => {
    const pattern = compilePathPattern(spec);
    const found = pattern.kind === 'regex' ? pattern.regex.exec(path) : null;
    expect(captureParams(pattern, path, found)).toEqual(params);
  });

  it.each<[string, string, number]>([
    ['/users/*', '/users', 6],
    ['/users/*', '/users/a/b', 6],
    ['/*', '/a', 0],
    ['/users/:id/*', '/users/42/orders', 9],
    ['/users/:id/*', '/users/42', 9],
    ['/users/:id', '/users/42', -1],
    ['/health', '/health', -1],
    ['~^/a', '/a', -1],
  ])('%s on %s: the part under the prefix starts at %d', (spec, path, at) => {
    expect(restStart(compilePathPattern(spec), path)).toBe(at);
  });
});

describe('pathPatternProblem', () => {
  it.each(['/health', '/', '/users/*', '/*', '/users/:id', '/users/:id/orders/*', '/a:b/c', '/caf%C3%A9', '/~user', '~^/v[0-9]+/'])(
    'accepts %s',
    (spec) => expect(pathPatternProblem(spec)).toBeUndefined(),
  );

  it.each([
    ['users', /expected a path starting with \//],
    ['/users?x=1', /no query or fragment/],
    ['/users#top', /no query or fragment/],
    ['/users*', /only allowed as a final \/\*/],
    ['/*/orders', /only allowed as a final \/\*/],
    ['/users//*', /write \/users\/\*/],
    ['/users/:', /a parameter is a whole segment/],
    ['/users/:1d', /a parameter is a whole segment/],
    ['/users/:id-x', /a parameter is a whole segment/],
    ['/a/:id/b/:id', /appears twice/],
    ['/a/../b', /can never match: write \/b$/],
    ['/a//b', /can never match: write \/a\/b$/],
    ['/%7Euser', /can never match: write \/~user$/],
    ['/caf%c3%a9', /can never match: write \/caf%C3%A9$/],
    ['/a/./b/*', /can never match: write \/a\/b\/\*$/],
    ['/users/..%2Fadmin', /no request can have this path: an encoded slash/],
    ['/café', /percent-encoded/],
    ['/a b', /percent-encoded/],
    ['~(a+)+', /exponential time/],
    ['~(', /invalid regular expression/],
  ])('refuses %s', (spec, problem) => {
    expect(pathPatternProblem(spec)).toMatch(problem);
  });
});
