/**
 * Switching a rate limit's algorithm is an edit of the running config, which the engine validates as a
 * whole: read it (`GET /api/config`), change that one limit, send it back (`PUT /api/config`). The new
 * limit keeps the old one's key and name and the same average rate, so the switch compares algorithms,
 * not numbers: a rate of r a second with a burst of b becomes a window of b requests per b/r seconds
 * (at least 1 s), and back; concurrency keeps the burst (or the window's limit) as its slots.
 */

import { parseDuration } from '../../../../engine/src/config/duration-text.ts';

export const LIMITER_CHOICES = [
  'token-bucket',
  'leaky-bucket',
  'fixed-window',
  'sliding-window-counter',
  'sliding-window-log',
  'gcra',
  'concurrency',
] as const;
export type LimiterChoice = (typeof LIMITER_CHOICES)[number];

/** What each algorithm does, in a line, for the switch's options. */
export const LIMITER_MEANINGS: Record<LimiterChoice, string> = {
  'token-bucket': 'tokens refill at the rate, up to the burst: smooth, allows short bursts',
  'leaky-bucket': "nginx's limit_req: the excess over the rate waits or, past the burst, is refused",
  'fixed-window': 'a count per clock window: up to twice the limit can pass across a boundary',
  'sliding-window-counter': 'the last window weighted in: no boundary burst, one counter pair per key',
  'sliding-window-log': 'every request time kept: exact, memory grows with the limit',
  gcra: 'one timestamp per key, the same promise as a token bucket',
  concurrency: 'requests at once, not per second',
};

/** Where a limit is written: the route's index (null for the gateway's own) and its place in that `rateLimit`. */
export interface LimitPlace {
  route: number | null;
  index: number;
}

type Spec = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The limit's new spec: the same key and name and, as near as the algorithm allows, the same average rate. */
export function convertLimit(spec: Spec, algorithm: LimiterChoice): Spec {
  const keep = { key: spec.key, ...(spec.name === undefined ? {} : { name: spec.name }) };
  const windowMs = windowOf(spec.window);
  const rate = typeof spec.rate === 'number' ? spec.rate : typeof spec.limit === 'number' && windowMs ? (spec.limit * 1000) / windowMs : 1;
  const burst =
    typeof spec.burst === 'number' && spec.burst > 0 ? spec.burst : typeof spec.limit === 'number' ? spec.limit : Math.max(1, Math.round(rate));
  switch (algorithm) {
    case 'token-bucket':
    case 'gcra':
      return { algorithm, rate: round(rate), burst, ...keep };
    case 'leaky-bucket':
      return { algorithm, rate: round(rate), burst, nodelay: true, ...keep };
    case 'concurrency':
      return { algorithm, limit: burst, ...keep };
    default: {
      const seconds = Math.max(1, Math.round(burst / rate));
      return { algorithm, limit: Math.max(1, Math.round(rate * seconds)), window: `${seconds}s`, ...keep };
    }
  }
}

/** A copy of `config` with the limit at `place` on gateway `nodeId` running `algorithm`; throws when there is no such limit. */
export function withLimiter(config: unknown, nodeId: string, place: LimitPlace, algorithm: LimiterChoice): unknown {
  const copy = structuredClone(config) as { nodes?: unknown };
  const node = Array.isArray(copy.nodes) ? (copy.nodes as Spec[]).find((n) => isRecord(n) && n.id === nodeId) : undefined;
  if (!node || node.kind !== 'gateway') throw new Error(`the running config has no gateway "${nodeId}"`);
  const owner = place.route === null ? node : (node.routes as Spec[] | undefined)?.[place.route];
  if (!isRecord(owner)) throw new Error(`gateway "${nodeId}" has no route ${(place.route ?? 0) + 1}`);
  const limits = owner.rateLimit;
  const list = Array.isArray(limits) ? limits : isRecord(limits) ? [limits] : [];
  const spec = list[place.index];
  if (!isRecord(spec)) throw new Error(`no rate limit at that place on "${nodeId}"`);
  const next = convertLimit(spec, algorithm);
  owner.rateLimit = Array.isArray(limits) ? list.map((l, i) => (i === place.index ? next : l)) : next;
  return copy;
}

/** A window as the config writes it (`1m`, `500ms`, `1m30s`, or ms as a number), in ms: read as the engine reads it. */
function windowOf(value: unknown): number | undefined {
  return typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
