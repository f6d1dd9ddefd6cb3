/**
 * The fault vocabulary, declared once: what each type takes, where it may be put, and the zod schemas
 * that parse an API body (`FaultSpec`) and a config's `scenario:` step (`ScenarioStep`, the same object
 * plus `at` and `for`). The names and parameters follow Toxiproxy's toxics where one exists.
 *
 * What each type does to real sockets (the engine applies them; see gate.ts, partition.ts, controller.ts):
 * - `down` (node): the listener closes and open connections are cut: callers see a refused connection (502).
 * - `hang` (node or edge): the request is accepted and read, and never answered: callers hit their
 *   response timeout (504 EDGE_UPSTREAM_TIMEOUT). Cleared: held requests are released and handled,
 *   as Toxiproxy's `timeout` toxic (timeout 0) lets data through once it is removed.
 * - `latency` (node or edge): each request waits `ms` ± `jitter` (uniform, never below 0) before it is
 *   handled. Cleared: waiting requests go on at once.
 * - `errors` (node or edge): a share `rate` of requests is answered with `status` at once, code
 *   FAULT_INJECTED_ERROR in `x-edgelab-error`; the rest are handled normally.
 * - `reset` (node or edge): the request's connection gets a TCP reset (RST) when it arrives (`after` 0),
 *   or `after` ms later if its response is not complete by then (Toxiproxy reset_peer): callers see
 *   502 EDGE_UPSTREAM_RESET. The node's own event says FAULT_INJECTED_RESET (logged 444, as nginx does).
 * - `bandwidth` (node or edge): response body bytes leave at `bytesPerSecond` at most.
 * - `slow-close` (node or edge): the response's last byte, and so its end, is held for `delay`
 *   (Toxiproxy slow_close); a response without a body is held whole.
 * - `flap` (node): down for `downFor`, up for the rest of `period`, over and over, starting down: the
 *   listener really stops and starts, so health checks see it.
 * - `partition` (edge): the sender cuts its open connections on the edge, and new ones fail: `drop`
 *   (connects never complete: the caller's connect timeout, 504 EDGE_UPSTREAM_CONNECT_TIMEOUT) or
 *   `reject` (refused at once, 502 EDGE_UPSTREAM_REFUSED). Other edges into the same node are unaffected.
 * - `overload` (service node): the service's concurrency capacity is cut to `capacity`.
 *
 * Faults stack: two latency faults on a target add up, every errors fault rolls its own dice.
 */
import { z } from 'zod';
import { Duration, durationLimitError, Milliseconds } from '../config/duration.ts';
import { LIMITS, limitMessage } from '../config/limits.ts';
import { checkUpstreamUrl, isExternalUrl } from '../config/upstream.ts';
import type { FaultType } from './vocabulary.ts';

export { FAULT_PLACES, FAULT_TYPES, type FaultType } from './vocabulary.ts';

export const REQUEST_FAULTS: ReadonlySet<FaultType> = new Set(['hang', 'latency', 'errors', 'reset', 'bandwidth', 'slow-close']);

const Target = z
  .string()
  .min(1)
  .max(LIMITS.pathLength.max, limitMessage(LIMITS.pathLength))
  .meta({ description: 'a node id, or an edge "from->to" where to is one of from\'s upstreams' })
  .transform(normalTarget);
const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });
/**
 * A paced answer goes out a byte at a time at the slowest rate, so every byte leaves within a second and
 * an answer ends in as many seconds as it has bytes. Slower, it went nowhere: at 1e-300 bytes a second
 * the first byte was due in 1e300 seconds, and the answer hung for ever. The top is far above any link.
 */
const BANDWIDTH = { min: 1, max: 1e12 } as const;

/** Each type's own fields, beside `target` and `type`. */
const PARAMETERS = {
  down: {},
  hang: {},
  latency: {
    ms: Milliseconds.meta({ description: 'added delay in milliseconds (required)' }),
    jitter: Milliseconds.default(0).meta({ description: 'the delay is uniform in ms ± jitter, never below 0 (default 0)' }),
  },
  errors: {
    rate: z.number().min(0).max(1).default(1).meta({ description: 'share of requests turned into errors, 0..1 (default 1)' }),
    status: z.number().int().min(500).max(599).default(503).meta({ description: 'the status sent, 500..599 (default 503)' }),
  },
  reset: {
    after: Duration.default(0).meta({ description: 'reset at once when the request arrives (0, the default), or this long after' }),
  },
  bandwidth: {
    bytesPerSecond: z
      .number()
      .min(BANDWIDTH.min, `at least ${BANDWIDTH.min} byte a second (allowed: ${BANDWIDTH.min} to ${BANDWIDTH.max})`)
      .max(BANDWIDTH.max, `at most ${BANDWIDTH.max} bytes a second (allowed: ${BANDWIDTH.min} to ${BANDWIDTH.max})`)
      .meta({ description: `the most response bytes sent per second, ${BANDWIDTH.min} to ${BANDWIDTH.max} (required)` }),
  },
  'slow-close': {
    delay: PositiveDuration.meta({ description: 'how long the last byte and the close are held (required)' }),
  },
  flap: {
    period: PositiveDuration.meta({ description: 'one down-and-up cycle (required)' }),
    downFor: PositiveDuration.optional().meta({ description: 'the down part of each cycle (default period / 2)' }),
  },
  partition: {
    mode: z
      .enum(['drop', 'reject'])
      .default('drop')
      .meta({ description: 'drop: connects never complete (connect timeout); reject: refused at once (default drop)' }),
  },
  overload: {
    capacity: z.number().int().min(0).meta({ description: 'requests the service processes at once (required)' }),
  },
} as const;

