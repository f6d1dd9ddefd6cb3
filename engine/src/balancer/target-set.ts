/**
 * A balancer's targets and everything a pick reads of them: the per-target state every picker may
 * read (weight, in-flight count, eligibility, address), the picker itself, and what production
 * balancers add around it, none of it in a picker: which targets may take a request (draining,
 * backups, active health checks, outlier ejection, circuit breakers, slow start). Each pick names
 * who was left out and why. The l7 pick stage and the l4 listener both pick through it.
 */
import { leftOut } from './health/eligibility.ts';
import { HealthTracker, type HealthSettings, type TargetHealthView } from './health/health-tracker.ts';
import { KeyMemory } from './key-memory.ts';
import { factoryOptions, PICKERS } from './pickers/index.ts';
import type { Candidate, PickContext, Picker } from './picker.ts';
import type { BalancerConfig } from '../config/schema.ts';
import type { Decision, KeyAffinity } from '../events.ts';
import type { NodeContext } from '../nodes/node-server.ts';
import { failureKind } from '../pipeline/retries/failure-kind.ts';
import type { ForwardOutcome } from '../pipeline/verdict.ts';
import type { PartitionMode } from '../faults/partition.ts';

export interface TargetState extends Candidate {
  weight: number;
  inFlight: number;
  eligible: boolean;
  address: string;
  /** False when the target node could not start listening: it has no address to send to. */
  listening: boolean;
  /** Used only when no primary target is eligible. */
  backup: boolean;
  /** Takes no new requests; those in flight finish. */
  draining: boolean;
  /** Requests sent to it (every try) since the config was last applied: the distribution the UI shows. */
  picks: number;
}

/** Who was left out of one pick and why, by target index; `backIn` is the soonest known return (ms). */
interface Eligibility {
  why: Array<string | undefined>;
  left: number;
  backIn: number;
}

/** One target as the inspector shows it: what the picker sees, and what the balancer knows of its health. */
export interface BalancerTargetView extends TargetHealthView {
  id: string;
  weight: number;
  inFlight: number;
  /** Requests sent to it (every try) since the config was last applied. */
  picks: number;
  /** Whether the next pick could choose it (slow start's chance left aside). */
  eligible: boolean;
  address: string;
  backup?: true;
  draining?: true;
  /** Why the next pick would leave it out. */
  excluded?: string;
  /** Its weight scaled by slow start, while it warms up. */
  effectiveWeight?: number;
}

/** A pick's result: a target, with the decision to report, or none, with why and when to come back. */
export type Choice =
  | { target: TargetState; decision: Decision; trial: boolean }
  | { target: null; decision: Decision; retryAfterS: number };

export class TargetSet {
  #targets: TargetState[] = [];
  #picker: Picker | undefined;
  /** The algorithm and options the current picker was built with. */
  #pickerKey = '';
  /** True when no target can be left out by anything but its listener: picks skip the eligibility pass. */
  #plain = true;
  /** Target state outlives a reconfigure, so requests in flight settle on the same counters. */
  readonly #state = new Map<string, TargetState>();
  readonly health: HealthTracker;
  readonly #unsubscribe: () => void;
  #algorithm = '';
  /** Where each request key went last; kept across configs that change only the pool (keys.* metrics). */
  readonly #keys = new KeyMemory();
  /** The mapping the key memory was kept under: algorithm, options, what is hashed, whose address counts. */
  #mappingKey = '';

