/**
 * Throttling on a gateway: `rateLimit` on a route or on the whole gateway (one limit or a list), and
 * where limiter state lives (`store`). Extend, never rename (ARCHITECTURE.md): the shape is in issue 10.
 *
 *   rateLimit: { algorithm: token-bucket, rate: 10, burst: 20, key: consumer }      # rate per second
 *   rateLimit: { algorithm: fixed-window, limit: 100, window: 1m, key: ip }
 *   rateLimit: { algorithm: leaky-bucket, rate: 10, burst: 5, nodelay: true, key: ip }   # nginx limit_req
 *   rateLimit: [{ algorithm: gcra, rate: 5, burst: 10 }, { algorithm: fixed-window, limit: 10000, window: 1d }]
 *
 * Each algorithm takes only its own fields (a `window` on a token bucket is an error naming it). Keys:
 * `ip`, `consumer` (falls back to the client address without one, as Kong does), `header:NAME` (falls
 * back likewise when the header is missing), `route`, `global`.
 */
import { z } from 'zod';
import { LIMITER_IDS, SHARED_ALGORITHMS } from '../../gateway/limiters/limiter-ids.ts';
import { Duration, durationLimitError, formatDuration } from '../duration.ts';
import { limitedArray, limitedString } from '../fields.ts';
import { LIMITS, limitMessage } from '../limits.ts';
import type { GatewayShape } from './shape.ts';

/** How a config may write a limit's key. */
export const LIMIT_KEY_FORMS = ['ip', 'consumer', 'header:NAME', 'route', 'global'] as const;
/** A header name is an RFC 9110 token. */
export const LIMIT_KEY = /^(ip|consumer|route|global|header:([!#$%&'*+.^_`|~0-9A-Za-z-]+))$/;

/** Request times all keys of one sliding-window-log may hold together (its limit × maxKeys). */
export const WINDOW_LOG_ENTRIES = LIMITS.windowLogEntries.max;

const MAX_RATE = 1_000_000;
const MAX_COUNT = 1_000_000_000;
/**
 * nginx keeps rates in thousandths; a slower rate made the window (quota / rate seconds) too long to
 * state: a gcra at 1e-300 could not be applied (RateLimit-Policy's `w` past what a structured-field
 * integer holds), and at 5e-324 its period was Infinity, so it let every request through.
 */
const MIN_RATE = 0.001;

const Rate = z
  .number()
  .min(MIN_RATE, `at least ${MIN_RATE} requests a second (3.6 an hour; for fewer, a fixed-window limit with a window of 1h or 1d)`)
  .max(MAX_RATE, `at most ${MAX_RATE} requests a second`)
  .meta({ description: 'requests a second (0.5 is 30 a minute; at least 0.001)' });
const Burst = z.number().int().min(0, 'must not be below 0').max(MAX_RATE, `at most ${MAX_RATE}`);
const Limit = z.number().int().min(1, 'must be at least 1').max(MAX_COUNT, `at most ${MAX_COUNT}`);
const Window = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' }).meta({
  description: 'the window: 1s, 1m, 1h, 1d (aligned to the clock: a 1m window starts on the minute)',
});

/** What every limit takes besides its algorithm's own fields. */
const Common = {
  key: z
    .string()
    .regex(LIMIT_KEY, `expected ${LIMIT_KEY_FORMS.join(', ')} (NAME a header name)`)
    .default('ip')
    .meta({ description: `whose requests count together: ${LIMIT_KEY_FORMS.join(', ')} (default ip)` }),
  name: limitedString(LIMITS.nameLength)
    .regex(/^[\x20-\x7e]+$/, 'expected printable ASCII (it is sent as a structured-field String)')
    .optional()
    .meta({ description: 'the policy name in RateLimit-Policy and RateLimit ("per-second"); default gateway-N or route-N' }),
  maxKeys: z
    .number()
    .int()
    .min(1)
    .max(LIMITS.limiterKeys.max, limitMessage(LIMITS.limiterKeys))
    .optional()
    .meta({ description: 'the most keys held at once; the least recently used goes first (default 100000)' }),
};

const TokenBucketLimit = z.strictObject({
  algorithm: z.literal('token-bucket'),
  rate: Rate,
  burst: Burst.min(1, 'a token bucket needs room for at least 1 token')
    .optional()
    .meta({ description: 'bucket size (default: one second of tokens)' }),
  ...Common,
});

const LeakyBucketLimit = z
  .strictObject({
    algorithm: z.literal('leaky-bucket'),
    rate: Rate,
    burst: Burst.optional().meta({ description: 'excess requests held beyond the rate (nginx burst, default 0)' }),
    nodelay: z.boolean().optional().meta({ description: 'excess requests go at once instead of waiting (nginx nodelay)' }),
    delay: Burst.optional().meta({ description: 'excess requests that go at once; the rest wait (nginx delay=N, default 0)' }),
    ...Common,
  })
  .superRefine((limit, ctx) => {
    if (limit.nodelay && limit.delay !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['delay'],
        message: 'delay and nodelay: give one (nodelay lets every excess request go at once)',
      });
    // The last excess request of a full burst waits (burst - delay) / rate seconds, on one timer.
    const longestWaitMs = limit.nodelay ? 0 : (((limit.burst ?? 0) - (limit.delay ?? 0)) / limit.rate) * 1000;
    const tooLong = durationLimitError(longestWaitMs);
    if (tooLong)
      ctx.addIssue({
        code: 'custom',
        path: ['burst'],
        message: `a full burst would make its last request wait ${formatDuration(Math.ceil(longestWaitMs))} ((burst - delay) / rate), ${tooLong}; lower burst, raise rate, or set nodelay`,
      });
  });

