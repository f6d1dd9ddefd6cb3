/** A filter's timeouts as the listener's: headers is headersTimeout, headers + body is requestTimeout, checked often enough to fire. */
import { describe, expect, it } from 'vitest';
import { FilterSchema } from '../../config/proxy/filter.ts';
import { listenerTimeoutsOf } from './listener-timeouts.ts';

const DEFAULTS = { headersMs: 60_000, requestMs: 60_000, checkEveryMs: 30_000 };
const of = (timeouts: unknown) => listenerTimeoutsOf(FilterSchema.parse({ timeouts }), DEFAULTS);

describe('listenerTimeoutsOf', () => {
  it.each<[string, unknown, typeof DEFAULTS]>([
    ['none', undefined, DEFAULTS],
    ['headers and body', { headers: '10s', body: '30s' }, { headersMs: 10_000, requestMs: 40_000, checkEveryMs: 2_500 }],
    ['headers only: the request keeps the default', { headers: '2s' }, { headersMs: 2_000, requestMs: 60_000, checkEveryMs: 500 }],
    ['headers above the default request time', { headers: '90s' }, { headersMs: 90_000, requestMs: 90_000, checkEveryMs: 22_500 }],
    ['body only', { body: '5s' }, { headersMs: 60_000, requestMs: 65_000, checkEveryMs: 15_000 }],
    ['a tiny headers timeout', { headers: 20 }, { headersMs: 20, requestMs: 60_000, checkEveryMs: 10 }],
  ])('%s', (_what, timeouts, expected) => {
    expect(of(timeouts)).toEqual(expected);
  });

  it('leaves a node without a filter on its defaults', () => {
    expect(listenerTimeoutsOf(undefined, DEFAULTS)).toBe(DEFAULTS);
  });
});
