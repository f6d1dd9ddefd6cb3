/**
 * The RateLimit fields parse back with a structured-fields parser and agree with themselves: one item per
 * policy, `a` never above `q`, its `w` never negative, Retry-After on every refusal (rounded up) and only there.
 */
import fc from 'fast-check';
import { parseList, serializeList, type Item } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { compileLimits } from './limit-set.ts';
import { rateLimitFieldWriter, rateLimitPolicyField, retryAfterField } from './ratelimit-fields.ts';
import { decision } from './limiter.ts';
import { timesFrom } from './testing.ts';

describe('RateLimit fields', () => {
  it('writes names as Strings and numbers as Integers, escaping what needs it', () => {
    const policies = [
      { name: 'per-second', quota: 20, windowSeconds: 2 },
      { name: 'say "hi"', quota: 5, windowSeconds: undefined },
    ];
    expect(rateLimitPolicyField(policies)).toBe('"per-second";q=20;w=2, "say \\"hi\\"";q=5;qu="concurrent-requests"');
    const decisions = [decision('token-bucket', true, 20, 7.9, 180.2, 0, 7.9), decision('concurrency', false, 5, 0, 0, 1000, 5)];
    expect(rateLimitFieldWriter(policies)(decisions)).toBe('"per-second";r=7;t=1;a=7;w=1, "say \\"hi\\"";r=0;a=0');
  });

  it('writes exactly what serializeList writes for the same items', () => {
    const name = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name,
            quota: fc.integer({ min: 1, max: 1e9 }),
            overTime: fc.boolean(),
            remaining: fc.double({ min: -5, max: 2e9, noNaN: true }),
            resetMs: fc.double({ min: 0, max: 1e10, noNaN: true }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (items) => {
          const policies = items.map(({ name: n, quota, overTime }) => ({ name: n, quota, windowSeconds: overTime ? 1 : undefined }));
          const decisions = items.map(({ quota, remaining, resetMs }) => decision('fixed-window', true, quota, remaining, resetMs, 0, 0));
          const expected = serializeList(
            items.map(({ name: n, quota, overTime, remaining, resetMs }): Item => {
              const available = Math.max(0, Math.min(quota, Math.floor(remaining)));
              const seconds = Math.max(0, Math.ceil(resetMs / 1000));
              const params = new Map(overTime ? [['r', available], ['t', seconds], ['a', available], ['w', seconds]] : [['r', available], ['a', available]]);
              return [n, params];
            }),
          );
          expect(rateLimitFieldWriter(policies)(decisions)).toBe(expected);
        },
      ),
    );
  });

  it('rounds Retry-After up, and never to 0', () => {
    expect([1, 999, 1000, 1001, 0].map(retryAfterField)).toEqual(['1', '1', '1', '2', '1']);
  });

  const spec: fc.Arbitrary<LimitSpec> = fc.oneof(
    fc.record({
      algorithm: fc.constant('token-bucket' as const),
      rate: fc.integer({ min: 1, max: 20 }),
      burst: fc.integer({ min: 1, max: 20 }),
      key: fc.constant('ip'),
    }),
    fc.record({
      algorithm: fc.constant('leaky-bucket' as const),
      rate: fc.integer({ min: 1, max: 20 }),
      burst: fc.integer({ min: 0, max: 5 }),
      key: fc.constant('ip'),
    }),
    fc.record({
      algorithm: fc.constantFrom('fixed-window' as const, 'sliding-window-log' as const, 'sliding-window-counter' as const),
      limit: fc.integer({ min: 1, max: 10 }),
      window: fc.constantFrom(1000, 60_000, 86_400_000),
      key: fc.constant('ip'),
    }),
    fc.record({
      algorithm: fc.constant('gcra' as const),
      rate: fc.integer({ min: 1, max: 20 }),
      burst: fc.integer({ min: 0, max: 5 }),
      key: fc.constant('ip'),
    }),
    fc.record({ algorithm: fc.constant('concurrency' as const), limit: fc.integer({ min: 1, max: 5 }), key: fc.constant('ip') }),
  );
  const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 })), { minLength: 1, maxLength: 60 });

  it('parse back and agree, on accepted and refused responses alike', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), gaps, (specs, g) => {
        const set = compileLimits(specs.map((s, i) => ({ spec: s, name: `${i}` })));
        const policies = parseList(set.policyField) as Item[];
        expect(policies.map(([name]) => name)).toEqual(specs.map((_, i) => `${i}`));
        for (const now of timesFrom(g)) {
          const outcome = set.decide('127.0.0.1', undefined, {}, 0, now);
          const fields = set.fields(outcome);
          const items = parseList(fields.ratelimit) as Item[];
          expect(items).toHaveLength(specs.length);
          items.forEach(([name, params], i) => {
            const [policyName, policy] = policies[i];
            expect(name).toBe(policyName);
            const q = policy.get('q') as number;
            const r = params.get('r') as number;
            expect(Number.isInteger(r) && r >= 0 && r <= q).toBe(true);
            const w = policy.get('w');
            const t = params.get('t');
            // The -12 names carry the same values.
            expect([params.get('a'), params.get('w')]).toEqual([r, t]);
            // Over time: both w and t; concurrency: neither.
            expect(w === undefined).toBe(t === undefined);
            if (t !== undefined) expect(Number.isInteger(t) && (t as number) >= 0).toBe(true);
          });
          if (outcome.allowed) expect(fields['retry-after']).toBeUndefined();
          else {
            const seconds = Number(fields['retry-after']);
            expect(Number.isInteger(seconds) && seconds >= 1 && seconds * 1000 >= outcome.retryAfterMs).toBe(true);
          }
          set.release(outcome, set.report(outcome, 1).views);
        }
      }),
    );
  });
});