const windowLimit = <Id extends 'fixed-window' | 'sliding-window-log' | 'sliding-window-counter'>(algorithm: Id) =>
  z.strictObject({ algorithm: z.literal(algorithm), limit: Limit, window: Window, ...Common });

const SlidingLogLimit = windowLimit('sliding-window-log').superRefine((limit, ctx) => {
  const keys = limit.maxKeys ?? 1;
  if (limit.limit * keys > WINDOW_LOG_ENTRIES)
    ctx.addIssue({
      code: 'custom',
      path: [limit.maxKeys === undefined ? 'limit' : 'maxKeys'],
      message: `limit × maxKeys is ${limit.limit * keys}; ${limitMessage(LIMITS.windowLogEntries)} (a sliding-window-counter keeps 3 numbers a key instead)`,
    });
});

const GcraLimit = z.strictObject({
  algorithm: z.literal('gcra'),
  rate: Rate,
  burst: Burst.optional().meta({ description: 'requests allowed at once beyond the first (default 0)' }),
  ...Common,
});

const ConcurrencyLimit = z.strictObject({
  algorithm: z.literal('concurrency'),
  limit: Limit.meta({ description: 'requests in flight at once' }),
  ...Common,
});

/** One limit: its algorithm and that algorithm's fields. */
export const LimitSpecSchema = z.discriminatedUnion('algorithm', [
  TokenBucketLimit,
  LeakyBucketLimit,
  windowLimit('fixed-window'),
  SlidingLogLimit,
  windowLimit('sliding-window-counter'),
  GcraLimit,
  ConcurrencyLimit,
]);
export type LimitSpec = z.output<typeof LimitSpecSchema>;

/** One limit or several; a request passes only if every one lets it. */
export const RateLimitSchema = z
  .union([LimitSpecSchema, limitedArray(LimitSpecSchema, LIMITS.listItems).min(1, 'give at least one limit, or leave rateLimit out')])
  .meta({ description: `one limit or a list (all must pass): algorithm is one of ${LIMITER_IDS.join(', ')}` });
export type RateLimitConfig = z.output<typeof RateLimitSchema>;

/** Where limiter state lives: in memory by default; Redis so several gateways share one limit. */
export const StoreSchema = z
  .strictObject({
    redis: z
      .string()
      .superRefine((url, ctx) => {
        const problem = redisUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'redis://HOST:PORT or rediss://HOST:PORT (TLS); nothing else in the URL' }),
    onStoreError: z
      .enum(['open', 'closed'])
      .default('open')
      .meta({ description: 'when the store is unreachable: open lets requests pass (default, as Kong and Envoy), closed refuses them' }),
    timeout: Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' })
      .default(100)
      .meta({ description: 'the longest a request waits for the store before onStoreError answers (default 100ms)' }),
  })
  .meta({ description: 'shared limiter state; without it each gateway keeps its own in memory' });
export type StoreConfig = z.output<typeof StoreSchema>;

/** Why `url` is not a Redis URL the store takes (scheme, host, port, nothing else), or undefined. */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `expected redis://HOST:PORT, got ${JSON.stringify(url.slice(0, 100))}`;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return `expected a redis: or rediss: URL, got ${parsed.protocol}`;
  if (parsed.hostname === '') return 'expected a host: redis://HOST:PORT';
  if (parsed.username || parsed.password) return 'no user or password in the URL';
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.hash)
    return 'only a scheme, a host and a port: no path, database, query or fragment';
  return undefined;
}

