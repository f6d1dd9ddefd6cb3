/**
 * The config: one zod definition from which parsing, the error paths and the shipped JSON Schema all
 * come. This is a user-facing contract (ARCHITECTURE.md): extend it, never rename without a migration.
 * Objects are strict, so a misspelt key is an error that names it, not a silent default.
 */
import { z } from 'zod';
import { HASH_KEY_FORMS, isHashKey } from '../balancer/hash-key.ts';
import { factoryOptions, KEYED_PICKERS, PICKER_IDS, PICKER_OPTIONS, PICKERS } from '../balancer/pickers/index.ts';
import { FAILURE_KINDS } from '../balancer/resilience/failure-kind.ts';
import { isTrustEntry } from '../proxy/real-ip.ts';
import { compilePath } from '../traffic/paths.ts';
import { parseDuration } from './duration.ts';

export const NODE_KINDS = ['proxy', 'gateway', 'balancer', 'service'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];


const NODE_ID = /^[a-z][a-z0-9-]*$/;

export const Duration = z
  .union([z.number().nonnegative(), z.string()])
  .meta({ description: 'milliseconds, or a string with a unit: 40ms, 1.5s, 2m' })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 40ms, 1.5s or 2m, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

export const Port = z.number().int().min(0).max(65535).meta({ description: 'TCP port on 127.0.0.1; 0 picks a free one' });

/** A node id, or an absolute http(s) URL for an upstream outside the topology. */
export const Upstream = z.string().refine((s) => NODE_ID.test(s) || /^https?:\/\/[^\s/]+/.test(s), {
  message: 'expected a node id (lowercase letters, digits, dashes) or an http:// URL',
});

export const LatencySpec = z.union([
  Duration,
  z.strictObject({ distribution: z.literal('uniform'), min: Duration, max: Duration }),
  z.strictObject({ distribution: z.literal('normal'), mean: Duration, stddev: Duration }),
  z.strictObject({
    distribution: z.literal('lognormal'),
    median: Duration,
    sigma: z.number().positive().max(4).meta({ description: 'spread of the underlying normal; 0.5 is a moderate tail' }),
  }),
]);

const Timeouts = z.strictObject({
  connect: Duration.optional().meta({ description: 'time to open a connection to the upstream (default 1s)' }),
  response: Duration.optional().meta({ description: 'time to the upstream response headers (default 10s)' }),
});

const NodeBase = {
  id: z.string().regex(NODE_ID, 'expected lowercase letters, digits and dashes, starting with a letter'),
  listen: Port.default(0),
  label: z.string().max(60).optional(),
};

const ForwardingBase = { ...NodeBase, timeouts: Timeouts.optional() };

export const ProxyNode = z.strictObject({ ...ForwardingBase, kind: z.literal('proxy'), to: Upstream });

export const RouteMatch = z
  .strictObject({
    path: z.string().startsWith('/').optional().meta({ description: 'exact path, or a prefix ending in /*' }),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.string()).optional(),
  })
  .default({});

export const Route = z.strictObject({
  match: RouteMatch,
  to: Upstream,
  stripPrefix: z.string().startsWith('/').optional(),
});

export const GatewayNode = z.strictObject({
  ...ForwardingBase,
  kind: z.literal('gateway'),
  routes: z.array(Route).min(1, 'a gateway needs at least one route'),
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
    path: z.string().startsWith('/').default('/health'),
    interval: PositiveDuration.default(2_000).meta({ description: 'time between checks of a target (default 2s)' }),
    timeout: PositiveDuration.default(1_000).meta({ description: 'a check not answered in this time fails (default 1s)' }),
    rise: z.number().int().min(1).max(100).default(2).meta({ description: 'passed checks in a row that bring an unhealthy target back (default 2)' }),
    fall: z.number().int().min(1).max(100).default(3).meta({ description: 'failed checks in a row that take a healthy target out (default 3)' }),
  })
  .meta({ description: 'active health checks (HAProxy-style rise/fall); a 2xx or 3xx passes; targets start healthy' });

