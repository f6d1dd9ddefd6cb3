/**
 * The config: one zod definition from which parsing, the error paths and the shipped JSON Schema all
 * come. This is a user-facing contract (ARCHITECTURE.md): extend it, never rename without a migration.
 * Objects are strict, so a misspelt key is an error that names it, not a silent default.
 */
import { z } from 'zod';
import { HASH_KEY_FORMS, isHashKey } from '../balancer/hash-key.ts';
import { L4_PICKERS } from '../balancer/picker-ids.ts';
import { NGINX_POINTS } from '../balancer/pickers/consistent-hash.ts';
import { factoryOptions, KEYED_PICKERS, PICKER_IDS, PICKER_OPTIONS, PICKERS } from '../balancer/pickers/index.ts';
import { FAILURE_KINDS } from '../pipeline/retries/failure-kind.ts';
import { MAX_RESPONSE_SIZE } from '../service/service-body.ts';
import { isTrustEntry } from '../pipeline/real-ip.ts';
import { compilePath, usesKey } from '../traffic/paths.ts';
import { generatorFieldProblem, headerValueProblem, methodProblem, METHODS_WITHOUT_BODY, requestHeaderProblems } from '../traffic/request-rules.ts';
import { Scenario } from '../faults/spec.ts';
import { Duration, durationLimitError, formatDuration } from './duration.ts';
import { capacitySpec, EDGE_CAPACITY_CODES, SERVICE_CAPACITY_CODES } from './capacity.ts';
import { byteSize, limitedArray, limitedString, PathSpec, shownText } from './fields.ts';
import { GatewayAuthFields, RouteAuthFields, TrafficAuth, checkGatewayAuth } from './gateway/auth.ts';
import { GatewayLimitFields, RouteLimitFields, checkGatewayLimits } from './gateway/rate-limit.ts';
import { RouteForwardFields, RouteMatch, checkGatewayRoutes } from './gateway/route-match.ts';
import { RouteTransformFields, checkGatewayTransforms } from './gateway/transform.ts';
import { TrafficConditionalFields } from './traffic/conditional.ts';
import { checkTrafficFailover, TrafficFailoverFields } from './traffic/failover.ts';
import { ProxyCompressionFields } from './proxy/compression.ts';
import { ProxyFilterFields } from './proxy/filter.ts';
import { checkProxyTls, ProxyTlsFields, TrafficConnectionFields } from './proxy/tls.ts';
import { LIMITS, limitMessage } from './limits.ts';
import { LayoutHints } from './layout-hints.ts';
import { ProxyCacheFields } from './proxy/cache.ts';
import { NODE_ID, Upstream } from './upstream.ts';

export { NODE_KINDS, type NodeKind } from './node-kinds.ts';

/** Re-exported from duration.ts, where the fault schemas take it from without importing this module (no cycle). */
export { Duration };

export const Port = z.number().int().min(0).max(65535).meta({ description: 'TCP port on 127.0.0.1; 0 picks a free one' });

/** Re-exported from upstream.ts, where URL upstreams are checked and kept as their origins. */
export { Upstream };

/**
 * The distributions of one latency: uniform, normal or log-normal. A mix is made of these. Told apart by
 * `distribution` (a discriminated union), so a wrong field is named as one of the distribution written:
 * `{ distribution: normal, mean: 10ms, stdev: 5ms }` was "distribution: expected uniform; min: required".
 */
const SingleDistributions = [
  z
    .strictObject({ distribution: z.literal('uniform'), min: Duration, max: Duration })
    .refine((uniform) => uniform.min <= uniform.max, { path: ['max'], message: 'must not be below min' }),
  z.strictObject({ distribution: z.literal('normal'), mean: Duration, stddev: Duration }),
  z.strictObject({
    distribution: z.literal('lognormal'),
    median: Duration,
    sigma: z.number().positive().max(4).meta({ description: 'spread of the underlying normal; 0.5 is a moderate tail' }),
  }),
] as const;

/** A long tail: each request draws one part by weight, then a latency from that part's distribution. */
const LatencyMixSpec = z
  .strictObject({
    distribution: z.literal('mix'),
    of: z
      .array(
        z.strictObject({
          weight: z.number().positive().meta({ description: 'relative share of requests drawn from this part (any positive number)' }),
          latency: z
            .union([Duration, z.discriminatedUnion('distribution', [...SingleDistributions])])
            .meta({ description: 'a fixed duration or a uniform, normal or lognormal distribution (not a mix)' }),
        }),
      )
      .min(1, 'a mix needs at least one part')
      .max(LIMITS.listItems.max, limitMessage(LIMITS.listItems)),
  })
  .meta({
    description:
      'long tail: { distribution: mix, of: [{ weight: 99, latency: 20ms }, { weight: 1, latency: { distribution: lognormal, median: 800ms, sigma: 0.5 } }] }',
  });

export const LatencySpec = z.union([
  Duration,
  z.discriminatedUnion('distribution', [...SingleDistributions, LatencyMixSpec]),
]);

