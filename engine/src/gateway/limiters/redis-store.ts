/**
 * Limits shared through Redis, so several gateway instances enforce one limit: every request's limits
 * are decided by one atomic script (redis-script.ts) in one round trip, on keys the instances share.
 * The clock is the caller's `now`, so instances must pass one epoch clock (Date.now()); a key's state
 * expires in Redis once it is back to new, so the store bounds itself.
 *
 * When Redis is away, no request waits for it: commands are not queued while disconnected (they fail at
 * once) and one that gets no answer within `timeoutMs` fails. The failure policy then answers:
 * `open` lets the request pass (as Kong's `fault_tolerant` and Envoy's default), `closed` refuses it
 * (503 EDGE_RATE_LIMIT_STORE_DOWN). The client reconnects on its own; `onState` hears the store go down
 * and come back (LimitStoreEvent, for the engine's event stream).
 *
 * The count itself is in Redis, where listing a limit's keys would cost a scan; so each instance also
 * tallies the decisions it carried out (decision-tally.ts), for its inspector (`inspect`). A limit the
 * gateway applies on every route (scope `gateway`) has one tally, however many routes' sets include it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Redis } from 'ioredis';
import type { LimitSpec } from '../../config/gateway/rate-limit.ts';
import { DecisionTally } from './decision-tally.ts';
import { decision, type Decision } from './limiter.ts';
import {
  compileLimit,
  inspectionOf,
  outcomeOf,
  outcomeViews,
  unspent,
  type CompiledLimit,
  type LimitInspection,
  type LimitOutcome,
  type OutcomeViews,
} from './limit-set.ts';
import { algorithmArgs, isShared, LIMITS_SCRIPT } from './redis-script.ts';

/** The payload of the event a store's state change is (the engine names and stamps it). */
export interface LimitStoreEvent {
  state: 'down' | 'up';
  /** The store as the config names it: `redis://127.0.0.1:6379`. */
  store: string;
  /** Why it went down (the client's last error). */
  reason?: string;
  /** What requests get meanwhile. */
  onStoreError: 'open' | 'closed';
}

export interface RedisStoreOptions {
  url: string;
  onStoreError: 'open' | 'closed';
  /** The longest a decision waits for Redis before the failure policy answers (default 100 ms). */
  timeoutMs?: number;
  /** Prefix of every key, the same on every instance that shares the limits (default `edgelab:ratelimit:`). */
  keyPrefix?: string;
  onState?: (event: LimitStoreEvent) => void;
}

/** A set of limits decided in Redis: the same outcome, fields and reports as an in-memory set. */
export interface SharedLimitSet extends OutcomeViews {
  decide(
    clientAddress: string,
    consumer: string | undefined,
    headers: IncomingHttpHeaders,
    routeIndex: number,
    now: number,
  ): Promise<LimitOutcome>;
}

/** A refusal under `closed` asks the client to come back in a second: the store's return is unknown. */
export const STORE_DOWN_RETRY_MS = 1000;
export const DEFAULT_STORE_TIMEOUT_MS = 100;

type LimitsCommand = (keyCount: number, ...args: Array<string | number>) => Promise<string[]>;

/** The scope a gateway's limit is kept under (`limitSet`, `inspect`): `gateway` for its own, `route-N` for route N's (0-based). */
export function storeScope(route: number | null): string {
  return route === null ? 'gateway' : `route-${route}`;
}