  constructor(
    readonly node: string,
    readonly ctx: NodeContext,
    partitionOf: (origin: string) => PartitionMode | undefined,
  ) {
    this.health = new HealthTracker({
      node,
      emit: (event) => ctx.bus.emit(event),
      now: () => performance.now(),
      resolve: (target) => ctx.resolve(target),
      partitionOf,
    });
    // A target node that could not start has no address at all: it cannot be picked (503 when none
    // is left). A target that was up and then died is still picked until health checks or passive
    // detection find out, as a real balancer only learns of it from checks and refused connections.
    this.#unsubscribe = ctx.bus.subscribe((event) => {
      if (event.type !== 'node.state') return;
      const target = this.#state.get(event.node);
      if (!target) return;
      target.listening = event.state !== 'failed';
      if (event.port !== null) target.address = `127.0.0.1:${event.port}`;
    });
  }

  get picker(): Picker {
    return this.#picker!;
  }

  dispose(): void {
    this.#unsubscribe();
  }

  /** Take a config's targets, weights, health settings and algorithm; a target's counters outlive it. */
  sync(config: BalancerConfig): void {
    const targets = config.targets.map((t) => (typeof t === 'string' ? { to: t, weight: 1 } : t));
    for (const id of this.#state.keys()) if (!targets.some((t) => t.to === id)) this.#state.delete(id);
    this.#targets = targets.map(({ to, weight, backup, drain }) => {
      let state = this.#state.get(to);
      if (!state) {
        state = {
          id: to,
          weight,
          inFlight: 0,
          picks: 0,
          eligible: true,
          address: this.#addressOf(to),
          listening: true,
          backup: false,
          draining: false,
        };
        this.#state.set(to, state);
      }
      state.weight = weight;
      state.picks = 0;
      state.backup = backup === true;
      state.draining = drain === true;
      return state;
    });
    const health = healthSettingsOf(config);
    this.health.configure(
      health,
      this.#targets.map((t) => t.id),
    );
    this.#plain = Object.keys(health).length === 0 && !this.#targets.some((t) => t.backup || t.draining);
    this.#algorithm = config.algorithm;
    const pickerKey = JSON.stringify([config.algorithm, config.options ?? {}]);
    if (pickerKey !== this.#pickerKey) {
      this.#picker = PICKERS[config.algorithm](factoryOptions(config.options));
      this.#pickerKey = pickerKey;
    }
    const mappingKey = JSON.stringify([pickerKey, config.hashKey ?? null, config.trustedProxies ?? []]);
    if (mappingKey !== this.#mappingKey) {
      this.#keys.clear();
      this.#mappingKey = mappingKey;
    }
  }

  /** Each target's picks back to zero; what a pick reads (in flight, eligibility, the picker's own state, key memory) stays. */
  resetCounts(): void {
    for (const target of this.#targets) target.picks = 0;
  }

  /**
   * A request with affinity key `key` was just sent to `target` (its first pick, after `choose`): how
   * that compares with where the key went last. The last target is in the pool when it is still
   * configured and was eligible for this pick.
   */
  remember(key: string, target: string): KeyAffinity {
    return this.#keys.observe(key, target, (id) => this.#state.get(id)?.eligible === true);
  }

  /**
   * Pick a target for a request (or a connection) with hash key `key`, leaving out the targets already
   * `tried`; the chosen one is counted as dispatched (in flight, picked, a health trial).
   */
  choose(ctx: PickContext, tried: readonly string[]): Choice {
    const picker = this.#picker!;
    const eligibility = this.#eligibility(tried, true);
    const pick = picker.pick(this.#targets, ctx);
    if (pick.target === null) {
      const decision =
        eligibility.left > 0 ? this.#noTargetDecision(picker.id, eligibility) : { stage: 'pick' as const, algorithm: picker.id, reason: pick.reason };
      const retryAfterS = Number.isFinite(eligibility.backIn) ? Math.max(1, Math.ceil(eligibility.backIn / 1000)) : 1;
      return { target: null, decision, retryAfterS };
    }
    const target = this.#state.get(pick.target.id)!;
    target.inFlight++;
    target.picks++;
    const trial = this.health.dispatched(target.id);
    return { target, decision: eligibility.left > 0 ? withExclusions(pick.decision, this.#targets, eligibility) : pick.decision, trial };
  }

  /** A dispatched request (or connection) ended: the picker and the health tracker learn how. */
  settle(target: TargetState, trial: boolean, outcome: ForwardOutcome, ctx: PickContext): void {
    target.inFlight--;
    const kind = failureKind(outcome);
    this.#picker!.onSettled?.({ target: target.id, durationMs: outcome.durationMs, failed: kind !== undefined && kind !== 'aborted' }, ctx);
    this.health.settled(target.id, outcome, trial);
  }

  /** `host:port` of a target, as a reference engine's config would write the server. */
  #addressOf(target: string): string {
    const origin = this.ctx.resolve(target);
    return origin === undefined ? target : new URL(origin).host;
  }

  /**
   * Decide which targets may take this request (eligibility.ts) and set their `eligible` flags for
   * the picker. On its own a target is out when it is not listening, draining, failing its health
   * checks, ejected, or its circuit is open; then come backups, the targets a retry already tried,
   * and, with `admit`, slow start's admission.
   */
  #eligibility(tried: readonly string[], admit: boolean): Eligibility {
    const targets = this.#targets;
    const result: Eligibility = { why: [], left: 0, backIn: Number.POSITIVE_INFINITY };
    if (this.#plain && tried.length === 0) {
      for (const t of targets) t.eligible = t.listening;
      if (targets.every((t) => t.listening)) return result;
    }
    const ruledOut = targets.map((t) => {
      if (!t.listening) return 'not listening (the node could not start)';
      if (t.draining) return 'draining';
      const exclusion = this.health.exclusion(t.id);
      if (exclusion?.backInMs !== undefined) result.backIn = Math.min(result.backIn, exclusion.backInMs);
      return exclusion?.text;
    });
    const slowStart = admit && this.health.settings.slowStart !== undefined;
    result.why = leftOut({
      ids: targets.map((t) => t.id),
      backup: targets.map((t) => t.backup),
      ruledOut,
      tried,
      ...(slowStart ? { warming: (i: number) => this.health.warming(targets[i].id), rng: this.ctx.rng } : {}),
    });
    targets.forEach((t, i) => {
      t.eligible = result.why[i] === undefined;
      if (!t.eligible) result.left++;
    });
    return result;
  }

  #noTargetDecision(algorithm: string, eligibility: Eligibility): Decision {
    const { why } = eligibility;
    return {
      stage: 'pick',
      algorithm,
      reason: `no eligible target: ${this.#targets.map((t, i) => `${t.id} ${why[i] ?? 'not eligible'}`).join('; ')}`,
      candidates: this.#targets.map((t, i) => ({ id: t.id, eligible: false, excluded: why[i] ?? 'not eligible' })),
    };
  }

  /** The live algorithm state for the inspector, with each target's health, ejection and circuit. */
  algorithmState(): {
    algorithm: string;
    next: string | undefined;
    targets: BalancerTargetView[];
    state: unknown;
  } {
    const { why } = this.#eligibility([], false);
    return {
      algorithm: this.#algorithm,
      next: this.#picker?.peek?.(this.#targets),
      targets: this.#targets.map(({ id, weight, inFlight, picks, eligible, address, backup, draining }, i) => {
        const health = this.health.view(id);
        return {
          id,
          weight,
          inFlight,
          picks,
          eligible,
          address,
          ...(backup ? { backup: true as const } : {}),
          ...(draining ? { draining: true as const } : {}),
          ...(why[i] === undefined ? {} : { excluded: why[i] }),
          ...(health.slowStart ? { effectiveWeight: Math.round(weight * health.slowStart.factor * 100) / 100 } : {}),
          ...health,
        };
      }),
      state: this.#picker?.state?.(this.#targets),
    };
  }
}