const Timeouts = z.strictObject({
  connect: Duration.optional().meta({ description: 'time to open a connection to the upstream (default 1s)' }),
  response: Duration.optional().meta({ description: 'time to the upstream response headers (default 10s)' }),
});

/** What is wrong with an id, and the id meant when it differs only by case or by spaces (`Users 1` is `users-1`). */
function nodeIdProblem(written: unknown): string {
  const meant = typeof written === 'string' ? written.trim().toLowerCase().replace(/[\s_]+/g, '-') : '';
  const hint = NODE_ID.test(meant) ? `; did you mean "${meant}"?` : '';
  return `expected lowercase letters, digits and dashes, starting with a letter, got ${JSON.stringify(written)}${hint}`;
}

const NodeBase = {
  id: limitedString(LIMITS.idLength).regex(NODE_ID, { error: (issue) => nodeIdProblem(issue.input) }),
  listen: Port.default(0),
  label: shownText(z.string().max(60)).optional(),
};

/** What every forwarding node takes: its timeouts, and a capacity (config/capacity.ts) applied before its stages. */
const ForwardingBase = { ...NodeBase, timeouts: Timeouts.optional(), capacity: capacitySpec(EDGE_CAPACITY_CODES).optional() };

export const ProxyNode = z
  .strictObject({
    ...ForwardingBase,
    kind: z.literal('proxy'),
    to: Upstream,
    ...ProxyFilterFields,
    ...ProxyCacheFields,
    ...ProxyCompressionFields,
    ...ProxyTlsFields,
  })
  .superRefine(checkProxyTls);

export { RouteMatch };

/** A gateway route: what it matches and where it sends it; auth, limits and transforms add their fields from config/gateway/. */
export const Route = z.strictObject({
  match: RouteMatch,
  to: Upstream.optional().meta({ description: 'the node or URL the route sends to (a route gives `to` or `aggregate`)' }),
  stripPrefix: PathSpec.optional(),
  ...RouteForwardFields,
  ...RouteAuthFields,
  ...RouteLimitFields,
  ...RouteTransformFields,
});

export const GatewayNode = z
  .strictObject({
    ...ForwardingBase,
    kind: z.literal('gateway'),
    routes: limitedArray(Route, LIMITS.routes).min(1, 'a gateway needs at least one route'),
    ...GatewayAuthFields,
    ...GatewayLimitFields,
  })
  .superRefine((gateway, ctx) => {
    checkGatewayRoutes(gateway, ctx);
    checkGatewayAuth(gateway, ctx);
    checkGatewayLimits(gateway, ctx);
    checkGatewayTransforms(gateway, ctx);
  });

export const Target = z.union([
  Upstream,
  z.strictObject({
    to: Upstream,
    weight: z.number().int().min(1).max(1000).default(1),
    backup: z.boolean().optional().meta({ description: 'used only when no primary target is eligible (nginx `backup`)' }),
    drain: z.boolean().optional().meta({ description: 'takes no new requests; those in flight finish' }),
  }),
]);

const HTTP_METHOD = z.string().regex(/^[A-Z]+$/, 'expected an upper-case HTTP method');
const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

/** Active health checks: a GET of `path` to every target each `interval`. */
const HealthCheckSpec = z
  .strictObject({
    path: PathSpec.default('/health'),
    interval: PositiveDuration.default(2_000).meta({ description: 'time between checks of a target (default 2s)' }),
    timeout: PositiveDuration.default(1_000).meta({ description: 'a check not answered in this time fails (default 1s)' }),
    rise: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .meta({ description: 'passed checks in a row that bring an unhealthy target back (default 2)' }),
    fall: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .meta({ description: 'failed checks in a row that take a healthy target out (default 3)' }),
  })
  .meta({ description: 'active health checks (HAProxy-style rise/fall); a 2xx or 3xx passes; targets start healthy' });

/** Passive health checks on live traffic (Envoy outlier detection). */
const OutlierDetectionSpec = z
  .strictObject({
    consecutiveFailures: z
      .number()
      .int()
      .min(0)
      .default(5)
      .meta({
        description: 'failures in a row (connect error, reset, timeout, 5xx) that eject a target; 0 turns this rule off (default 5)',
      }),
    failureRate: z
      .strictObject({
        percent: z.number().min(1).max(100).default(85).meta({ description: 'failure share that ejects, in percent (default 85)' }),
        minRequests: z
          .number()
          .int()
          .min(1)
          .default(50)
          .meta({ description: 'requests the window must hold before the rate counts (default 50)' }),
        window: PositiveDuration.default(10_000).meta({ description: 'sliding window (default 10s)' }),
      })
      .optional()
      .meta({ description: 'eject a target whose failure rate in a window reaches a threshold; off when absent' }),
    baseEjectionTime: PositiveDuration.default(30_000).meta({ description: 'an ejection lasts this × the times ejected (default 30s)' }),
    maxEjectionTime: Duration.default(300_000).meta({ description: 'the longest ejection (default 300s)' }),
    maxEjectionPercent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .meta({ description: 'no ejection while this share of targets is already ejected; one target may always be (default 10)' }),
  })
  .meta({ description: 'passive detection: eject a failing target for a while (Envoy outlier detection)' });

