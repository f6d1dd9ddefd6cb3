/**
 * The gateway's rate-limit stage: every limit on the request's route (the gateway's own, then the
 * route's) decides for the request's key (gateway/limiters/). Refused: 429 with Retry-After and the
 * IETF RateLimit-Policy / RateLimit fields. Allowed: the same fields on whatever answer goes back (a
 * response step), after waiting when a leaky bucket without `nodelay` says so (the request really
 * waits, as nginx delays it). Limits live in memory, or in Redis when the gateway names a `store`, so
 * that several gateways enforce one limit; when that store does not answer, its stated policy
 * (`onStoreError: open | closed`) decides. Each decision, with the numbers behind it and the config
 * generation it was made under, goes in the trace; a concurrency slot is given back as the response
 * closes, and the trace says how many of the key's requests are still in flight after it.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { EventBus } from '../../bus.ts';
import type { LimitDecisionView } from '../../events.ts';
import { limitList, policyNames, type LimitSpec } from '../../config/gateway/rate-limit.ts';
import type { GatewayConfig } from '../../config/schema.ts';
import type { Exchange, ResponseStep } from '../../pipeline/exchange.ts';
import { clientOf } from '../../pipeline/real-ip.ts';
import { SKIP, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import {
  compileLimit,
  inspectLimit,
  limitSet,
  type CompiledLimit,
  type LimitInspection,
  type LimitOutcome,
  type OutcomeViews,
} from '../limiters/limit-set.ts';
import { mergedField } from '../limiters/ratelimit-fields.ts';
import { RedisLimitStore, storeScope, type SharedLimitSet } from '../limiters/redis-store.ts';
import type { GatewayRequest } from '../request.ts';

/** A route's limits, decided in memory or in the shared store. */
interface RouteLimits extends OutcomeViews {
  decide(
    client: string,
    consumer: string | undefined,
    headers: GatewayExchange['req']['headers'],
    route: number,
    now: number,
  ): LimitOutcome | Promise<LimitOutcome>;
  release?(outcome: LimitOutcome, views: readonly LimitDecisionView[]): void;
}

type GatewayExchange = Exchange<GatewayRequest>;

/** One limit as the inspector lists it: where it applies, its config, and its totals and busiest keys. */
export interface LimitView {
  /** The policy name, as RateLimit-Policy and the decisions name it. */
  name: string;
  /** `gateway`, or `route N` (1-based, as the table shows routes). */
  scope: string;
  /** Where the config writes it: the route's index (null for the gateway's own) and its place in that `rateLimit` list. */
  at: { route: number | null; index: number };
  spec: LimitSpec;
  /** Totals and top keys; absent for limits kept in a shared store (their counts live there). */
  inspection?: LimitInspection;
  /** For a limit kept in a shared store: this gateway instance's own decisions and keys, not the shared count. */
  local?: LimitInspection;
}

export interface RateLimiting {
  readonly stage: Stage<GatewayRequest>;
  /** Every limit once (a gateway-wide limit is shared by every route), for the inspector. */
  view(top: number): LimitView[];
  /** Zero what `view` counts (each limit's totals and keys' uses, this instance's tallies); the limits' state stays. */
  resetCounts(): void;
  /** Disconnect from the shared store, if any. */
  close(): void;
}

/**
 * The rate-limit stage and what the inspector reads of it, or undefined when the gateway has no limits;
 * `generation` is the config's (`config.applied`), which every decision carries.
 */
