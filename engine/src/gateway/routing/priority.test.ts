/**
 * Route priority: the order routes are tried in, rule by rule (priority.ts states it), and config order
 * for ties. Each table lists routes in config order and the order they must be tried in.
 */
import { describe, expect, it } from 'vitest';
import { compileRoute } from './compile-route.ts';
import { describeSpecificity, inPriorityOrder } from './priority.ts';
import { parseRoutes } from './routes.fixture.ts';

/** The config indexes of `matches` in the order they are tried. */
function order(...matches: Array<Record<string, unknown>>): number[] {
  return inPriorityOrder(parseRoutes(matches.map((match) => ({ match }))).map(compileRoute)).map((r) => r.index);
}

describe('inPriorityOrder', () => {
  it.each<[string, Array<Record<string, unknown>>, number[]]>([
    ['an exact path before a prefix over it', [{ path: '/users/*' }, { path: '/users/me' }], [1, 0]],
    ['a longer prefix before a shorter', [{ path: '/*' }, { path: '/users/*' }, { path: '/users/admin/*' }], [2, 1, 0]],
    ['no path last, with /*, in config order', [{}, { path: '/*' }, { path: '/a/*' }], [2, 0, 1]],
    ['a template before a regex before a prefix', [{ path: '/users/*' }, { path: '~^/users/[0-9]+$' }, { path: '/users/:id' }], [2, 1, 0]],
    ['an exact path before a template', [{ path: '/users/:id' }, { path: '/users/me' }], [1, 0]],
    [
      'a literal segment before a parameter',
      [{ path: '/users/:id' }, { path: '/:kind/me' }, { path: '/users/me/*' }, { path: '/users/:id/*' }],
      [0, 1, 2, 3],
    ],
    ['more segments first among templates and prefixes', [{ path: '/users/*' }, { path: '/users/:id/orders/*' }], [1, 0]],
    ['a method condition first', [{ path: '/a/*' }, { path: '/a/*', method: ['GET', 'POST'] }], [1, 0]],
    [
      'more headers first',
      [
        { path: '/a/*', headers: { x: '1' } },
        { path: '/a/*', headers: { x: '1', y: { present: true } } },
      ],
      [1, 0],
    ],
    [
      'more query conditions first',
      [
        { path: '/a/*', query: { v: '1' } },
        { path: '/a/*', query: { v: '1', w: { regex: '^2' } } },
      ],
      [1, 0],
    ],
    [
      'a method before headers',
      [
        { path: '/a/*', headers: { x: '1', y: '2' } },
        { path: '/a/*', method: 'GET' },
      ],
      [1, 0],
    ],
    [
      'headers before query conditions',
      [
        { path: '/a/*', query: { a: '1', b: '2' } },
        { path: '/a/*', headers: { x: '1' } },
      ],
      [1, 0],
    ],
    ['the path before any condition', [{ path: '/a/*', method: 'GET', headers: { x: '1' } }, { path: '/a/b/*' }], [1, 0]],
    ['a host before the path', [{ path: '/a' }, { path: '/*', host: 'api.example.com' }], [1, 0]],
    ['an exact host before a wildcard', [{ host: '*.example.com' }, { host: 'api.example.com' }], [1, 0]],
    ['a longer wildcard before a shorter', [{ host: '*.example.com' }, { host: '*.eu.example.com' }], [1, 0]],
    ['a host list by its least specific host', [{ host: ['a.example.com', '*.example.com'] }, { host: 'b.example.com' }], [1, 0]],
    ['config order in a tie', [{ path: '/a/*' }, { path: '/b/*' }, { path: '/c/*' }], [0, 1, 2]],
    ['config order between two regexes', [{ path: '~^/a' }, { path: '~^/a/b' }], [0, 1]],
  ])('%s', (_rule, matches, expected) => {
    expect(order(...matches)).toEqual(expected);
  });

  it('says what placed a route', () => {
    const [route] = parseRoutes([
      { match: { host: 'api.example.com', path: '/users/:id', method: 'GET', headers: { x: '1' }, query: { a: '1', b: '2' } } },
    ]).map(compileRoute);
    expect(describeSpecificity(route.specificity)).toBe(
      'exact host, template (2 segments, 7 literal characters), method, 1 header, 2 query parameters',
    );
  });
});