const CircuitBreakerSpec = z
  .strictObject({
    consecutiveFailures: z.number().int().min(1).default(5).meta({ description: 'failures in a row that open the circuit (default 5)' }),
    coolDown: Duration.default(10_000).meta({
      description: 'how long an open circuit refuses requests before it half-opens (default 10s)',
    }),
    trialRequests: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .meta({ description: 'trial requests a half-open circuit admits; all must succeed to close it (default 1)' }),
  })
  .meta({ description: 'a circuit breaker per target: closed, open, half-open' });

const RetriesSpec = z
  .strictObject({
    tries: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(2)
      .meta({ description: 'tries in all, the first included (nginx proxy_next_upstream_tries; default 2)' }),
    on: z
      .array(z.enum(FAILURE_KINDS))
      .min(1, `list at least one of ${FAILURE_KINDS.join(', ')} (or leave on out: all of them)`)
      .max(LIMITS.listItems.max, limitMessage(LIMITS.listItems))
      .default([...FAILURE_KINDS])
      .meta({ description: 'failures that are retried (default all: connect-error, reset, timeout, 5xx)' }),
    methods: z
      .array(HTTP_METHOD)
      .max(LIMITS.listItems.max, limitMessage(LIMITS.listItems))
      .default(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
      .meta({
        description:
          'methods retried once the request may have reached the target (idempotent ones by default); a connect error is retried for any method',
      }),
    perTryTimeout: PositiveDuration.optional().meta({
      description: 'time to the response headers for each try (default: timeouts.response)',
    }),
    budget: z
      .strictObject({
        percent: z
          .number()
          .min(0)
          .max(100)
          .default(20)
          .meta({ description: 'share of active requests that may be retries at once (default 20)' }),
        minConcurrent: z.number().int().min(0).default(3).meta({ description: 'concurrent retries always allowed (default 3)' }),
      })
      .prefault({})
      .meta({ description: 'Envoy retry budget: concurrent retries ≤ max(minConcurrent, percent of active requests)' }),
  })
  .meta({ description: 'retry a failed try at another target; only requests without a body, and only before anything reached the client' });

const SlowStartSpec = z
  .strictObject({
    window: Duration.default(30_000).meta({ description: 'how long a target that came back takes to reach its full weight (default 30s)' }),
    aggression: z.number().positive().max(10).default(1).meta({ description: '1 ramps linearly; more rises faster at first (default 1)' }),
    minWeightPercent: z
      .number()
      .min(0)
      .max(100)
      .default(10)
      .meta({ description: 'the share of its weight a target starts at (default 10)' }),
  })
  .meta({ description: 'a target coming back (health check up, ejection over) takes a growing share of traffic (Envoy slow start)' });

/** Every algorithm's options in one object; each algorithm accepts only its own (PICKER_OPTIONS). */
export const PickerOptionsSpec = z.strictObject({
  maxFails: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({
      description:
        "weighted-round-robin, least-connections: failures that zero a target's effective weight (nginx max_fails); 0 ignores failures",
    }),
  fullAddress: z.boolean().optional().meta({ description: 'ip-hash: hash all four octets instead of the first three' }),
  mode: z
    .enum(['ring', 'nginx'])
    .optional()
    .meta({ description: 'consistent-hash: a ketama-style ring, or exactly nginx `hash $key consistent`' }),
  points: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .meta({
      description: `consistent-hash (ring): points per unit of weight (default 160; at most ${LIMITS.ringPoints.max} on the ring in all)`,
    }),
  balanceFactor: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({
      description: 'consistent-hash: bounded load, percent of the average a target may carry (HAProxy hash-balance-factor); 0 is off',
    }),
  tableSize: z
    .number()
    .int()
    .min(2)
    .max(LIMITS.maglevTableSize.max, limitMessage(LIMITS.maglevTableSize))
    .optional()
    .meta({ description: `maglev: lookup table size, a prime up to ${LIMITS.maglevTableSize.max} (default 65537)` }),
  tau: Duration.optional().meta({ description: 'peak-ewma: decay time of the latency estimate (default 10s)' }),
  defaultRtt: Duration.optional().meta({ description: 'peak-ewma: the estimate a new target starts with (default 100ms)' }),
});

export const BALANCER_MODES = ['l7', 'l4'] as const;


/**
 * What a TCP balancer cannot do, as HAProxy's `mode tcp`: it sees a connection's source address and
 * bytes, never a path, a header or a status, so nothing that reads or retries a request applies.
 */
function checkLayer4(node: z.output<typeof BalancerShape>, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!L4_PICKERS.includes(node.algorithm)) {
    issue(
      ['algorithm'],
      `${node.algorithm} learns from request latencies, which an l4 balancer never sees; expected one of ${L4_PICKERS.join(', ')}`,
    );
  }
  if (node.hashKey !== undefined && node.hashKey !== 'ip') {
    issue(['hashKey'], `an l4 balancer can only hash the source address (ip): it never sees headers, cookies, query or path`);
  }
  if (node.trustedProxies !== undefined)
    issue(['trustedProxies'], 'an l4 balancer never reads X-Forwarded-For: it only sees the connection');
  if (node.retries !== undefined) issue(['retries'], 'an l4 balancer cannot retry a request it never sees (remove it, or use mode l7)');
  if (node.circuitBreaker !== undefined)
    issue(['circuitBreaker'], 'an l4 balancer sees no responses to trip a circuit on (use healthCheck or outlierDetection)');
  if (node.capacity !== undefined) issue(['capacity'], 'an l4 balancer never sees requests to queue (remove it, or use mode l7)');
}