export function createRateLimiting(config: GatewayConfig, node: string, bus: EventBus, generation: number): RateLimiting | undefined {
  const gatewaySpecs = limitList(config.rateLimit);
  const routeSpecs = config.routes.map((route) => limitList(route.rateLimit));
  if (gatewaySpecs.length === 0 && routeSpecs.every((specs) => specs.length === 0)) return undefined;

  const store =
    config.store === undefined
      ? undefined
      : new RedisLimitStore({
          url: config.store.redis,
          onStoreError: config.store.onStoreError,
          timeoutMs: config.store.timeout,
          onState: (event) => bus.emit({ type: 'limiter.store', node, ...event }),
        });
  // A gateway-wide limit is compiled once and put in every route's set: all routes count against it.
  const gatewayNames = policyNames(gatewaySpecs, []);
  const gatewayLimits = gatewaySpecs.map((spec, i) => compileLimit(spec, gatewayNames[i]));
  const views: Array<Omit<LimitView, 'inspection'> & { limit?: CompiledLimit }> = gatewaySpecs.map((spec, i) => ({
    scope: 'gateway',
    at: { route: null, index: i },
    spec,
    name: gatewayNames[i],
    // In a shared store the counts live there: this instance's limiters count nothing.
    limit: store === undefined ? gatewayLimits[i] : undefined,
  }));

  const byRoute: Array<RouteLimits | undefined> = routeSpecs.map((specs, route) => {
    if (gatewaySpecs.length === 0 && specs.length === 0) return undefined;
    const names = policyNames(gatewaySpecs, specs);
    if (store !== undefined) {
      specs.forEach((spec, j) =>
        views.push({ scope: `route ${route + 1}`, at: { route, index: j }, spec, name: names[gatewaySpecs.length + j] }),
      );
      const shared: SharedLimitSet = store.limitSet([
        ...gatewaySpecs.map((spec, i) => ({ spec, name: names[i], scope: storeScope(null) })),
        ...specs.map((spec, j) => ({ spec, name: names[gatewaySpecs.length + j], scope: storeScope(route) })),
      ]);
      return shared;
    }
    const own = specs.map((spec, j) => compileLimit(spec, names[gatewaySpecs.length + j]));
    own.forEach((limit, j) =>
      views.push({ scope: `route ${route + 1}`, at: { route, index: j }, spec: specs[j], name: limit.name, limit }),
    );
    const set = limitSet([...gatewayLimits, ...own]);
    const holdsSlots = set.limits.some((limit) => limit.limiter.id === 'concurrency');
    return holdsSlots ? set : { ...set, release: undefined };
  });

  // The fields go beside the upstream's own (its Retry-After wins), and not on a redirect: the draft
  // says servers SHOULD avoid them there, as a low quota could stop a client from following it.
  const fieldsStep: ResponseStep<GatewayRequest> = {
    name: 'rate-limit',
    headers(exchange, status, headers: OutgoingHttpHeaders) {
      const fields = exchange.local!.limitFields;
      if (fields === undefined || (status >= 300 && status < 400)) return;
      for (const name in fields)
        headers[name] = name === 'retry-after' ? (headers[name] ?? fields[name]) : mergedField(fields[name], headers[name]);
    },
  };
  // A route whose limits hold concurrency slots also gives them back as the response closes: one step
  // for every such request, its outcome kept on the exchange (no closure per request).
  const slotsStep: ResponseStep<GatewayRequest> = {
    ...fieldsStep,
    closed(exchange) {
      const local = exchange.local!;
      byRoute[local.hit.route]!.release!(local.heldSlots!, local.limitViews!);
    },
  };

  const stage: Stage<GatewayRequest> = {
    name: 'rate-limit',
    run(exchange) {
      const local = exchange.local!;
      const limits = byRoute[local.hit.route];
      if (limits === undefined) return SKIP;
      const { req } = exchange;
      const consumer = exchange.consumer?.name;
      const reads = limits.readsClient;
      const client = reads === 'always' || (reads === 'without-consumer' && consumer === undefined) ? clientOf(exchange) : '';
      const outcome = limits.decide(client, consumer, req.headers, local.hit.route, Date.now());
      return outcome instanceof Promise ? outcome.then((o) => carryOut(exchange, limits, o)) : carryOut(exchange, limits, outcome);
    },
  };

  function carryOut(exchange: GatewayExchange, limits: RouteLimits, outcome: LimitOutcome): Verdict | Promise<Verdict> {
    // Each limit's sentence is in the step's reason: the numbers go alone, so each request's event stays small.
    const { views: numbers, reasons } = limits.report(outcome, generation);
    const fields = limits.fields(outcome);
    if (!outcome.allowed) {
      const storeDown = outcome.storeError !== undefined;
      return {
        kind: 'respond',
        error: storeDown ? 'EDGE_RATE_LIMIT_STORE_DOWN' : 'EDGE_RATE_LIMITED',
        headers: fields,
        decision: { stage: 'rate-limit', reason: reasons[Math.max(0, outcome.refusedBy)] },
        limits: numbers,
      };
    }
    const local = exchange.local!;
    local.limitFields = fields;
    if (limits.release === undefined) exchange.onResponse(fieldsStep);
    else {
      local.heldSlots = outcome;
      local.limitViews = numbers;
      exchange.onResponse(slotsStep);
    }
    const reason = reasons.length === 1 ? reasons[0] : reasons.join('; ');
    if (outcome.delayMs <= 0) return { kind: 'continue', reason, limits: numbers };
    // nginx's limit_req without nodelay: the request waits its turn, then goes on. A client that leaves
    // meanwhile ends the wait, as nginx finalizes its request (the runner drops it): the timer held the
    // request for the whole wait, so a client sending and dropping requests piled them up in memory.
    return new Promise((resolve) => {
      const waited: Verdict = { kind: 'continue', reason: `${reason}; waited ${outcome.delayMs} ms`, limits: numbers };
      const left = () => {
        clearTimeout(timer);
        resolve(waited);
      };
      const timer = setTimeout(() => {
        exchange.res.off('close', left);
        resolve(waited);
      }, outcome.delayMs);
      exchange.res.once('close', left);
    });
  }

  return {
    stage,
    view: (top) =>
      views.map(({ scope, at, spec, name, limit }) => ({
        name,
        scope,
        at,
        spec,
        ...(limit === undefined ? {} : { inspection: inspectLimit(limit, top) }),
        ...(store === undefined ? {} : { local: store.inspect(storeScope(at.route), name, top) }),
      })),
    resetCounts() {
      for (const { limit } of views) limit?.limiter.resetCounts();
      store?.resetCounts();
    },
    close: () => store?.close(),
  };
}