/** The picker's decision, with who the balancer left out and why added to the reason and the candidates. */
function withExclusions(decision: Decision, targets: readonly TargetState[], { why }: Eligibility): Decision {
  const notes: string[] = [];
  const byId = new Map<string, string>();
  targets.forEach((t, i) => {
    if (why[i] === undefined) return;
    notes.push(`${t.id} ${why[i]}`);
    byId.set(t.id, why[i]);
  });
  return {
    ...decision,
    reason: `${decision.reason}; left out: ${notes.join('; ')}`,
    ...(decision.candidates
      ? { candidates: decision.candidates.map((c) => (byId.has(c.id) ? { ...c, excluded: byId.get(c.id) } : c)) }
      : {}),
  };
}

function healthSettingsOf(config: BalancerConfig): HealthSettings {
  const { healthCheck, outlierDetection, circuitBreaker, slowStart } = config;
  const settings: HealthSettings = {};
  if (healthCheck) {
    const { path, interval, timeout, rise, fall } = healthCheck;
    settings.healthCheck = { path, intervalMs: interval, timeoutMs: timeout, rise, fall };
  }
  if (outlierDetection) {
    const { consecutiveFailures, failureRate, baseEjectionTime, maxEjectionTime, maxEjectionPercent } = outlierDetection;
    settings.outlierDetection = {
      consecutiveFailures,
      ...(failureRate
        ? { failureRate: { percent: failureRate.percent, minRequests: failureRate.minRequests, windowMs: failureRate.window } }
        : {}),
      baseEjectionMs: baseEjectionTime,
      maxEjectionMs: maxEjectionTime,
      maxEjectionPercent,
    };
  }
  if (circuitBreaker) {
    const { consecutiveFailures, coolDown, trialRequests } = circuitBreaker;
    settings.circuitBreaker = { consecutiveFailures, coolDownMs: coolDown, trialRequests };
  }
  if (slowStart)
    settings.slowStart = { windowMs: slowStart.window, aggression: slowStart.aggression, minWeightPercent: slowStart.minWeightPercent };
  return settings;
}