/** Passive health checks on live traffic (Envoy outlier detection). */
const OutlierDetectionSpec = z
  .strictObject({
    consecutiveFailures: z.number().int().min(0).default(5).meta({ description: 'failures in a row (connect error, reset, timeout, 5xx) that eject a target; 0 turns this rule off (default 5)' }),
    failureRate: z
      .strictObject({
        percent: z.number().min(1).max(100).default(85).meta({ description: 'failure share that ejects, in percent (default 85)' }),
        minRequests: z.number().int().min(1).default(50).meta({ description: 'requests the window must hold before the rate counts (default 50)' }),
        window: PositiveDuration.default(10_000).meta({ description: 'sliding window (default 10s)' }),
      })
      .optional()
      .meta({ description: 'eject a target whose failure rate in a window reaches a threshold; off when absent' }),
    baseEjectionTime: PositiveDuration.default(30_000).meta({ description: 'an ejection lasts this × the times ejected (default 30s)' }),
    maxEjectionTime: Duration.default(300_000).meta({ description: 'the longest ejection (default 300s)' }),
    maxEjectionPercent: z.number().min(0).max(100).default(10).meta({ description: 'no ejection while this share of targets is already ejected; one target may always be (default 10)' }),
  })
  .meta({ description: 'passive detection: eject a failing target for a while (Envoy outlier detection)' });

const CircuitBreakerSpec = z
  .strictObject({
    consecutiveFailures: z.number().int().min(1).default(5).meta({ description: 'failures in a row that open the circuit (default 5)' }),
    coolDown: Duration.default(10_000).meta({ description: 'how long an open circuit refuses requests before it half-opens (default 10s)' }),
    trialRequests: z.number().int().min(1).max(100).default(1).meta({ description: 'trial requests a half-open circuit admits; all must succeed to close it (default 1)' }),
  })
  .meta({ description: 'a circuit breaker per target: closed, open, half-open' });