const BalancerShape = z.strictObject({
  ...ForwardingBase,
  kind: z.literal('balancer'),
  mode: z
    .enum(BALANCER_MODES)
    .default('l7')
    .meta({ description: 'l7 picks a target per HTTP request; l4 is a TCP balancer that picks per connection and never sees requests' }),
  algorithm: z.enum(PICKER_IDS).default('round-robin'),
  targets: limitedArray(Target, LIMITS.targets).min(1, 'a balancer needs at least one target'),
  hashKey: limitedString(LIMITS.nameLength)
    .refine(isHashKey, { message: `expected one of ${HASH_KEY_FORMS.join(', ')}` })
    .optional()
    .meta({ description: 'consistent-hash, maglev: what to hash (default ip)' }),
  trustedProxies: z
    .array(limitedString(LIMITS.nameLength).refine(isTrustEntry, { message: 'expected an IP address or a CIDR block' }))
    .max(LIMITS.listItems.max, limitMessage(LIMITS.listItems))
    .optional()
    .meta({ description: 'previous hops whose X-Forwarded-For is believed: the client is the right-most untrusted entry (nginx realip)' }),
  options: PickerOptionsSpec.optional(),
  healthCheck: HealthCheckSpec.optional(),
  outlierDetection: OutlierDetectionSpec.optional(),
  circuitBreaker: CircuitBreakerSpec.optional(),
  retries: RetriesSpec.optional(),
  slowStart: SlowStartSpec.optional(),
});

export const BalancerNode = BalancerShape.superRefine((node, ctx) => {
  if (node.mode === 'l4') checkLayer4(node, ctx);
  const hashing = node.algorithm === 'ip-hash' || KEYED_PICKERS.includes(node.algorithm);
  node.targets.forEach((target, i) => {
    if (typeof target !== 'string' && target.backup && hashing) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets', i, 'backup'],
        message: `backup targets cannot be used with ${node.algorithm} (as in nginx): a key must keep its target`,
      });
    }
  });
  // A target is known by where it sends (its state, health and counts are one per target): twice would
  // share them, the last weight winning for both.
  const first = new Map<string, number>();
  node.targets.forEach((target, i) => {
    const to = typeof target === 'string' ? target : target.to;
    const earlier = first.get(to);
    if (earlier === undefined) return void first.set(to, i);
    ctx.addIssue({ code: 'custom', path: ['targets', i], message: `"${to}" is already a target (targets[${earlier}]): give that one a weight instead` });
  });
  if (node.targets.every((t) => typeof t !== 'string' && t.backup)) {
    ctx.addIssue({ code: 'custom', path: ['targets'], message: 'at least one target must not be a backup' });
  }
  if (node.slowStart && hashing) {
    ctx.addIssue({
      code: 'custom',
      path: ['slowStart'],
      message: `slow start does not apply to ${node.algorithm} (as in Envoy): a key must keep its target`,
    });
  }
  if (node.healthCheck && node.healthCheck.timeout > node.healthCheck.interval) {
    ctx.addIssue({ code: 'custom', path: ['healthCheck', 'timeout'], message: 'must not be longer than the interval' });
  }
  if (node.healthCheck && node.healthCheck.interval < 10) {
    ctx.addIssue({ code: 'custom', path: ['healthCheck', 'interval'], message: 'must be at least 10ms' });
  }
  if (node.outlierDetection && node.outlierDetection.maxEjectionTime < node.outlierDetection.baseEjectionTime) {
    ctx.addIssue({ code: 'custom', path: ['outlierDetection', 'maxEjectionTime'], message: 'must be at least baseEjectionTime' });
  }
  if (node.outlierDetection && node.outlierDetection.consecutiveFailures === 0 && !node.outlierDetection.failureRate) {
    ctx.addIssue({
      code: 'custom',
      path: ['outlierDetection'],
      message: 'consecutiveFailures is 0 and there is no failureRate: nothing would eject',
    });
  }
  if (node.hashKey !== undefined && !KEYED_PICKERS.includes(node.algorithm)) {
    ctx.addIssue({
      code: 'custom',
      path: ['hashKey'],
      message: `only ${KEYED_PICKERS.join(' and ')} hash a key (ip-hash always hashes the client address)`,
    });
  }
  if (node.algorithm === 'consistent-hash') checkRingSize(node, ctx);
  const allowed = PICKER_OPTIONS[node.algorithm];
  for (const key of Object.keys(node.options ?? {})) {
    if (!allowed.includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['options', key],
        message: `not an option of ${node.algorithm}${allowed.length ? ` (it takes ${allowed.join(', ')})` : ' (it takes none)'}`,
      });
    }
  }
  // A table size past the limit already has its error, at options.tableSize.
  const sized = (node.options?.tableSize ?? 0) <= LIMITS.maglevTableSize.max;
  if (node.options && sized && Object.keys(node.options).every((k) => allowed.includes(k))) {
    try {
      PICKERS[node.algorithm](factoryOptions(node.options));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: (error as Error).message });
    }
  }
});

