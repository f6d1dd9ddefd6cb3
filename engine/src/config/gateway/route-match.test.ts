/**
 * The route config: every earlier form still parses to the same meaning, the new fields parse, and
 * each bad input is an error naming its field (`nodes[0].routes[1].match.path: ...`).
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, limitMessage } from '../limits.ts';
import { validateConfig } from '../validate.ts';

function gateway(routes: unknown[]) {
  return {
    version: 1,
    nodes: [
      { id: 'api', kind: 'gateway', routes },
      { id: 's', kind: 'service' },
    ],
  };
}

function errorsOf(routes: unknown[]): string[] {
  const result = validateConfig(gateway(routes));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('route config', () => {
  it('still takes every form of before', () => {
    const result = validateConfig(
      gateway([
        { match: { path: '/users/*' }, to: 's', stripPrefix: '/users' },
        { match: { path: '/health', method: 'GET', headers: { 'X-Canary': 'true' }, query: { v: '2' } }, to: 's' },
        { match: {}, to: 's' },
        { to: 's' },
      ]),
    );
    expect(result.ok && result.config.nodes[0].kind === 'gateway' && result.config.nodes[0].routes.map((r) => r.match)).toEqual([
      { path: '/users/*' },
      { path: '/health', method: 'GET', headers: { 'X-Canary': 'true' }, query: { v: '2' } },
      {},
      {},
    ]);
  });

  it('takes hosts, method lists, templates, regexes, conditions, rewrites and timeouts', () => {
    const result = validateConfig(
      gateway([
        {
          match: {
            host: ['api.example.com', '*.example.com:8081'],
            method: ['GET', 'HEAD'],
            path: '/users/:id/orders/*',
            headers: { 'x-canary': { present: true }, 'x-version': { regex: '^2' } },
            query: { debug: { present: true }, v: { regex: '^[0-9]+$' } },
          },
          to: 's',
          rewrite: '/v2/users/{id}/orders',
          addPrefix: '/api',
          timeout: '1.5s',
        },
        { match: { host: 'api.example.com', path: '~^/v(?<version>[0-9]+)/items$' }, to: 's', rewrite: '/items/{version}' },
      ]),
    );
    expect(result.ok).toBe(true);
    if (result.ok && result.config.nodes[0].kind === 'gateway') expect(result.config.nodes[0].routes[0].timeout).toBe(1500);
  });

  it.each<[string, unknown, string]>([
    [
      'an invalid path regex',
      { match: { path: '~^/v[0-9' }, to: 's' },
      'nodes[0].routes[0].match.path: invalid regular expression: /^/v[0-9/: Unterminated character class',
    ],
    [
      'a catastrophic path regex',
      { match: { path: '~^(a+)+$' }, to: 's' },
      'nodes[0].routes[0].match.path: a repeated group that itself repeats or alternates',
    ],
    [
      'an invalid header regex',
      { match: { headers: { 'x-v': { regex: '(' } } }, to: 's' },
      'nodes[0].routes[0].match.headers.x-v.regex: invalid regular expression: ',
    ],
    [
      'an invalid query regex',
      { match: { query: { v: { regex: '[' } } }, to: 's' },
      'nodes[0].routes[0].match.query.v.regex: invalid regular expression: ',
    ],
    [
      'a header regex past its limit',
      { match: { headers: { x: { regex: 'a'.repeat(257) } } }, to: 's' },
      `nodes[0].routes[0].match.headers.x.regex: ${limitMessage(LIMITS.regexLength)}`,
    ],
    [
      'a path regex past its limit',
      { match: { path: `~${'a'.repeat(257)}` }, to: 's' },
      `nodes[0].routes[0].match.path: ${limitMessage(LIMITS.regexLength)}`,
    ],
    ['an empty query name', { match: { query: { '': '1' } }, to: 's' }, 'nodes[0].routes[0].match.query: a query parameter needs a name'],
    [
      'present: false',
      { match: { headers: { x: { present: false } } }, to: 's' },
      'nodes[0].routes[0].match.headers.x.present: expected true',
    ],
    [
      'a header name that is no token',
      { match: { headers: { 'x canary': 'true' } }, to: 's' },
      'nodes[0].routes[0].match.headers.x canary: expected a header name (an RFC 9110 token)',
    ],
    [
      'an empty method list',
      { match: { method: [] }, to: 's' },
      'nodes[0].routes[0].match.method: an empty method list matches no request',
    ],
    ['a method twice', { match: { method: ['GET', 'GET'] }, to: 's' }, 'nodes[0].routes[0].match.method: a method is listed twice'],
    [
      'a lower-case method in a list',
      { match: { method: ['GET', 'post'] }, to: 's' },
      'nodes[0].routes[0].match.method[1]: expected an upper-case HTTP method',
    ],
    ['an empty host list', { match: { host: [] }, to: 's' }, 'nodes[0].routes[0].match.host: an empty host list matches no request'],
    [
      'a host wildcard in the middle',
      { match: { host: 'api.*.com' }, to: 's' },
      'nodes[0].routes[0].match.host: "api.*.com": a wildcard is only allowed as the whole first label',
    ],
    [
      'a path not in normal form',
      { match: { path: '/a/../b/*' }, to: 's' },
      'nodes[0].routes[0].match.path: requests are matched in normal form (RFC 3986 section 6.2.2), so this can never match: write /b/*',
    ],
    ['a path with a glob', { match: { path: '/users*' }, to: 's' }, 'nodes[0].routes[0].match.path: `*` is only allowed as a final /*'],
    ['a path without / or ~', { match: { path: 'users' }, to: 's' }, 'nodes[0].routes[0].match.path: expected a path starting with /'],
    [
      'a rewrite naming a parameter the path does not capture',
      { match: { path: '/users/:id' }, to: 's', rewrite: '/v2/{user}' },
      'nodes[0].routes[0].rewrite: {user} is not captured by match.path (it captures id)',
    ],
    [
      'a rewrite with a parameter and no path',
      { match: {}, to: 's', rewrite: '/v2/{id}' },
      'nodes[0].routes[0].rewrite: {id} is not captured by match.path (it captures nothing)',
    ],
    ['a rewrite with a query', { match: {}, to: 's', rewrite: '/v2?x=1' }, 'nodes[0].routes[0].rewrite: a rewrite changes the path only'],
    [
      'a rewrite not in normal form',
      { match: { path: '/users/:id' }, to: 's', rewrite: '/v2/../{id}' },
      'nodes[0].routes[0].rewrite: not in normal form',
    ],
    [
      'rewrite and stripPrefix',
      { match: { path: '/users/*' }, to: 's', rewrite: '/v2', stripPrefix: '/users' },
      'nodes[0].routes[0].rewrite: use rewrite or stripPrefix, not both',
    ],
    [
      'a stripPrefix an exact path never starts with',
      { match: { path: '/health' }, to: 's', stripPrefix: '/users' },
      'nodes[0].routes[0].stripPrefix: no path that /health matches starts with /users',
    ],
    [
      'a stripPrefix a prefix never starts with',
      { match: { path: '/users/*' }, to: 's', stripPrefix: '/orders' },
      'nodes[0].routes[0].stripPrefix: no path that /users/* matches starts with /orders',
    ],
    [
      'a stripPrefix a template never starts with',
      { match: { path: '/users/:id' }, to: 's', stripPrefix: '/people' },
      'nodes[0].routes[0].stripPrefix: no path that /users/:id matches starts with /people',
    ],
    [
      'a stripPrefix not in normal form',
      { match: {}, to: 's', stripPrefix: '/a//b' },
      'nodes[0].routes[0].stripPrefix: not in normal form (RFC 3986 section 6.2.2): write /a/b',
    ],
    [
      'an addPrefix not in normal form',
      { match: {}, to: 's', addPrefix: '/a/./b' },
      'nodes[0].routes[0].addPrefix: not in normal form (RFC 3986 section 6.2.2): write /a/b',
    ],
    [
      'an addPrefix with an encoded slash',
      { match: {}, to: 's', addPrefix: '/a%2Fb' },
      'nodes[0].routes[0].addPrefix: an encoded slash (%2F) in the path',
    ],
    ['a zero timeout', { match: {}, to: 's', timeout: 0 }, 'nodes[0].routes[0].timeout: must be longer than 0'],
    [
      'a timeout that is no duration',
      { match: {}, to: 's', timeout: 'soon' },
      'nodes[0].routes[0].timeout: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "soon"',
    ],
  ])('refuses %s', (_what, route, error) => {
    const errors = errorsOf([route]);
    expect(
      errors.some((e) => e.startsWith(error)),
      `${error}\nin\n${errors.join('\n')}`,
    ).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a stripPrefix inside a prefix', { match: { path: '/users/*' }, to: 's', stripPrefix: '/users/v1' }],
    ['a stripPrefix a template may start with', { match: { path: '/users/:id' }, to: 's', stripPrefix: '/users/4' }],
    ['a stripPrefix with a regex path', { match: { path: '~^/x' }, to: 's', stripPrefix: '/y' }],
    ['a stripPrefix with no path', { match: {}, to: 's', stripPrefix: '/y' }],
  ])('takes %s', (_what, route) => {
    expect(errorsOf([route])).toEqual([]);
  });
});
