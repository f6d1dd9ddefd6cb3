/**
 * The config of transforms and aggregates: what a route may say, and every refusal with its path and
 * reason (fields a transform may not touch, bad names and values, templates, body paths that depend on
 * their order, a route with both or neither of `to` and `aggregate`, aggregate upstreams in the topology).
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, limitMessage } from '../limits.ts';
import { validateConfig } from '../validate.ts';

type Route = Record<string, unknown>;

function gateway(route: Route) {
  return {
    version: 1,
    nodes: [
      { id: 'api', kind: 'gateway', routes: [route, { match: { path: '/orders/*' }, to: 'orders' }] },
      { id: 'users', kind: 'service' },
      { id: 'orders', kind: 'service' },
    ],
  };
}

function errorsOf(route: Route): string[] {
  const result = validateConfig(gateway(route));
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

const R = 'nodes[0].routes[0]';
const aggregate = (upstreams: unknown[], more: Route = {}) => ({ match: {}, aggregate: { upstreams, ...more } });
const both = [
  { name: 'user', to: 'users', path: '/users/{route.param.id}', timeout: '500ms' },
  { name: 'orders', to: 'orders', path: '/orders?user={route.param.id}' },
];

describe('a route that transforms', () => {
  it('takes every edit on both sides, parsed', () => {
    const transform = {
      request: {
        headers: { set: { 'X-Consumer': '{consumer.name}' }, add: { 'x-tag': 'a' }, remove: ['x-internal'] },
        query: { set: { v: '2' }, remove: ['debug'] },
        body: {
          rename: { user_id: 'userId' },
          remove: ['password'],
          set: { 'meta.by': '{consumer.name}', 'meta.v': 2, flags: { a: [true, null] } },
        },
      },
      response: { headers: { set: { 'cache-control': 'no-store' }, remove: ['server'] }, body: { remove: ['internal.notes'] } },
    };
    const result = validateConfig(gateway({ match: {}, to: 'users', transform }));
    expect(result.ok && result.config.nodes[0].kind === 'gateway' && result.config.nodes[0].routes[0].transform).toEqual(transform);
  });

  it.each<[string, Route, string[]]>([
    [
      'a hop-by-hop field',
      { request: { headers: { set: { Connection: 'close' } } } },
      [
        `${R}.transform.request.headers.set.Connection: a transform cannot change connection: a hop-by-hop field (RFC 9110 section 7.6.1): it describes one connection, and every hop removes it and sets its own`,
      ],
    ],
    [
      'Content-Length and Transfer-Encoding',
      { response: { headers: { remove: ['content-length', 'Transfer-Encoding'] } } },
      [
        `${R}.transform.response.headers.remove[0]: a transform cannot change content-length: the node computes it from the body it sends: a wrong one would make the next hop read the body short or run into the next request (request smuggling)`,
        `${R}.transform.response.headers.remove[1]: a transform cannot change transfer-encoding: it frames the body on one connection, and each hop frames the body it sends (a hop-by-hop field)`,
      ],
    ],
    [
      'Host, Via, the request id, a proxy credential and the engine fields',
      {
        request: {
          headers: { add: { host: 'a' }, set: { via: 'x', 'x-request-id': '1' }, remove: ['proxy-authorization', 'x-edgelab-error'] },
        },
      },
      [
        `${R}.transform.request.headers.set.via: a transform cannot change via: each hop appends itself, and loop detection reads it (EDGE_LOOP_DETECTED)`,
        `${R}.transform.request.headers.set.x-request-id: a transform cannot change x-request-id: it is the request id the trace follows across every hop`,
        `${R}.transform.request.headers.add.host: a transform cannot change host: the node sets Host for the upstream it sends to`,
        `${R}.transform.request.headers.remove[0]: a transform cannot change proxy-authorization: the credentials of one hop (RFC 9110 section 11.7): every hop removes the previous hop's`,
        `${R}.transform.request.headers.remove[1]: a transform cannot change x-edgelab-error: the engine's own field (its error code, a partial answer's parts)`,
      ],
    ],
    [
      'a header name that is not a token, a value with LF',
      { response: { headers: { set: { 'x a': 'v', 'x-b': 'one\ntwo' } } } },
      [
        `${R}.transform.response.headers.set.x-b: a header value cannot hold LF`,
        `${R}.transform.response.headers.set.x a: expected a header name (letters, digits and !#$%&'*+-.^_\`|~), got "x a"`,
      ],
    ],
    [
      'one header in two edits (names ignore case)',
      { request: { headers: { set: { 'X-User': 'a' }, add: { 'x-user': 'b' } } } },
      [`${R}.transform.request.headers.add.x-user: x-user is already in set: a header takes one of set, add and remove, once`],
    ],
    [
      'a query parameter set and removed',
      { request: { query: { set: { a: '1' }, remove: ['a'] } } },
      [`${R}.transform.request.query.remove[0]: a is also in set, which already replaces what was sent`],
    ],
    [
      'templates: an unknown reference, a lone brace, a bad header name',
      {
        request: {
          headers: { set: { 'x-a': '{consumer.nmae}', 'x-b': 'a}b', 'x-c': '{request.header.a b}' } },
          query: { set: { q: '{request.query.}' } },
        },
      },
      [
        `${R}.transform.request.headers.set.x-a: unknown reference {consumer.nmae}: expected {consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME}`,
        `${R}.transform.request.headers.set.x-b: a lone "}": write "}}" for a literal brace`,
        `${R}.transform.request.headers.set.x-c: {request.header.a b}: "a b" is not a header name`,
        `${R}.transform.request.query.set.q: {request.query.}: name the query parameter`,
      ],
    ],
    [
      'body paths that overlap, are empty or reach the prototype',
      {
        request: {
          body: {
            rename: { user: 'person', 'a.b': 'a' },
            remove: ['user.name', 'x..y'],
            set: { 'constructor.x': 1, 'm.n': '{route.param.}' },
          },
        },
      },
      [
        `${R}.transform.request.body.remove[1]: expected field names joined by dots (user.address.city), got "x..y"`,
        `${R}.transform.request.body.rename.user: user (renamed) overlaps user.name (removed): a field may be edited once, and not inside another edited field, or the result would depend on the order`,
        `${R}.transform.request.body.rename.a.b: a (the new name of a.b) overlaps a.b (renamed): a field may be edited once, and not inside another edited field, or the result would depend on the order`,
        `${R}.transform.request.body.set.constructor.x: "constructor" cannot be a field name here: it reaches the object's prototype`,
        `${R}.transform.request.body.set.m.n: {route.param.}: "" is not a parameter name (letters, digits and _)`,
      ],
    ],
    ['an empty transform', {}, [`${R}.transform: give request or response`]],
    [
      'empty sides and edits',
      { request: {}, response: { headers: {}, body: {} } },
      [
        `${R}.transform.request: give headers, query or body`,
        `${R}.transform.response.headers: give set, add or remove`,
        `${R}.transform.response.body: give rename, remove or set`,
      ],
    ],
    [
      'a query edit on the response',
      { response: { query: { remove: ['a'] } } },
      [`${R}.transform.response.query: unknown key`, `${R}.transform.response: give headers or body`],
    ],
  ])('refuses %s', (_name, transform, errors) => {
    expect(errorsOf({ match: {}, to: 'users', transform })).toEqual(errors);
  });

  it(`holds each edit to ${LIMITS.listItems.max} entries`, () => {
    const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v']));
    expect(errorsOf({ match: {}, to: 'users', transform: { request: { headers: { set: headers(100) } } } })).toEqual([]);
    expect(errorsOf({ match: {}, to: 'users', transform: { request: { headers: { set: headers(101) } } } })).toEqual([
      `${R}.transform.request.headers.set: ${limitMessage(LIMITS.listItems)}`,
    ]);
  });
});

describe('a route that aggregates', () => {
  it('has no `to`, its timeouts in ms, and fail-whole unless it says partial', () => {
    const result = validateConfig(gateway(aggregate(both)));
    expect(result.ok && result.config.nodes[0].kind === 'gateway' && result.config.nodes[0].routes[0]).toMatchObject({
      aggregate: {
        policy: 'fail-whole',
        upstreams: [
          { name: 'user', to: 'users', path: '/users/{route.param.id}', timeout: 500 },
          { name: 'orders', to: 'orders', path: '/orders?user={route.param.id}' },
        ],
      },
    });
    expect(errorsOf(aggregate(both, { policy: 'partial' }))).toEqual([]);
  });

  it.each<[string, Route, string[]]>([
    [
      'both to and aggregate',
      { ...aggregate(both), to: 'users' },
      [`${R}.aggregate: give either to or aggregate: an aggregate route calls its own upstreams`],
    ],
    ['neither', { match: {} }, [`${R}.to: required: the node or URL the route sends to (or aggregate: { upstreams: [...] })`]],
    [
      'a request body edit',
      { ...aggregate(both), transform: { request: { body: { remove: ['a'] } } } },
      [`${R}.transform.request.body: an aggregate sends no body: it calls each upstream with GET`],
    ],
    ['no upstream', aggregate([]), [`${R}.aggregate.upstreams: an aggregate needs at least one upstream`]],
    [
      'names taken twice or not keys',
      aggregate([
        { name: 'user', to: 'users', path: '/u' },
        { name: 'user', to: 'orders', path: '/o' },
        { name: '_errors', to: 'orders', path: '/o' },
      ]),
      [
        `${R}.aggregate.upstreams[2].name: expected letters, digits, _ and -, starting with a letter (its key in the merged answer)`,
        `${R}.aggregate.upstreams[1].name: "user" is already a name: each part of the answer needs its own`,
      ],
    ],
    [
      'a path with a fragment, a bad template, a zero timeout, an unknown policy',
      aggregate(
        [
          { name: 'a', to: 'users', path: '/u#top', timeout: 0 },
          { name: 'b', to: 'orders', path: '/o/{id}' },
        ],
        { policy: 'best-effort' },
      ),
      [
        `${R}.aggregate.upstreams[0].path: a request path cannot hold "#" (a fragment stays in the client); percent-encode it as %23`,
        `${R}.aggregate.upstreams[0].timeout: must be longer than 0`,
        `${R}.aggregate.upstreams[1].path: unknown reference {id}: expected {consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME}`,
        `${R}.aggregate.policy: expected one of "fail-whole", "partial"`,
      ],
    ],
    [
      'a path out of normal form (it went upstream as written, for the upstream to resolve)',
      aggregate([
        { name: 'a', to: 'users', path: '/users/{route.param.id}/../../admin' },
        { name: 'b', to: 'orders', path: '/orders//{route.param.id}?q=..' },
        { name: 'c', to: 'orders', path: '/orders/..%2Fadmin' },
      ]),
      [
        `${R}.aggregate.upstreams[0].path: not in normal form (RFC 3986 section 6.2.2): no //, no . or .. segment, no encoded unreserved character`,
        `${R}.aggregate.upstreams[1].path: not in normal form (RFC 3986 section 6.2.2): no //, no . or .. segment, no encoded unreserved character`,
        `${R}.aggregate.upstreams[2].path: no request can have this path: an encoded slash (%2F) in the path`,
      ],
    ],
    [
      'an unknown upstream, or the gateway itself',
      aggregate([
        { name: 'a', to: 'users', path: '/u' },
        { name: 'b', to: 'nope', path: '/o' },
        { name: 'c', to: 'api', path: '/o' },
      ]),
      [`${R}.aggregate.upstreams[1].to: unknown node "nope"`, `${R}.aggregate.upstreams[2].to: "api" cannot send to itself`],
    ],
  ])('refuses %s', (_name, route, errors) => {
    expect(errorsOf(route)).toEqual(errors);
  });

  it(`calls at most ${LIMITS.aggregateUpstreams.max} upstreams`, () => {
    const upstreams = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `u${i}`, to: i % 2 ? 'users' : 'orders', path: '/x' }));
    expect(errorsOf(aggregate(upstreams(20)))).toEqual([]);
    expect(errorsOf(aggregate(upstreams(21)))).toEqual([`${R}.aggregate.upstreams: ${limitMessage(LIMITS.aggregateUpstreams)}`]);
  });
});