/** A consistent-hash ring is built on the first request and rebuilt on changes: its points in all are limited. */
function checkRingSize(node: z.output<typeof BalancerShape>, ctx: z.RefinementCtx): void {
  // nginx mode always uses 160 per weight (another `points` is refused by the picker's options check).
  const perWeight = node.options?.mode === 'nginx' ? NGINX_POINTS : (node.options?.points ?? NGINX_POINTS);
  const weights = node.targets.reduce((sum, t) => sum + (typeof t === 'string' ? 1 : t.weight), 0);
  const points = perWeight * weights;
  if (points > LIMITS.ringPoints.max) {
    ctx.addIssue({
      code: 'custom',
      path: node.options?.points === undefined ? ['targets'] : ['options', 'points'],
      message: `the ring would hold ${points} points (${perWeight} × weights ${weights}); ${limitMessage(LIMITS.ringPoints)}`,
    });
  }
}

const ErrorStatus = z.number().int().min(500).max(599);

/** A body size: bytes, or a string with a unit (`512b`, `2kb`, `1.5mb`; 1kb = 1024 bytes). */
const ByteSize = byteSize({ max: MAX_RESPONSE_SIZE, like: '2kb or 1.5mb', bound: 'at most 64mb' });

/** RFC 9111 section 5.2: `Cache-Control = #cache-directive`, each `token [ "=" ( token / quoted-string ) ]`. */
const CACHE_CONTROL =
  /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+(=([!#$%&'*+.^_`|~0-9A-Za-z-]+|"[^"\\\r\n]*"))?(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+(=([!#$%&'*+.^_`|~0-9A-Za-z-]+|"[^"\\\r\n]*"))?)*\s*$/;

const ServiceCacheRule = z
  .strictObject({
    path: PathSpec.meta({ description: 'exact path, or a prefix ending in /* (as in gateway routes)' }),
    cacheControl: limitedString(LIMITS.headerLength)
      .regex(CACHE_CONTROL, 'expected cache directives such as "public, max-age=60" (RFC 9111)')
      .optional()
      .meta({ description: 'the Cache-Control header sent on this path' }),
    etag: z.boolean().default(false).meta({ description: 'send a strong ETag (same path and content, same tag) and answer If-None-Match' }),
    lastModified: z
      .boolean()
      .default(false)
      .meta({ description: 'send Last-Modified (when the content last changed) and answer If-Modified-Since' }),
  })
  .refine((rule) => rule.cacheControl !== undefined || rule.etag || rule.lastModified, {
    message: 'a cache rule needs cacheControl, etag or lastModified',
  });

export const ServiceNode = z.strictObject({
  ...NodeBase,
  kind: z.literal('service'),
  latency: LatencySpec.default(0),
  status: z.number().int().min(200).max(599).default(200),
  errorRate: z.number().min(0).max(1).default(0).meta({ description: 'share of requests answered with errorStatus' }),
  errorStatus: z
    .union([ErrorStatus, limitedArray(ErrorStatus, LIMITS.listItems).min(1, 'expected at least one status')])
    .default(500)
    .meta({ description: 'the status of an injected error, or a list to pick from uniformly: [500, 502, 503]' }),
  capacity: capacitySpec(SERVICE_CAPACITY_CODES).optional(),
  responseSize: ByteSize.optional().meta({
    description: 'the JSON body is padded to exactly this many bytes (a body whose fields are longer is sent as is)',
  }),
  cache: limitedArray(ServiceCacheRule, LIMITS.listItems).optional().meta({
    description: 'cache headers per path, first match wins: [{ path: /static/*, cacheControl: "public, max-age=60", etag: true }]',
  }),
});

export const NodeConfig = z.discriminatedUnion('kind', [ProxyNode, GatewayNode, BalancerNode, ServiceNode]);

/** A path with optional placeholders: `/users/{1..50}`, `/{a,b}`, `/items/{key}`; checked by compiling it. */
const PathTemplateSpec = limitedString(LIMITS.pathLength)
  .startsWith('/')
  .superRefine((template, ctx) => {
    try {
      compilePath(template);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const TRAFFIC_SHAPES = ['constant', 'poisson', 'ramp', 'spike', 'bursts', 'closed'] as const;
export type TrafficShape = (typeof TRAFFIC_SHAPES)[number];

const TrafficRate = z.number().nonnegative().max(100_000);

/**
 * How much a flow sends: on a flow without `phases` (one endless phase), or on each phase. Which fields
 * a shape takes is checked by `checkTrafficLoad`, so a misplaced field is an error that names it.
 */
const TrafficLoadFields = {
  shape: z.enum(TRAFFIC_SHAPES).optional().meta({
    description:
      'open loop (sends on schedule, never waits for answers): constant (the default), poisson, ramp, spike, bursts; closed: `users` virtual users that each wait for their answer',
  }),
  rate: TrafficRate.optional().meta({
    description:
      'requests per second, open loop: the constant or Poisson rate, the start of a ramp, the base of a spike, the rate inside a burst',
  }),
  arrivals: z.enum(['even', 'poisson']).optional().meta({
    description:
      'open loop: sends evenly spaced (default), or as a Poisson process at the same rate (exponential gaps; shape poisson is constant with these)',
  }),
  endRate: TrafficRate.optional().meta({ description: 'ramp: the rate at the end of the ramp' }),
  over: PositiveDuration.optional().meta({
    description: "ramp: how long the ramp takes (default: the phase's `for`); then the rate stays at endRate",
  }),
  peakRate: TrafficRate.optional().meta({ description: 'spike: the rate during the spike' }),
  peakAt: Duration.optional().meta({ description: 'spike: when the spike starts, from the start of the phase (default 0)' }),
  peakFor: PositiveDuration.optional().meta({ description: 'spike: how long the spike lasts; then the rate is back to `rate`' }),
  on: PositiveDuration.optional().meta({ description: 'bursts: how long each burst sends at `rate`' }),
  off: PositiveDuration.optional().meta({ description: 'bursts: the pause between bursts' }),
  offRate: TrafficRate.optional().meta({ description: 'bursts: the rate between bursts (default 0)' }),
  users: z.number().int().min(1).max(10_000).optional().meta({
    description:
      'closed: virtual users; each sends, waits for the answer, thinks, and sends again (so at most `users` requests are outstanding)',
  }),
  think: LatencySpec.optional().meta({
    description: 'closed: the pause after each answer before the next send, a duration or a distribution (default 0)',
  }),
};

/** The fields each shape requires, and the ones it also accepts. */
const SHAPE_FIELDS: Record<TrafficShape, { required: string[]; optional: string[] }> = {
  constant: { required: ['rate'], optional: ['arrivals'] },
  poisson: { required: ['rate'], optional: [] },
  ramp: { required: ['rate', 'endRate'], optional: ['over', 'arrivals'] },
  spike: { required: ['rate', 'peakRate', 'peakFor'], optional: ['peakAt', 'arrivals'] },
  bursts: { required: ['rate', 'on', 'off'], optional: ['offRate', 'arrivals'] },
  closed: { required: ['users'], optional: ['think'] },
};
const LOAD_KEYS = Object.keys(TrafficLoadFields).filter((k) => k !== 'shape');
/** Every field that says how much a flow (or phase) sends. */
export const TRAFFIC_LOAD_FIELDS = Object.keys(TrafficLoadFields);

/** Each shape gets exactly its fields; a ramp needs a length (`over`, or the phase's `for`). */
function checkTrafficLoad(load: Record<string, unknown>, ctx: z.RefinementCtx, forMs: number | undefined): void {
  const shape = (load.shape ?? 'constant') as TrafficShape;
  const { required, optional } = SHAPE_FIELDS[shape];
  for (const key of required) {
    if (load[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required for shape ${shape}` });
  }
  for (const key of LOAD_KEYS) {
    if (load[key] !== undefined && !required.includes(key) && !optional.includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `not a field of shape ${shape} (it takes ${[...required, ...optional].join(', ')})`,
      });
    }
  }
  if (shape === 'ramp' && load.over === undefined && forMs === undefined) {
    ctx.addIssue({ code: 'custom', path: ['over'], message: 'required for an endless ramp (or give the phase a `for`)' });
  }
  if (shape === 'spike' && typeof load.peakAt === 'number' && forMs !== undefined && load.peakAt >= forMs) {
    ctx.addIssue({ code: 'custom', path: ['peakAt'], message: 'the spike starts after its phase ends' });
  }
  const rates =
    shape === 'closed'
      ? []
      : (['rate', 'endRate', 'peakRate', 'offRate'] as const).map((k) => load[k]).filter((r) => typeof r === 'number');
  if (shape !== 'closed' && shape !== 'ramp' && rates.every((r) => r === 0) && load.rate !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['rate'], message: 'this phase would send nothing; give a rate above 0' });
  }
}

export const TrafficPhase = z
  .strictObject({
    name: shownText(limitedString(LIMITS.nameLength).min(1)).optional(),
    for: PositiveDuration.optional().meta({
      description: 'how long the phase lasts; only the last phase may leave it out (it then runs until traffic stops)',
    }),
    ...TrafficLoadFields,
  })
  .superRefine((phase, ctx) => checkTrafficLoad(phase, ctx, phase.for))
  .meta({ description: 'one phase of a flow: how long it lasts and how much it sends' });

/** A refinement that adds `problem(value)` as the issue, when there is one. */
const noProblem = (problem: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message !== undefined) ctx.addIssue({ code: 'custom', message });
};

/** What generated requests can send (traffic/request-rules.ts): any upper-case method but CONNECT; headers the generator does not own. */
const TRAFFIC_METHOD = HTTP_METHOD.superRefine(noProblem(methodProblem));
const TrafficHeaders = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const { name, message } of requestHeaderProblems(headers)) ctx.addIssue({ code: 'custom', path: [name], message });
});

/** One kind of request in a weighted mix. */
export const TrafficRequest = z
  .strictObject({
    weight: z
      .number()
      .positive()
      .max(1_000_000)
      .default(1)
      .meta({ description: 'share of the mix, relative to the other entries (default 1)' }),
    method: TRAFFIC_METHOD.default('GET'),
    path: PathTemplateSpec.meta({ description: 'the path to request, starting with / ({1..50} and {key} expand as in paths)' }),
    headers: TrafficHeaders.optional(),
    body: z.string().max(1_000_000).optional().meta({ description: 'the request body, sent as is (set content-type in headers)' }),
  })
  .superRefine((request, ctx) => {
    if (request.body !== undefined && METHODS_WITHOUT_BODY.has(request.method)) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${request.method} request has no body` });
    }
  });

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const TrafficFlowFields = z.strictObject({
  name: shownText(limitedString(LIMITS.nameLength).min(1)).optional(),
  to: Upstream,
  ...TrafficFailoverFields,
  ...TrafficLoadFields,
  rate: TrafficLoadFields.rate.meta({
    description: 'requests per second, open loop (the simple form; a ramp starts there, a spike and bursts use it as their base)',
  }),
  phases: limitedArray(TrafficPhase, LIMITS.phases).min(1).optional().meta({
    description:
      'phases run in sequence, each with its own shape; instead of the flow-level rate and shape (the flow then ends after its last timed phase)',
  }),
  clients: z.number().int().min(1).max(LIMITS.clients.max, limitMessage(LIMITS.clients)).default(10).meta({
    description:
      "virtual clients, each sending from its own loopback address (127.0.1.1, 127.0.2.1, ...: one /24 each first; the second flow's are 127.1.1.1, ...)",
  }),
  paths: z
    .array(PathTemplateSpec)
    .min(1)
    .max(LIMITS.paths.max, limitMessage(LIMITS.paths))
    .optional()
    .meta({ description: 'the simple form of the mix: paths drawn uniformly (default ["/"]); placeholders {1..50}, {a,b}, {key}' }),
  method: TRAFFIC_METHOD.optional().meta({ description: 'the simple form: the method of every request (default GET)' }),
  headers: TrafficHeaders.optional().meta({ description: 'headers on every request of the flow' }),
  requests: z.array(TrafficRequest).min(1).optional().meta({
    description:
      'a weighted request mix, instead of paths and method: [{ weight: 8, path: /users/{1..50} }, { weight: 2, method: POST, path: /orders, body: ... }]',
  }),
  apiKeys: z
    .strictObject({
      count: z.number().int().min(1).max(1_000_000).meta({ description: 'distinct keys; client i sends key number (i mod count) + 1' }),
      header: z.string().regex(HEADER_NAME, 'expected a header name').superRefine(noProblem(generatorFieldProblem)).default('x-api-key'),
      prefix: limitedString(LIMITS.nameLength)
        .superRefine(noProblem(headerValueProblem))
        .default('key-')
        .meta({ description: 'the key is this prefix and its number: key-1, key-2, ...' }),
    })
    .optional()
    .meta({ description: 'an API key per client, in a header, so rate limiters and hash pickers have an identity to key on' }),
  cookies: z
    .strictObject({
      name: z.string().regex(HEADER_NAME, 'expected a cookie name').default('session'),
      count: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .meta({ description: 'distinct cookie values; client i sends value number (i mod count) + 1' }),
      prefix: limitedString(LIMITS.nameLength)
        .superRefine(noProblem(headerValueProblem))
        .default('s-')
        .meta({ description: 'the value is this prefix and its number: s-1, s-2, ...' }),
    })
    .optional()
    .meta({ description: 'a session cookie per client (sticky sessions, cookie hashing)' }),
  auth: TrafficAuth.optional(),
  ...TrafficConnectionFields,
  ...TrafficConditionalFields,
  keys: z
    .strictObject({
      count: z.number().int().min(1).max(1_000_000).meta({ description: 'distinct keys: {key} in a path draws 1..count' }),
      distribution: z
        .enum(['uniform', 'zipf'])
        .default('uniform')
        .meta({ description: 'uniform, or zipf: key k drawn in proportion to 1/k^s (key 1 the most popular)' }),
      s: z.number().positive().max(10).default(1).meta({ description: 'zipf exponent (default 1; higher is more skewed)' }),
    })
    .optional()
    .meta({ description: 'key popularity for the {key} placeholder, so caches and hashes have something realistic to chew' }),
  maxOutstanding: z.number().int().min(1).max(100_000).optional().meta({
    description:
      'open loop: beyond this many unanswered requests a send is skipped and counted as skipped, never silently dropped (default 5000)',
  }),
});

/** The load, request and key fields that must not be given together, and the ones a flow without phases needs. */
function checkTrafficFlow(flow: z.output<typeof TrafficFlowFields>, ctx: z.RefinementCtx): void {
  if (flow.phases) {
    for (const key of ['shape', ...LOAD_KEYS]) {
      if ((flow as Record<string, unknown>)[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'give either phases or the flow-level rate and shape, not both' });
      }
    }
    flow.phases.slice(0, -1).forEach((phase, i) => {
      if (phase.for === undefined)
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'for'], message: 'required: only the last phase may run without end' });
    });
  } else if (flow.shape === undefined && flow.rate === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['rate'],
      message: 'required: requests per second (or give phases, or shape: closed with users)',
    });
  } else {
    checkTrafficLoad(flow, ctx, undefined);
  }
  checkTrafficSizes(flow, ctx);
  checkTrafficFailover(flow, ctx);
  if (flow.requests && (flow.paths || flow.method)) {
    ctx.addIssue({
      code: 'custom',
      path: [flow.paths ? 'paths' : 'method'],
      message: 'give either requests (the mix) or paths and method, not both',
    });
  }
  const templates: Array<[Array<string | number>, string]> = flow.requests
    ? flow.requests.map((r, i) => [['requests', i, 'path'], r.path])
    : (flow.paths ?? []).map((p, i) => [['paths', i], p]);
  const keyed = templates.filter(([, template]) => usesKey(template));
  if (!flow.keys)
    for (const [path] of keyed)
      ctx.addIssue({ code: 'custom', path, message: 'uses {key}, but the flow has no keys: { count, distribution }' });
  else if (keyed.length === 0) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'no path uses {key}' });
}