/** The ten strict objects of one union, each with `extra` fields (none for the API, `at`/`for` in a scenario). */
function variants<E extends z.ZodRawShape>(extra: E) {
  const base = { target: Target, ...extra };
  return [
    z.strictObject({ ...base, type: z.literal('down'), ...PARAMETERS.down }),
    z.strictObject({ ...base, type: z.literal('hang'), ...PARAMETERS.hang }),
    z.strictObject({ ...base, type: z.literal('latency'), ...PARAMETERS.latency }),
    z.strictObject({ ...base, type: z.literal('errors'), ...PARAMETERS.errors }),
    z.strictObject({ ...base, type: z.literal('reset'), ...PARAMETERS.reset }),
    z.strictObject({ ...base, type: z.literal('bandwidth'), ...PARAMETERS.bandwidth }),
    z.strictObject({ ...base, type: z.literal('slow-close'), ...PARAMETERS['slow-close'] }),
    z.strictObject({ ...base, type: z.literal('flap'), ...PARAMETERS.flap }),
    z.strictObject({ ...base, type: z.literal('partition'), ...PARAMETERS.partition }),
    z.strictObject({ ...base, type: z.literal('overload'), ...PARAMETERS.overload }),
  ] as const;
}

/**
 * A flap's down part must leave an up part; its default is half the period. A latency's `ms + jitter`
 * is one timer, so it must fit in one. (A flap waits `downFor` and `period - downFor` on separate
 * timers, and a scenario step its `at` and then its `for`: each is a Duration, so each fits.)
 */
function completeSpec<T extends { type: string; period?: number; downFor?: number; ms?: number; jitter?: number }>(
  spec: T,
  ctx: z.RefinementCtx,
): T {
  if (spec.type === 'latency') {
    const tooLong = durationLimitError(spec.ms! + spec.jitter!);
    if (tooLong) ctx.addIssue({ code: 'custom', path: ['jitter'], message: `ms + jitter is ${spec.ms! + spec.jitter!}, ${tooLong}` });
  }
  if (spec.type !== 'flap') return spec;
  const period = spec.period!;
  const downFor = spec.downFor ?? period / 2;
  if (downFor >= period) ctx.addIssue({ code: 'custom', path: ['downFor'], message: `must be shorter than the period (${period} ms)` });
  return { ...spec, downFor };
}

const FaultUnion = z.discriminatedUnion('type', variants({}));

/** One fault as `POST /api/faults` takes it. */
export const FaultSpec = FaultUnion.transform(completeSpec);
export type FaultSpec = z.output<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;

/** One step of a config's `scenario:`: a fault, from `at` (after traffic starts) for `for` (absent: until the end). */
export const ScenarioStep = z
  .discriminatedUnion(
    'type',
    variants({
      at: Duration.meta({ description: 'when the fault starts, counted from when traffic starts: 5s' }),
      for: PositiveDuration.optional().meta({ description: 'how long it lasts (absent: until the run ends)' }),
    }),
  )
  .transform(completeSpec);
export type ScenarioStep = z.output<typeof ScenarioStep>;

export const Scenario = z.array(ScenarioStep).max(LIMITS.scenarioSteps.max, limitMessage(LIMITS.scenarioSteps)).default([]).meta({
  description:
    'faults on a timeline: [{ at: 5s, for: 10s, target: users-1, type: latency, ms: 300 }]; restarts from 0 when the config is applied',
});

/** A target split into a node, or an edge's two ends (`to` may be an external URL upstream). */
export type ParsedTarget = { node: string; edge?: undefined } | { node?: undefined; edge: { from: string; to: string } };

/**
 * An edge is named `from->to`, as written without spaces round its arrow (`api -> users` is
 * `api->users`, the target the page and the events name), and a `to` written as a URL as the origin
 * the config keeps (`lb->http://127.0.0.1:9/` is `lb->http://127.0.0.1:9`), so one edge has one name;
 * anything else is left for the checks.
 */
function normalTarget(target: string): string {
  const parsed = parseTarget(target);
  if (!parsed?.edge) return target;
  const { from, to } = parsed.edge;
  if (!isExternalUrl(to.toLowerCase())) return `${from}->${to}`;
  const checked = checkUpstreamUrl(to);
  return checked.origin === undefined ? target : `${from}->${checked.origin}`;
}

export function parseTarget(target: string): ParsedTarget | undefined {
  const arrow = target.indexOf('->');
  if (arrow === -1) return target.trim() === target && target.length > 0 ? { node: target } : undefined;
  const from = target.slice(0, arrow).trim();
  const to = target.slice(arrow + 2).trim();
  return from && to ? { edge: { from, to } } : undefined;
}

/** Where the fault came from: injected through the control API, or started by the config's scenario. */
export type FaultSource = 'api' | 'scenario';

/** The spec of a fault without its scenario timing. */
export function withoutTiming(step: ScenarioStep): FaultSpec {
  const { at: _at, for: _for, ...spec } = step;
  return spec as FaultSpec;
}