/** The gateway's own fields: a gateway-wide `rateLimit`, the limiter `store`. */
export const GatewayLimitFields = {
  rateLimit: RateLimitSchema.optional().meta({ description: 'limits on every request to the gateway, before the route limits' }),
  store: StoreSchema.optional(),
};

/** A route's fields: `rateLimit`. */
export const RouteLimitFields = {
  rateLimit: RateLimitSchema.optional(),
};

/** A limit list as an array, whichever way the config wrote it. */
export function limitList(rateLimit: RateLimitConfig | undefined): LimitSpec[] {
  if (rateLimit === undefined) return [];
  return Array.isArray(rateLimit) ? rateLimit : [rateLimit];
}

/** The policy names in force on a route: the gateway's limits then the route's, each named or numbered. */
export function policyNames(gatewayLimits: readonly LimitSpec[], routeLimits: readonly LimitSpec[]): string[] {
  return [...gatewayLimits.map((limit, i) => limit.name ?? `gateway-${i}`), ...routeLimits.map((limit, i) => limit.name ?? `route-${i}`)];
}

/** Checks across the gateway: the policies that apply to one request have distinct names (one RateLimit item each). */
export function checkGatewayLimits(gateway: GatewayShape, ctx: z.RefinementCtx): void {
  if (gateway.store !== undefined) checkShared(gateway, ctx);
  const gatewayLimits = limitList(gateway.rateLimit as RateLimitConfig | undefined);
  const gatewayNames = policyNames(gatewayLimits, []);
  const place = (field: unknown, prefix: Array<string | number>, index: number) => [...prefix, ...(Array.isArray(field) ? [index] : [])];
  gatewayNames.forEach((name, i) => {
    const first = firstSame(gatewayNames, i);
    if (first !== i)
      duplicateName(
        ctx,
        [...place(gateway.rateLimit, ['rateLimit'], i), 'name'],
        name,
        gatewayNames[first],
        `the gateway's ${formatPlace(place(gateway.rateLimit, ['rateLimit'], first))}`,
      );
  });
  gateway.routes.forEach((route, r) => {
    const names = policyNames(gatewayLimits, limitList(route.rateLimit as RateLimitConfig | undefined));
    for (let i = gatewayLimits.length; i < names.length; i++) {
      const first = firstSame(names, i);
      if (first === i) continue;
      const earlier =
        first < gatewayLimits.length
          ? `the gateway's ${formatPlace(place(gateway.rateLimit, ['rateLimit'], first))}`
          : formatPlace(place(route.rateLimit, ['routes', r, 'rateLimit'], first - gatewayLimits.length));
      duplicateName(
        ctx,
        [...place(route.rateLimit, ['routes', r, 'rateLimit'], i - gatewayLimits.length), 'name'],
        names[i],
        names[first],
        earlier,
      );
    }
  });
}

/**
 * The first name in `names` that identifies the same policy as `names[i]`: a proposal in the draft's
 * editors' copy compares policy identifiers without case ("daily", "DAILY" and "daily" as a Token are one policy, and a
 * server must not send two items of one policy), so the check does too.
 */
function firstSame(names: readonly string[], i: number): number {
  const name = names[i].toLowerCase();
  return names.findIndex((other) => other.toLowerCase() === name);
}

/** With a shared store every limit is kept there, so each must be one the store runs. */
function checkShared(gateway: GatewayShape, ctx: z.RefinementCtx): void {
  const check = (rateLimit: unknown, path: Array<string | number>) =>
    limitList(rateLimit as RateLimitConfig | undefined).forEach((limit, i) => {
      if ((SHARED_ALGORITHMS as readonly string[]).includes(limit.algorithm)) return;
      ctx.addIssue({
        code: 'custom',
        path: [...path, ...(Array.isArray(rateLimit) ? [i] : []), 'algorithm'],
        message: `${limit.algorithm} is not kept in the shared store; with store, use ${SHARED_ALGORITHMS.join(', ')}`,
      });
    });
  check(gateway.rateLimit, ['rateLimit']);
  gateway.routes.forEach((route, r) => check(route.rateLimit, ['routes', r, 'rateLimit']));
}

function duplicateName(ctx: z.RefinementCtx, path: Array<string | number>, name: string, used: string, earlier: string): void {
  const caseOnly = used === name ? '' : ` ("${used}": names compare without case)`;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `policy name "${name}" is already used by ${earlier}${caseOnly}; each limit on a request needs its own name`,
  });
}

/** `routes[1].rateLimit[0]`, as an error path reads. */
function formatPlace(path: Array<string | number>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}
