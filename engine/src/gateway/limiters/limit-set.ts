/**
 * Several limits on one request (a route's and the gateway's, per second and per day): the request
 * passes only if every limit lets it, and a limit that refuses costs the others nothing. Every limit is
 * checked first, and only when all allow are they taken; so a client refused by its daily quota does not
 * also drain its per-second bucket. This is what nginx's limit_req does with several zones (the lookups
 * before the last do not account; a refusal unlocks them untouched) and what Kong's rate limiting does
 * (all counters read before any is incremented). Delays add up as nginx's do: the longest wins.
 *
 * Built once per route from the config (`compileLimits`); `decide` is the per-request call.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import type { LimitDecisionView } from '../../events.ts';
import { createLimiter } from './index.ts';
import { keyReader, type ClientUse, type KeyReader } from './key-reader.ts';
import type { Decision, KeyUse, Limiter, LimiterId, LimiterSummary } from './limiter.ts';
import { rateLimitFieldWriter, rateLimitPolicyField, retryAfterField, type Policy } from './ratelimit-fields.ts';

/** One compiled limit: its policy name, its limiter and the key it counts by. */
export interface CompiledLimit extends Policy {
  readonly limiter: Limiter;
  readonly key: KeyReader;
}

/** The outcome of all limits for one request. */
export interface LimitOutcome {
  readonly allowed: boolean;
  /** The longest delay any limit asks (leaky-bucket without nodelay); 0 when refused. */
  readonly delayMs: number;
  /** The first limit that refused, or -1. */
  readonly refusedBy: number;
  /** When refused: the longest wait among the limits that refused. */
  readonly retryAfterMs: number;
  /** Per limit, in order: its key and decision (for a refused request, what each would have done). */
  readonly keys: readonly string[];
  readonly decisions: readonly Decision[];
  /**
   * Set when a shared store could not decide (unreachable, too slow): what happened and what the
   * store's failure policy did. The decisions are then placeholders, and no RateLimit field is written.
   */
  readonly storeError?: string;
}

/** What a set says about an outcome, whichever store decided it. */
export interface OutcomeViews {
  readonly limits: readonly CompiledLimit[];
  /** The `RateLimit-Policy` value (fixed for the set). */
  readonly policyField: string;
  /** When `decide` needs the client address (the most any limit's key needs): the caller finds it only then. */
  readonly readsClient: ClientUse;
  /** The fields for the response: RateLimit-Policy and RateLimit always, Retry-After on a refusal. */
  fields(outcome: LimitOutcome): Record<string, string>;
  /** Per limit, what it decided and why, as plain data for the decision event and the trace; `generation` is the config's (events.ts). */
  report(outcome: LimitOutcome, generation: number): LimitReport;
}

export interface LimitSet extends OutcomeViews {
  decide(clientAddress: string, consumer: string | undefined, headers: IncomingHttpHeaders, routeIndex: number, now: number): LimitOutcome;
  /**
   * The request of an allowed outcome has ended: frees its concurrency slots, and writes in each such
   * limit's view (its `report`) how many of the key's requests are still in flight (`inFlightAfter`).
   */
  release(outcome: LimitOutcome, views: readonly LimitDecisionView[]): void;
  /** Per limit, its totals and top keys (in words) for the inspector; cost: one pass over each limit's keys. */
  inspect(top: number): LimitInspection[];
}

/** Each limit's decision for one request, in order: the numbers the trace carries (events.ts), and its sentence. */
export interface LimitReport {
  views: LimitDecisionView[];
  /** `token-bucket: consumer mobile has 0 of 20 tokens; refill in 180 ms -> 429`. */
  reasons: string[];
}

/** One limit in the inspector: its totals, and its busiest keys in words. */
export interface LimitInspection extends LimiterSummary {
  name: string;
}

/** Compile limits in the order they apply (the gateway's, then the route's), each with its policy name. */
export function compileLimits(specs: ReadonlyArray<{ spec: LimitSpec; name: string }>): LimitSet {
  return limitSet(specs.map(({ spec, name }) => compileLimit(spec, name)));
}

/**
 * One limit with its own limiter, to put in sets: a gateway-wide limit is compiled once and put in every
 * route's set, so all routes count against the same state.
 */
export function compileLimit(spec: LimitSpec, name: string): CompiledLimit {
  const limiter = createLimiter(spec);
  return { name, quota: limiter.quota, windowSeconds: limiter.windowSeconds, limiter, key: keyReader(spec.key) };
}