/**
 * The sizes a flow builds when it starts: its request mix, its Zipf table, and the length of its phases
 * in all (`edgelab run` waits that long on one timer, so it must fit in one).
 */
function checkTrafficSizes(flow: z.output<typeof TrafficFlowFields>, ctx: z.RefinementCtx): void {
  if (flow.requests && flow.requests.length > LIMITS.paths.max)
    ctx.addIssue({ code: 'custom', path: ['requests'], message: limitMessage(LIMITS.paths) });
  if (flow.keys?.distribution === 'zipf' && flow.keys.count > LIMITS.zipfKeys.max)
    ctx.addIssue({ code: 'custom', path: ['keys', 'count'], message: limitMessage(LIMITS.zipfKeys) });
  const total = (flow.phases ?? []).reduce((sum, phase) => sum + (phase.for ?? 0), 0);
  const tooLong = durationLimitError(total);
  if (tooLong) ctx.addIssue({ code: 'custom', path: ['phases'], message: `the phases last ${formatDuration(total)} in all, ${tooLong}` });
}

export const TrafficFlow = TrafficFlowFields.superRefine(checkTrafficFlow).meta({
  description:
    'one flow of generated traffic: where it enters, how much (open loop at a rate, or closed loop), what it asks for, and as whom',
});

/** The flow fields one by one, for `POST /api/traffic` to check the fields it was given before it merges them. */
export const TrafficFlowPartial = TrafficFlowFields.partial();