export class RedisLimitStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private lastError: string | undefined;
  /** This instance's decisions per limit, by the limit's key prefix (so by scope and name). */
  private readonly tallies = new Map<string, { limit: CompiledLimit; tally: DecisionTally }>();

  constructor(private readonly options: RedisStoreOptions) {
    this.prefix = options.keyPrefix ?? 'edgelab:ratelimit:';
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS,
      connectTimeout: 1000,
      // Reconnect for as long as the store is configured: quickly at first, then every second.
      retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    });
    this.redis.defineCommand('edgelabLimits', { lua: LIMITS_SCRIPT });
    this.redis.on('error', (error: Error) => (this.lastError = error.message));
    this.redis.on('ready', () => {
      this.state = 'up';
      this.lastError = undefined;
      options.onState?.({ state: 'up', store: options.url, onStoreError: options.onStoreError });
    });
    this.redis.on('close', () => {
      if (this.state === 'down') return;
      this.state = 'down';
      options.onState?.({
        state: 'down',
        store: options.url,
        reason: this.lastError ?? 'connection closed',
        onStoreError: options.onStoreError,
      });
    });
  }

  /** True while connected. */
  get up(): boolean {
    return this.state === 'up';
  }

  /** Resolves once connected (or at once if it is), false if not within `timeoutMs`. */
  ready(timeoutMs = 5000): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.redis.once('ready', onReady);
    });
  }

  /**
   * Limits decided in this store, in the order they apply. Each limit's `scope` names where it applies
   * (`gateway` for the gateway's own, `route-2` for a route's) so that instances with the same config
   * share the same keys, every route shares the gateway's limits, and two routes' limits stay apart.
   */
  limitSet(specs: ReadonlyArray<{ spec: LimitSpec; name: string; scope: string }>): SharedLimitSet {
    const limits = specs.map(({ spec, name }) => compileLimit(spec, name));
    const args = specs.flatMap(({ spec }) => {
      if (!isShared(spec))
        throw new Error(`${spec.algorithm} is not kept in a shared store; use sliding-window-counter or keep it per instance`);
      return algorithmArgs(spec);
    });
    const prefixes = specs.map(({ name, scope }) => `${this.prefix}${scope}:${name}:`);
    const tallies = prefixes.map((prefix, i) => this.tallyOf(prefix, limits[i]));
    // Each algorithm keeps its state in fields of its own: a limit switched to another under the same
    // name must not read the fields the other left (sliding-window-counter's script failed on them).
    const keyPrefixes = specs.map(({ spec }, i) => `${prefixes[i]}${spec.algorithm}:`);
    const count = limits.length;
    const run = (this.redis as unknown as { edgelabLimits: LimitsCommand }).edgelabLimits.bind(this.redis);
    const options = this.options;
    const failed = (keys: string[], error: unknown): LimitOutcome => {
      const open = options.onStoreError === 'open';
      const why = error instanceof Error ? error.message : String(error);
      const placeholders = limits.map((limit) => decision(limit.limiter.id, open, limit.quota, 0, 0, open ? 0 : STORE_DOWN_RETRY_MS, 0));
      const outcome = outcomeOf(keys, placeholders, open ? -1 : 0);
      return {
        ...outcome,
        storeError: `the limit store ${options.url} did not answer (${why}); onStoreError ${options.onStoreError} ${open ? 'lets requests pass' : 'refuses them'}`,
      };
    };
    return {
      ...outcomeViews(limits),
      async decide(client, consumer, headers, routeIndex, now) {
        const keys = limits.map((limit) => limit.key.read(client, consumer, headers, routeIndex));
        let reply: string[];
        try {
          reply = await run(count, ...keys.map((key, i) => keyPrefixes[i] + key), now, count, ...args);
        } catch (error) {
          return failed(keys, error);
        }
        const decisions: Decision[] = [];
        let refusedBy = -1;
        for (let i = 0; i < count; i++) {
          const [allowed, remaining, resetMs, retryAfterMs, level, delayMs] = reply.slice(i * 6, i * 6 + 6).map(Number);
          decisions.push(decision(limits[i].limiter.id, allowed === 1, limits[i].quota, remaining, resetMs, retryAfterMs, level, delayMs));
          if (allowed !== 1 && refusedBy === -1) refusedBy = i;
        }
        // Counted as in memory: a refusal by the limits that refused; the others were not spent.
        for (let i = 0; i < count; i++) if (refusedBy === -1 || !decisions[i].allowed) tallies[i].record(keys[i], decisions[i], now);
        // The script wrote nothing when one refused: the others' quota is unspent, as in memory.
        return outcomeOf(keys, refusedBy === -1 ? decisions : decisions.map((d) => (d.allowed ? unspent(d) : d)), refusedBy);
      },
    };
  }

  /**
   * This instance's own decisions for the limit `name` kept under `scope` (storeScope): its totals and
   * its `top` keys in words, or undefined for a limit no set of this store holds. Not the limit's count,
   * which Redis keeps for every instance together.
   */
  inspect(scope: string, name: string, top: number): LimitInspection | undefined {
    const held = this.tallies.get(`${this.prefix}${scope}:${name}:`);
    return held && inspectionOf(held.limit, held.tally.summary(held.limit.limiter.id, top));
  }

  /** Zero this instance's tallies (what `inspect` reports); the shared count in Redis is every instance's, and stays. */
  resetCounts(): void {
    for (const { tally } of this.tallies.values()) tally.resetCounts();
  }

  private tallyOf(prefix: string, limit: CompiledLimit): DecisionTally {
    let held = this.tallies.get(prefix);
    if (held === undefined) this.tallies.set(prefix, (held = { limit, tally: new DecisionTally() }));
    return held.tally;
  }

  /** Disconnect at once (no reconnecting, nothing waits for a reply). */
  close(): void {
    this.state = 'down';
    this.redis.disconnect();
  }
}