/** A set over limiters already built (tests, and callers that share a limiter between routes). */
export function limitSet(limits: readonly CompiledLimit[]): LimitSet {
  const count = limits.length;
  return {
    ...outcomeViews(limits),
    decide(client, consumer, headers, routeIndex, now) {
      const keys = new Array<string>(count);
      for (let i = 0; i < count; i++) keys[i] = limits[i].key.read(client, consumer, headers, routeIndex);
      if (count === 1) {
        const only = limits[0].limiter.take(keys[0], now);
        return outcomeOf(keys, [only], only.allowed ? -1 : 0);
      }
      const decisions = new Array<Decision>(count);
      let refusedBy = -1;
      for (let i = 0; i < count; i++) {
        decisions[i] = limits[i].limiter.check(keys[i], now);
        if (!decisions[i].allowed && refusedBy === -1) refusedBy = i;
      }
      if (refusedBy === -1) {
        for (let i = 0; i < count; i++) decisions[i] = limits[i].limiter.take(keys[i], now);
        return outcomeOf(keys, decisions, -1);
      }
      for (let i = 0; i < count; i++) {
        // Refusals are counted by the limits that refused; the others were not used, so nothing of theirs is spent.
        decisions[i] = decisions[i].allowed ? unspent(decisions[i]) : limits[i].limiter.take(keys[i], now);
      }
      return outcomeOf(keys, decisions, refusedBy);
    },
    release(result, views) {
      if (!result.allowed) return;
      for (let i = 0; i < count; i++) {
        const inFlight = limits[i].limiter.release(result.keys[i]);
        if (inFlight !== undefined) views[i].inFlightAfter = inFlight;
      }
    },
    inspect: (top) => limits.map((limit) => inspectLimit(limit, top)),
  };
}

/** One limit's totals and its `top` busiest and most refused keys, in words, for the inspector. */
export function inspectLimit(limit: CompiledLimit, top: number): LimitInspection {
  return inspectionOf(limit, limit.limiter.inspect(top));
}

/** A summary of `limit` (its limiter's, or a tally of its decisions) as the inspector lists it: named, keys in words. */
export function inspectionOf(limit: CompiledLimit, summary: LimiterSummary): LimitInspection {
  const inWords = (keys: KeyUse[]) => keys.map((use) => ({ ...use, key: limit.key.describe(use.key) }));
  return { name: limit.name, ...summary, topByUse: inWords(summary.topByUse), topByRejections: inWords(summary.topByRejections) };
}

/** The fields and reports of a set's outcomes (shared by the in-memory and the Redis-backed sets). */
export function outcomeViews(limits: readonly CompiledLimit[]): OutcomeViews {
  const policyField = rateLimitPolicyField(limits);
  const rateLimitField = rateLimitFieldWriter(limits);
  const uses = new Set(limits.map((limit) => limit.key.readsClient));
  return {
    limits,
    policyField,
    readsClient: uses.has('always') ? 'always' : uses.has('without-consumer') ? 'without-consumer' : 'never',
    fields(result) {
      const fields: Record<string, string> = { 'ratelimit-policy': policyField };
      // Without the store nothing is known of what remains: RateLimit is left out rather than guessed.
      if (result.storeError === undefined) fields.ratelimit = rateLimitField(result.decisions);
      if (!result.allowed) fields['retry-after'] = retryAfterField(result.retryAfterMs);
      return fields;
    },
    report(result, generation) {
      const views = new Array<LimitDecisionView>(limits.length);
      const reasons = new Array<string>(limits.length);
      for (let i = 0; i < limits.length; i++) {
        const limit = limits[i];
        const d = result.decisions[i];
        const key = limit.key.describe(result.keys[i]);
        views[i] = {
          name: limit.name,
          limiter: d.limiter,
          key,
          allowed: d.allowed,
          delayMs: d.delayMs,
          quota: d.quota,
          remaining: d.remaining,
          resetMs: d.resetMs,
          retryAfterMs: d.retryAfterMs,
          level: d.level,
          generation,
        };
        reasons[i] =
          result.storeError === undefined
            ? limit.limiter.explain(d, key)
            : `${limit.limiter.id}: ${key} not counted: ${result.storeError} -> ${result.allowed ? 'pass' : '503'}`;
      }
      return { views, reasons };
    },
  };
}

/** The outcome of per-limit decisions (in order; `refusedBy` the first refusal or -1). */
export function outcomeOf(keys: string[], decisions: Decision[], refusedBy: number): LimitOutcome {
  let delayMs = 0;
  let retryAfterMs = 0;
  for (const decision of decisions) {
    if (decision.allowed) delayMs = Math.max(delayMs, decision.delayMs);
    else retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
  }
  const allowed = refusedBy === -1;
  return { allowed, delayMs: allowed ? delayMs : 0, refusedBy, retryAfterMs, keys, decisions };
}

/** A check's decision for a request that was refused elsewhere: its quota was not spent, so one more remains. */
export function unspent(decision: Decision): Decision {
  return { ...decision, remaining: Math.min(decision.quota, decision.remaining + 1), delayMs: 0 };
}