/**
 * Flows are named (by `name`, or `flow-N` by their place) wherever they are chosen: `POST /api/traffic`
 * `flow` and `like`, the live stats, the page. Two of one name could not be told apart.
 */
function checkFlowNames(flows: Array<{ name?: string }>, ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  flows.forEach((flow, i) => {
    const name = flow.name ?? `flow-${i + 1}`;
    const earlier = first.get(name);
    if (earlier === undefined) return void first.set(name, i);
    ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `a flow "${name}" is traffic[${earlier}]${flows[earlier].name === undefined ? ' (by its place)' : ''}: give each flow its own name` });
  });
}

export const EdgeConfig = z.strictObject({
  version: z.literal(1),
  name: shownText(limitedString(LIMITS.nameLength).min(1)).default('Untitled sandbox'),
  nodes: limitedArray(NodeConfig, LIMITS.nodes),
  traffic: limitedArray(TrafficFlow, LIMITS.trafficFlows).default([]).superRefine(checkFlowNames),
  scenario: Scenario,
  layout: LayoutHints.optional(),
});

/** The config as written (durations as strings, defaults optional). */
export type EdgeConfigInput = z.input<typeof EdgeConfig>;
/** The config after parsing: durations in ms, every default filled in. */
export type EdgeConfigParsed = z.output<typeof EdgeConfig>;
export type NodeConfigParsed = z.output<typeof NodeConfig>;
export type ProxyConfig = z.output<typeof ProxyNode>;
export type GatewayConfig = z.output<typeof GatewayNode>;
export type BalancerConfig = z.output<typeof BalancerNode>;
export type ServiceConfig = z.output<typeof ServiceNode>;
export type TrafficConfig = z.output<typeof TrafficFlow>;
export type TrafficPhaseConfig = z.output<typeof TrafficPhase>;
export type TrafficRequestConfig = z.output<typeof TrafficRequest>;
export type LatencyConfig = z.output<typeof LatencySpec>;