const RetriesSpec = z
  .strictObject({
    tries: z.number().int().min(1).max(10).default(2).meta({ description: 'tries in all, the first included (nginx proxy_next_upstream_tries; default 2)' }),
    on: z
      .array(z.enum(FAILURE_KINDS))
      .min(1)
      .default([...FAILURE_KINDS])
      .meta({ description: 'failures that are retried (default all: connect-error, reset, timeout, 5xx)' }),
    methods: z
      .array(HTTP_METHOD)
      .default(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
      .meta({ description: 'methods retried once the request may have reached the target (idempotent ones by default); a connect error is retried for any method' }),
    perTryTimeout: PositiveDuration.optional().meta({ description: 'time to the response headers for each try (default: timeouts.response)' }),
    budget: z
      .strictObject({
        percent: z.number().min(0).max(100).default(20).meta({ description: 'share of active requests that may be retries at once (default 20)' }),
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
    minWeightPercent: z.number().min(0).max(100).default(10).meta({ description: 'the share of its weight a target starts at (default 10)' }),
  })
  .meta({ description: 'a target coming back (health check up, ejection over) takes a growing share of traffic (Envoy slow start)' });

/** Every algorithm's options in one object; each algorithm accepts only its own (PICKER_OPTIONS). */
export const PickerOptionsSpec = z.strictObject({
  maxFails: z.number().int().min(0).optional().meta({ description: 'weighted-round-robin, least-connections: failures that zero a target\'s effective weight (nginx max_fails); 0 ignores failures' }),
  fullAddress: z.boolean().optional().meta({ description: 'ip-hash: hash all four octets instead of the first three' }),
  mode: z.enum(['ring', 'nginx']).optional().meta({ description: 'consistent-hash: a ketama-style ring, or exactly nginx `hash $key consistent`' }),
  points: z.number().int().min(1).max(10_000).optional().meta({ description: 'consistent-hash (ring): points per unit of weight' }),
  balanceFactor: z.number().int().min(0).optional().meta({ description: 'consistent-hash: bounded load, percent of the average a target may carry (HAProxy hash-balance-factor); 0 is off' }),
  tableSize: z.number().int().min(2).optional().meta({ description: 'maglev: lookup table size, a prime (default 65537)' }),
  tau: Duration.optional().meta({ description: 'peak-ewma: decay time of the latency estimate (default 10s)' }),
  defaultRtt: Duration.optional().meta({ description: 'peak-ewma: the estimate a new target starts with (default 100ms)' }),
});

export const BalancerNode = z
  .strictObject({
    ...ForwardingBase,
    kind: z.literal('balancer'),
    algorithm: z.enum(PICKER_IDS).default('round-robin'),
    targets: z.array(Target).min(1, 'a balancer needs at least one target'),
    hashKey: z
      .string()
      .refine(isHashKey, { message: `expected one of ${HASH_KEY_FORMS.join(', ')}` })
      .optional()
      .meta({ description: 'consistent-hash, maglev: what to hash (default ip)' }),
    trustedProxies: z
      .array(z.string().refine(isTrustEntry, { message: 'expected an IP address or a CIDR block' }))
      .optional()
      .meta({ description: 'previous hops whose X-Forwarded-For is believed: the client is the right-most untrusted entry (nginx realip)' }),
    options: PickerOptionsSpec.optional(),
    healthCheck: HealthCheckSpec.optional(),
    outlierDetection: OutlierDetectionSpec.optional(),
    circuitBreaker: CircuitBreakerSpec.optional(),
    retries: RetriesSpec.optional(),
    slowStart: SlowStartSpec.optional(),
  })
  .superRefine((node, ctx) => {
    const hashing = node.algorithm === 'ip-hash' || KEYED_PICKERS.includes(node.algorithm);
    node.targets.forEach((target, i) => {
      if (typeof target !== 'string' && target.backup && hashing) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'backup'], message: `backup targets cannot be used with ${node.algorithm} (as in nginx): a key must keep its target` });
      }
    });
    if (node.targets.every((t) => typeof t !== 'string' && t.backup)) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'at least one target must not be a backup' });
    }
    if (node.slowStart && hashing) {
      ctx.addIssue({ code: 'custom', path: ['slowStart'], message: `slow start does not apply to ${node.algorithm} (as in Envoy): a key must keep its target` });
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
      ctx.addIssue({ code: 'custom', path: ['outlierDetection'], message: 'consecutiveFailures is 0 and there is no failureRate: nothing would eject' });
    }
    if (node.hashKey !== undefined && !KEYED_PICKERS.includes(node.algorithm)) {
      ctx.addIssue({ code: 'custom', path: ['hashKey'], message: `only ${KEYED_PICKERS.join(' and ')} hash a key (ip-hash always hashes the client address)` });
    }
    const allowed = PICKER_OPTIONS[node.algorithm];
    for (const key of Object.keys(node.options ?? {})) {
      if (!allowed.includes(key)) {
        ctx.addIssue({ code: 'custom', path: ['options', key], message: `not an option of ${node.algorithm}${allowed.length ? ` (it takes ${allowed.join(', ')})` : ' (it takes none)'}` });
      }
    }
    if (node.options && Object.keys(node.options).every((k) => allowed.includes(k))) {
      try {
        PICKERS[node.algorithm](factoryOptions(node.options));
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['options'], message: (error as Error).message });
      }
    }
  });

export const ServiceNode = z.strictObject({
  ...NodeBase,
  kind: z.literal('service'),
  latency: LatencySpec.default(0),
  status: z.number().int().min(200).max(599).default(200),
  errorRate: z.number().min(0).max(1).default(0).meta({ description: 'share of requests answered with errorStatus' }),
  errorStatus: z.number().int().min(500).max(599).default(500),
});

export const NodeConfig = z.discriminatedUnion('kind', [ProxyNode, GatewayNode, BalancerNode, ServiceNode]);

/** A path with optional placeholders: `/users/{1..50}`, `/{a,b}`; checked by compiling it. */
const PathTemplateSpec = z
  .string()
  .startsWith('/')
  .superRefine((template, ctx) => {
    try {
      compilePath(template);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const TrafficFlow = z.strictObject({
  name: z.string().min(1).optional(),
  to: Upstream,
  rate: z.number().positive().max(100_000).meta({ description: 'requests per second, open loop' }),
  clients: z.number().int().min(1).max(65_000).default(10),
  paths: z.array(PathTemplateSpec).min(1).default(['/']),
  method: z
    .string()
    .regex(/^[A-Z]+$/)
    .default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
});

export const EdgeConfig = z.strictObject({
  version: z.literal(1),
  name: z.string().min(1).default('Untitled sandbox'),
  nodes: z.array(NodeConfig).min(1, 'a config needs at least one node'),
  traffic: z.array(TrafficFlow).default([]),
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
export type LatencyConfig = z.output<typeof LatencySpec>;
