/** The rateLimit and store fields: the shapes from issue 10 are accepted; every bad input names its field. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../validate.ts';
import { limitList, policyNames } from './rate-limit.ts';

type Fields = Record<string, unknown>;
/** A gateway in front of a service; `route` and `gateway` add fields to its one route and to itself. */
const config = (route: Fields, gateway: Fields = {}) => ({
  version: 1,
  nodes: [
    { id: 'api', kind: 'gateway', routes: [{ match: { path: '/*' }, to: 's', ...route }], ...gateway },
    { id: 's', kind: 'service' },
  ],
  traffic: [{ to: 'api', rate: 1 }],
});
const errorsOf = (input: unknown) => {
  const result = validateConfig(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};
const ROUTE = 'nodes[0].routes[0].rateLimit';

describe('rateLimit', () => {
  it.each<[string, unknown]>([
    ['a token bucket (issue 10)', { algorithm: 'token-bucket', rate: 10, burst: 20, key: 'consumer' }],
    ['a fixed window (issue 10)', { algorithm: 'fixed-window', limit: 100, window: '1m', key: 'ip' }],
    ['nginx limit_req (issue 10)', { algorithm: 'leaky-bucket', rate: 10, burst: 5, nodelay: true, key: 'ip' }],
    ['leaky-bucket with delay', { algorithm: 'leaky-bucket', rate: 0.5, burst: 5, delay: 2 }],
    ['a slow leaky bucket with a big burst and nodelay', { algorithm: 'leaky-bucket', rate: 0.001, burst: 3000, nodelay: true }],
    [
      'per second and per day',
      [
        { algorithm: 'gcra', rate: 5, burst: 10, name: 'per-second' },
        { algorithm: 'sliding-window-counter', limit: 10_000, window: '1d', name: 'per-day' },
      ],
    ],
    [
      'a header key, a route key, a global one',
      [
        { algorithm: 'concurrency', limit: 5, key: 'header:X-Api-Key' },
        { algorithm: 'sliding-window-log', limit: 10, window: '1s', key: 'route' },
        { algorithm: 'fixed-window', limit: 1000, window: '1h', key: 'global', maxKeys: 10 },
      ],
    ],
  ])('accepts %s, on a route or on the gateway', (_what, rateLimit) => {
    expect(errorsOf(config({ rateLimit }))).toEqual([]);
    expect(errorsOf(config({}, { rateLimit }))).toEqual([]);
  });

  it('defaults the key to ip, and lists one limit or several alike', () => {
    const result = validateConfig(config({ rateLimit: { algorithm: 'gcra', rate: 1 } }));
    expect(result.ok).toBe(true);
    const gateway = result.ok ? result.config.nodes[0] : undefined;
    const routeLimit = gateway?.kind === 'gateway' ? gateway.routes[0].rateLimit : undefined;
    expect(limitList(routeLimit)).toEqual([{ algorithm: 'gcra', rate: 1, key: 'ip' }]);
    expect(limitList(undefined)).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    [
      'an unknown algorithm (the ids listed)',
      { algorithm: 'token-buckets', rate: 10 },
      `${ROUTE}.algorithm: expected one of "token-bucket", "leaky-bucket", "fixed-window", "sliding-window-log", "sliding-window-counter", "gcra", "concurrency"; did you mean "token-bucket"?`,
    ],
    [
      'a rate of 0',
      { algorithm: 'token-bucket', rate: 0 },
      `${ROUTE}.rate: at least 0.001 requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`,
    ],
    [
      'a negative rate',
      { algorithm: 'gcra', rate: -1 },
      `${ROUTE}.rate: at least 0.001 requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`,
    ],
    [
      'a rate too small for nginx',
      { algorithm: 'leaky-bucket', rate: 0.0001 },
      `${ROUTE}.rate: at least 0.001 requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`,
    ],
    // 1e-300 could not be applied (its window past a structured-field integer); 5e-324 let every request through.
    [
      'a gcra rate too small to state its window',
      { algorithm: 'gcra', rate: 1e-300 },
      `${ROUTE}.rate: at least 0.001 requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`,
    ],
    [
      'a token-bucket rate that is almost 0',
      { algorithm: 'token-bucket', rate: 5e-324 },
      `${ROUTE}.rate: at least 0.001 requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`,
    ],
    [
      'a leaky bucket whose last excess request would wait past a timer',
      { algorithm: 'leaky-bucket', rate: 0.001, burst: 3000, delay: 500 },
      `${ROUTE}.burst: a full burst would make its last request wait 2500000s ((burst - delay) / rate), too long: at most 2147483647ms (24.8 days), the longest a timer can hold; lower burst, raise rate, or set nodelay`,
    ],
    ['a limit of 0', { algorithm: 'fixed-window', limit: 0, window: '1m' }, `${ROUTE}.limit: must be at least 1`],
    ['a burst below 0', { algorithm: 'leaky-bucket', rate: 10, burst: -1 }, `${ROUTE}.burst: must not be below 0`],
    [
      'an empty token bucket',
      { algorithm: 'token-bucket', rate: 10, burst: 0 },
      `${ROUTE}.burst: a token bucket needs room for at least 1 token`,
    ],
    [
      'delay with nodelay',
      { algorithm: 'leaky-bucket', rate: 10, burst: 5, nodelay: true, delay: 2 },
      `${ROUTE}.delay: delay and nodelay: give one (nodelay lets every excess request go at once)`,
    ],
    ['a window of 0', { algorithm: 'sliding-window-counter', limit: 5, window: 0 }, `${ROUTE}.window: must be longer than 0`],
    [
      'a window that is no duration',
      { algorithm: 'fixed-window', limit: 5, window: 'daily' },
      `${ROUTE}.window: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "daily"`,
    ],
    ['a window on a token bucket', { algorithm: 'token-bucket', rate: 10, window: '1m' }, `${ROUTE}.window: unknown key`],
    ['a rate on a window', { algorithm: 'fixed-window', limit: 5, window: '1s', rate: 3 }, `${ROUTE}.rate: unknown key`],
    ['nodelay on a token bucket', { algorithm: 'token-bucket', rate: 10, nodelay: true }, `${ROUTE}.nodelay: unknown key`],
    [
      'a key of another form',
      { algorithm: 'gcra', rate: 1, key: 'cookie:session' },
      `${ROUTE}.key: expected ip, consumer, header:NAME, route, global (NAME a header name)`,
    ],
    [
      'a header key with an invalid name',
      { algorithm: 'gcra', rate: 1, key: 'header:x api' },
      `${ROUTE}.key: expected ip, consumer, header:NAME, route, global (NAME a header name)`,
    ],
    [
      'a name that is not printable ASCII',
      { algorithm: 'gcra', rate: 1, name: 'per\nsecond' },
      `${ROUTE}.name: expected printable ASCII (it is sent as a structured-field String)`,
    ],
    [
      'too many keys',
      { algorithm: 'gcra', rate: 1, maxKeys: 1_000_001 },
      `${ROUTE}.maxKeys: at most 1000000 keys one rate limit holds (maxKeys): each key held costs memory until it is idle or evicted, and a flood of distinct keys fills them all`,
    ],
    [
      'a sliding log too big to keep',
      { algorithm: 'sliding-window-log', limit: 1000, window: '1m', maxKeys: 10_000 },
      `${ROUTE}.maxKeys: limit × maxKeys is 10000000; at most 1000000 request times a sliding-window-log keeps (its limit × maxKeys): the log keeps every accepted request in the window for every key it holds (a sliding-window-counter keeps 3 numbers a key instead)`,
    ],
    ['an empty list', [], `${ROUTE}: give at least one limit, or leave rateLimit out`],
    [
      'a bad item in a list',
      [
        { algorithm: 'gcra', rate: 1 },
        { algorithm: 'gcra', rate: 'fast' },
      ],
      `${ROUTE}[1].rate: expected a number, got "fast"`,
    ],
  ])('refuses %s', (_what, rateLimit, error) => {
    expect(errorsOf(config({ rateLimit }))).toEqual([error]);
  });

  it('refuses two policies of the same name on one request: each is one RateLimit item', () => {
    expect(
      errorsOf(
        config(
          {
            rateLimit: [
              { algorithm: 'gcra', rate: 1, name: 'a' },
              { algorithm: 'gcra', rate: 2, name: 'gateway-0' },
            ],
          },
          { rateLimit: { algorithm: 'gcra', rate: 1 } },
        ),
      ),
    ).toEqual([
      `${ROUTE}[1].name: policy name "gateway-0" is already used by the gateway's rateLimit; each limit on a request needs its own name`,
    ]);
    expect(
      errorsOf(
        config(
          {},
          {
            rateLimit: [
              { algorithm: 'gcra', rate: 1, name: 'x' },
              { algorithm: 'gcra', rate: 2, name: 'x' },
            ],
          },
        ),
      ),
    ).toEqual([
      `nodes[0].rateLimit[1].name: policy name "x" is already used by the gateway's rateLimit[0]; each limit on a request needs its own name`,
    ]);
    // Policy names compare without case (as a proposal for the draft has it: "daily", "DAILY" name one policy).
    expect(
      errorsOf(
        config(
          {},
          {
            rateLimit: [
              { algorithm: 'gcra', rate: 1, name: 'Daily' },
              { algorithm: 'gcra', rate: 2, name: 'dAILY' },
            ],
          },
        ),
      ),
    ).toEqual([
      `nodes[0].rateLimit[1].name: policy name "dAILY" is already used by the gateway's rateLimit[0] ("Daily": names compare without case); each limit on a request needs its own name`,
    ]);
    expect(
      policyNames(
        [{ algorithm: 'gcra', rate: 1, key: 'ip' }],
        [
          { algorithm: 'gcra', rate: 1, key: 'ip' },
          { algorithm: 'gcra', rate: 1, key: 'ip', name: 'n' },
        ],
      ),
    ).toEqual(['gateway-0', 'route-0', 'n']);
  });
});

describe('store', () => {
  it('takes a Redis URL and a failure policy (open by default)', () => {
    const result = validateConfig(config({}, { store: { redis: 'rediss://cache.internal:6380' } }));
    expect(result.ok && result.config.nodes[0].kind === 'gateway' && result.config.nodes[0].store).toEqual({
      redis: 'rediss://cache.internal:6380',
      onStoreError: 'open',
      timeout: 100,
    });
    expect(errorsOf(config({}, { store: { redis: 'redis://127.0.0.1', onStoreError: 'closed' } }))).toEqual([]);
  });

  it('keeps only the algorithms the store runs: a log or a concurrency limit stays per instance, so it is refused', () => {
    const store = { redis: 'redis://127.0.0.1:6379' };
    expect(
      errorsOf(
        config(
          {
            rateLimit: [
              { algorithm: 'gcra', rate: 1 },
              { algorithm: 'concurrency', limit: 2 },
            ],
          },
          { store, rateLimit: { algorithm: 'sliding-window-log', limit: 5, window: '1s' } },
        ),
      ),
    ).toEqual([
      'nodes[0].rateLimit.algorithm: sliding-window-log is not kept in the shared store; with store, use token-bucket, leaky-bucket, fixed-window, sliding-window-counter, gcra',
      'nodes[0].routes[0].rateLimit[1].algorithm: concurrency is not kept in the shared store; with store, use token-bucket, leaky-bucket, fixed-window, sliding-window-counter, gcra',
    ]);
  });

  it.each<[string, unknown, string]>([
    ['another scheme', { redis: 'http://127.0.0.1:6379' }, 'nodes[0].store.redis: expected a redis: or rediss: URL, got http:'],
    ['no URL at all', { redis: 'localhost:6379' }, 'nodes[0].store.redis: expected a redis: or rediss: URL, got localhost:'],
    ['not a URL', { redis: 'redis://' }, 'nodes[0].store.redis: expected a host: redis://HOST:PORT'],
    ['a password', { redis: 'redis://:secret@127.0.0.1:6379' }, 'nodes[0].store.redis: no user or password in the URL'],
    [
      'a database path',
      { redis: 'redis://127.0.0.1:6379/2' },
      'nodes[0].store.redis: only a scheme, a host and a port: no path, database, query or fragment',
    ],
    ['a bad port', { redis: 'redis://127.0.0.1:99999' }, 'nodes[0].store.redis: expected redis://HOST:PORT, got "redis://127.0.0.1:99999"'],
    [
      'a policy of another name',
      { redis: 'redis://127.0.0.1', onStoreError: 'maybe' },
      'nodes[0].store.onStoreError: expected one of "open", "closed"',
    ],
    ['another field', { redis: 'redis://127.0.0.1', db: 2 }, 'nodes[0].store.db: unknown key'],
    ['a timeout of 0', { redis: 'redis://127.0.0.1', timeout: 0 }, 'nodes[0].store.timeout: must be longer than 0'],
  ])('refuses %s', (_what, store, error) => {
    expect(errorsOf(config({}, { store }))).toEqual([error]);
  });
});
