/**
 * Shadowed routes: a route tried after another that matches every request it does can never match.
 * Each case lists routes in config order and the (index, by) pairs expected; none expected means the
 * later route still gets requests of its own.
 */
import { describe, expect, it } from 'vitest';
import { parseGateway, parseRoutes } from './routes.fixture.ts';
import { findShadowedRoutes } from './shadowing.ts';

function shadows(...matches: Array<Record<string, unknown>>): Array<[number, number]> {
  return findShadowedRoutes(parseRoutes(matches.map((match) => ({ match })))).map((s) => [s.index, s.by]);
}

describe('findShadowedRoutes', () => {
  it.each<[string, Array<Record<string, unknown>>, Array<[number, number]>]>([
    ['a duplicate', [{ path: '/users/*' }, { path: '/users/*' }], [[1, 0]]],
    ['a duplicate of no match at all', [{}, {}], [[1, 0]]],
    [
      'a prefix under a prefix with a method first',
      [
        { path: '/users/*', method: 'GET' },
        { path: '/users/admin/*', method: 'GET' },
      ],
      [],
    ],
    ['an exact path is more specific, never shadowed by a prefix', [{ path: '/users/*' }, { path: '/users/me' }], []],
    [
      'a method list before one of its methods (a method counts, not how many)',
      [
        { path: '/a/*', method: ['GET', 'POST'] },
        { path: '/a/*', method: 'GET' },
      ],
      [[1, 0]],
    ],
    [
      'one method before a method list',
      [
        { path: '/a/*', method: 'GET' },
        { path: '/a/*', method: ['GET', 'POST'] },
      ],
      [],
    ],
    [
      'the same path, a method set inside another',
      [
        { path: '/a', method: ['GET', 'POST'] },
        { path: '/a', method: ['POST', 'GET'] },
      ],
      [[1, 0]],
    ],
    ['a route with a method over one without: not shadowed', [{ path: '/a', method: 'GET' }, { path: '/a' }], []],
    [
      'a header condition the later route also has, and more query',
      [
        { path: '/a/*', headers: { x: '1', y: '2' } },
        { path: '/a/*', headers: { x: '1' } },
      ],
      [],
    ],
    [
      'present covers equals',
      [
        { path: '/a', method: 'GET', headers: { x: { present: true } } },
        { path: '/a', headers: { x: '1' } },
      ],
      [],
    ],
    [
      'a regex before an equal value it matches',
      [
        { path: '/a', query: { v: { regex: '^2' } } },
        { path: '/a', query: { v: '2' } },
      ],
      [[1, 0]],
    ],
    [
      'a regex before an equal value it does not match',
      [
        { path: '/a', query: { v: { regex: '^2' } } },
        { path: '/a', query: { v: '3' } },
      ],
      [],
    ],
    [
      'present before equals',
      [
        { path: '/a/:id/*', query: { v: { present: true } } },
        { path: '/a/:id/*', query: { v: '1' } },
      ],
      [[1, 0]],
    ],
    [
      'equals before present',
      [
        { path: '/a/:id/*', query: { v: '1' } },
        { path: '/a/:id/*', query: { v: { present: true } } },
      ],
      [],
    ],
    [
      'a header with the other value',
      [
        { path: '/a', headers: { x: '1' } },
        { path: '/a', headers: { x: '2' } },
      ],
      [],
    ],
    ['the same regex twice', [{ path: '~^/v[0-9]+/' }, { path: '~^/v[0-9]+/' }], [[1, 0]]],
    ['a regex over an exact path it matches: exact is tried first', [{ path: '~^/v[0-9]+$' }, { path: '/v2' }], []],
    [
      'every path over a regex',
      [
        { path: '/*', headers: { x: '1' } },
        { path: '~^/a', headers: { x: '1' } },
      ],
      [],
    ],
    ['a wildcard host over an exact one: exact first', [{ host: '*.example.com' }, { host: 'api.example.com' }], []],
    [
      'a wildcard host over a longer wildcard with the same path',
      [
        { host: '*.example.com', path: '/a' },
        { host: '*.example.com', path: '/a' },
      ],
      [[1, 0]],
    ],
    [
      'a host list covering one of them',
      [
        { host: ['a.test', 'b.test'], path: '/x' },
        { host: ['b.test', 'a.test'], path: '/x' },
      ],
      [[1, 0]],
    ],
    ['a template covering a duplicate template', [{ path: '/users/:id' }, { path: '/users/:name' }], [[1, 0]]],
    ['a closed template never covers a prefix', [{ path: '/users/:id' }, { path: '/users/*' }], []],
    ['different segments', [{ path: '/users/*' }, { path: '/orders/*' }], []],
  ])('%s', (_case, matches, expected) => {
    expect(shadows(...matches)).toEqual(expected);
  });

  it('never calls a route shadowed by one it is tried before', () => {
    expect(
      shadows(
        { path: '/a/*', method: 'GET' },
        { path: '/a/:id/*', method: 'GET' },
        { path: '/a/:id/*', method: 'GET', headers: { x: '1' } },
      ),
    ).toEqual([]);
  });

  it('says which route shadows it and why, as a warning of a valid config', () => {
    const { warnings } = parseGateway([
      { match: { path: '/users/*' }, to: 'users' },
      { match: { path: '/orders/*' }, to: 'orders' },
      { match: { path: '/users/*' }, to: 'users-v2' },
    ]);
    expect(warnings).toEqual([
      {
        path: 'nodes[0].routes[2]',
        node: 'api',
        message: 'can never match: route 1 (/users/*) has the same match, a higher priority and matches every request this one does',
      },
    ]);
  });
});
