/**
 * One balancer's knowledge of its targets' health, from the three sources a production balancer
 * has: active health checks (HealthChecker, judged by rise/fall), passive outlier detection on the
 * requests it forwards (TargetOutlier), and a circuit breaker per target. It answers the one question
 * the picking stage asks, "may this target take a new request now, and if not, why", and it starts
 * slow start when a target comes back. Every change is an event with the numbers that decided it.
 * Each source is off unless configured; with none configured every target is always healthy.
 */
import { MAX_TIMER_MS } from '../../config/limits.ts';
import type { PartitionMode } from '../../faults/partition.ts';
import type { EngineEventBody, HealthChange } from '../../events.ts';
import {
  circuitAdmits,
  CLOSED_CIRCUIT,
  coolDownLeft,
  stepCircuit,
  type Circuit,
  type CircuitConfig,
  type CircuitInput,
} from '../resilience/circuit-breaker.ts';
import { describeFailure, failureKind, type TryOutcome } from '../../pipeline/retries/failure-kind.ts';
import { HealthChecker, type CheckResult, type HealthCheckConfig } from './health-checker.ts';
import { mayEject, TargetOutlier, type Outlier, type OutlierConfig } from './outlier.ts';
import { HEALTHY, recordCheck, type CheckState } from './rise-fall.ts';
import { slowStartFactor, type SlowStartConfig } from './slow-start.ts';

export interface HealthSettings {
  healthCheck?: HealthCheckConfig;
  outlierDetection?: OutlierConfig;
  circuitBreaker?: CircuitConfig;
  slowStart?: SlowStartConfig;
}

/** Why a target may not take a new request now. */
export interface Exclusion {
  /** For the decision: `ejected for 2300 ms more (ejection 2)`. */
  text: string;
  /** When the target may be back, if that is known (an ejection or a cool-down ending). */
  backInMs?: number;
}

/** A target's health as the inspector shows it; each part only when its source is configured. */
export interface TargetHealthView {
  health?: {
    state: 'healthy' | 'unhealthy';
    streak: number;
    rise: number;
    fall: number;
    lastCheck?: { passed: boolean; reason: string; agoMs: number };
  };
  ejection?: {
    ejected: boolean;
    remainingMs: number;
    timesEjected: number;
    consecutiveFailures: number;
    windowRequests: number;
    windowFailures: number;
  };
  circuit?: { state: Circuit['state']; failures: number; remainingMs: number; trialsInFlight: number; trialSuccesses: number };
  slowStart?: { factor: number; remainingMs: number };
}

interface TargetRecord {
  readonly id: string;
  check: CheckState;
  lastCheck: (CheckResult & { at: number }) | undefined;
  readonly outlier: TargetOutlier;
  circuit: Circuit;
  /** When slow start began (the target came back), while it lasts. */
  warmingSince: number | undefined;
}

export interface HealthTrackerDeps {
  /** The balancer's node id, for the events. */
  node: string;
  emit(event: EngineEventBody): void;
  /** Monotonic milliseconds. */
  now(): number;
  /** The origin of a target, or undefined when it has no address. */
  resolve(target: string): string | undefined;
  /**
   * Whether the balancer's edge to an origin is partitioned (a `partition` fault): probes travel the
   * same edge as traffic, so they fail the same way. Absent: never.
   */
  partitionOf?(origin: string): PartitionMode | undefined;
}

export class HealthTracker {
  readonly #records = new Map<string, TargetRecord>();
  #settings: HealthSettings = {};
  #checker: HealthChecker | undefined;
  #started = false;
  /** One timer, set for the earliest ejection end or cool-down end, so those changes are reported without traffic. */
  #wake: NodeJS.Timeout | undefined;

  constructor(private readonly deps: HealthTrackerDeps) {}

  /** The balancer's edges changed (a partition started or healed): probe connections start afresh. */
  resetProbeConnections(): void {
    this.#checker?.resetConnections();
  }

  get settings(): HealthSettings {
    return this.#settings;
  }

  /** Adopt the targets and settings of a (new) config; targets that stay keep their state. */
  configure(settings: HealthSettings, targets: readonly string[]): void {
    for (const id of this.#records.keys()) if (!targets.includes(id)) this.#records.delete(id);
    for (const id of targets) {
      if (!this.#records.has(id)) {
        this.#records.set(id, {
          id,
          check: HEALTHY,
          lastCheck: undefined,
          outlier: new TargetOutlier(),
          circuit: CLOSED_CIRCUIT,
          warmingSince: undefined,
        });
      }
    }
    // A source that is turned off forgets what it knew, so it cannot keep a target out.
    for (const record of this.#records.values()) {
      if (!settings.healthCheck) {
        record.check = HEALTHY;
        record.lastCheck = undefined;
      }
      if (!settings.outlierDetection && record.outlier.ejectedUntil !== undefined) record.outlier.returnIfDue(Number.POSITIVE_INFINITY);
      if (!settings.circuitBreaker) record.circuit = CLOSED_CIRCUIT;
      if (!settings.slowStart) record.warmingSince = undefined;
    }
    const checkChanged = JSON.stringify(settings.healthCheck) !== JSON.stringify(this.#checker?.config);
    this.#settings = settings;
    if (checkChanged) {
      this.#checker?.stop();
      this.#checker = settings.healthCheck
        ? new HealthChecker(
            settings.healthCheck,
            () => [...this.#records.keys()],
            this.deps.resolve,
            (id, result) => this.#onCheck(id, result),
            { sender: this.deps.node, partitionOf: this.deps.partitionOf },
          )
        : undefined;
      if (this.#started) this.#checker?.start();
    }
    this.#schedule();
  }

  /** The balancer listens: health checks run, and ejections and cool-downs end on time. */
  start(): void {
    this.#started = true;
    this.#checker?.start();
    this.#schedule();
  }

  /** The balancer stopped: health checks pause, and no timer is left behind. */
  stop(): void {
    this.#started = false;
    this.#checker?.stop();
    clearTimeout(this.#wake);
    this.#wake = undefined;
  }

  /** Why `target` may not take a new request now, or undefined. Applies changes that are due first. */
  exclusion(target: string): Exclusion | undefined {
    const record = this.#records.get(target);
    if (!record) return undefined;
    const now = this.deps.now();
    this.#advance(record, now);
    if (!record.check.healthy) {
      return { text: `health check failing (${record.lastCheck?.reason ?? 'no check passed yet'})` };
    }
    const { ejectedUntil, timesEjected } = record.outlier;
    if (ejectedUntil !== undefined) {
      const backInMs = ejectedUntil - now;
      return { text: `ejected for ${Math.ceil(backInMs)} ms more (ejection ${timesEjected})`, backInMs };
    }
    const circuitConfig = this.#settings.circuitBreaker;
    if (circuitConfig && !circuitAdmits(record.circuit, circuitConfig)) {
      if (record.circuit.state === 'open') {
        const backInMs = coolDownLeft(record.circuit, now, circuitConfig);
        return { text: `circuit open (${Math.ceil(backInMs)} ms of cool-down left)`, backInMs };
      }
      const { trialsInFlight, trialSuccesses } = record.circuit;
      return { text: `circuit half-open (trial requests taken: ${trialsInFlight + trialSuccesses} of ${circuitConfig.trialRequests})` };
    }
    return undefined;
  }

  /** The slow-start factor in (0, 1] for `target`, or undefined when it is not warming up. */
  warming(target: string): number | undefined {
    const record = this.#records.get(target);
    const config = this.#settings.slowStart;
    if (!record || !config || record.warmingSince === undefined) return undefined;
    const elapsed = this.deps.now() - record.warmingSince;
    if (elapsed >= config.windowMs) {
      record.warmingSince = undefined;
      return undefined;
    }
    return slowStartFactor(elapsed, config);
  }

  /** A request is being sent to `target`; true when it goes as a half-open circuit's trial. */
  dispatched(target: string): boolean {
    const record = this.#records.get(target);
    if (!record || !this.#settings.circuitBreaker || record.circuit.state !== 'half-open') return false;
    this.#step(record, { type: 'TRIAL_STARTED' });
    return true;
  }

  /** A request to `target` ended: outlier detection and the circuit breaker learn from it. */
  settled(target: string, outcome: TryOutcome, trial: boolean): void {
    const record = this.#records.get(target);
    if (!record) return;
    const kind = failureKind(outcome);
    if (kind === 'aborted') {
      if (trial) this.#step(record, { type: 'TRIAL_ABANDONED' });
      return;
    }
    const failed = kind !== undefined;
    this.#step(record, failed ? { type: 'FAILURE', trial, failure: describeFailure(outcome) } : { type: 'SUCCESS', trial });
    const outlierConfig = this.#settings.outlierDetection;
    if (!outlierConfig) return;
    const outlier = record.outlier.record(failed, this.deps.now(), outlierConfig);
    if (outlier) this.#eject(record, outlier, describeFailure(outcome), outlierConfig);
  }

  view(target: string): TargetHealthView {
    const record = this.#records.get(target);
    if (!record) return {};
    const now = this.deps.now();
    this.#advance(record, now);
    const { healthCheck, outlierDetection, circuitBreaker, slowStart } = this.#settings;
    const view: TargetHealthView = {};
    if (healthCheck) {
      const last = record.lastCheck;
      view.health = {
        state: record.check.healthy ? 'healthy' : 'unhealthy',
        streak: record.check.streak,
        rise: healthCheck.rise,
        fall: healthCheck.fall,
        ...(last ? { lastCheck: { passed: last.passed, reason: last.reason, agoMs: Math.round(now - last.at) } } : {}),
      };
    }
    if (outlierDetection) {
      const { ejectedUntil, timesEjected, consecutiveFailures } = record.outlier;
      const window = record.outlier.windowCounts(now);
      view.ejection = {
        ejected: ejectedUntil !== undefined,
        remainingMs: ejectedUntil === undefined ? 0 : Math.round(ejectedUntil - now),
        timesEjected,
        consecutiveFailures,
        windowRequests: window.requests,
        windowFailures: window.failures,
      };
    }
    if (circuitBreaker) {
      const { state, failures, trialsInFlight, trialSuccesses } = record.circuit;
      view.circuit = {
        state,
        failures,
        remainingMs: Math.round(coolDownLeft(record.circuit, now, circuitBreaker)),
        trialsInFlight,
        trialSuccesses,
      };
    }
    const factor = this.warming(target);
    if (slowStart && factor !== undefined && record.warmingSince !== undefined) {
      view.slowStart = {
        factor: Math.round(factor * 1000) / 1000,
        remainingMs: Math.round(record.warmingSince + slowStart.windowMs - now),
      };
    }
    return view;
  }

  #onCheck(target: string, result: CheckResult): void {
    const record = this.#records.get(target);
    const config = this.#settings.healthCheck;
    if (!record || !config) return;
    const now = this.deps.now();
    record.lastCheck = { ...result, at: now };
    const { state, change } = recordCheck(record.check, result.passed, config);
    record.check = state;
    if (!change) return;
    let reason: string;
    switch (change) {
      case 'check-failed':
        reason = `check failed: ${result.reason} (${state.streak} of ${config.fall} failures in a row take it out)`;
        break;
      case 'down':
        reason = `${checks(config.fall)} failed in a row (last: ${result.reason}); back after ${checks(config.rise)} passed in a row`;
        record.warmingSince = undefined;
        break;
      case 'check-passed':
        reason = `check passed: ${result.reason} (${state.streak} of ${config.rise} passes in a row bring it back)`;
        break;
      case 'up':
        reason = `${checks(config.rise)} passed in a row: back in rotation${this.#startSlowStart(record, now)}`;
        break;
    }
    this.#emitHealth(record.id, 'active', change, state.healthy, reason, {
      streak: state.streak,
      rise: config.rise,
      fall: config.fall,
      durationMs: result.durationMs,
      ...(result.status === undefined ? {} : { status: result.status }),
    });
  }

  #eject(record: TargetRecord, outlier: Outlier, lastFailure: string, config: OutlierConfig): void {
    const now = this.deps.now();
    let ejected = 0;
    for (const other of this.#records.values()) {
      this.#advance(other, now);
      if (other.outlier.ejectedUntil !== undefined) ejected++;
    }
    const total = this.#records.size;
    const share = { ejectedTargets: ejected, targets: total, maxEjectionPercent: config.maxEjectionPercent };
    if (!mayEject(ejected, total, config.maxEjectionPercent)) {
      const reason = `${outlier.reason}, but ${ejected} of ${total} targets are already ejected (max ${config.maxEjectionPercent}%)`;
      this.#emitHealth(record.id, 'passive', 'ejection-skipped', true, reason, { ...outlier.detail, ...share });
      return;
    }
    const { ejectionMs, timesEjected } = record.outlier.eject(now, config);
    record.warmingSince = undefined;
    const reason = `${outlier.reason} (last: ${lastFailure}): ejected for ${ejectionMs} ms (ejection ${timesEjected}: ${config.baseEjectionMs} ms × ${timesEjected}, at most ${Math.max(config.maxEjectionMs, config.baseEjectionMs)} ms)`;
    this.#emitHealth(record.id, 'passive', 'ejected', false, reason, {
      ...outlier.detail,
      ejectionMs,
      timesEjected,
      ...share,
      ejectedTargets: ejected + 1,
    });
    this.#schedule();
  }

  /** Apply what time has brought: an ejection that is over, a cool-down that ended. */
  #advance(record: TargetRecord, now: number): void {
    if (record.outlier.returnIfDue(now)) {
      const reason = `the ejection time is over: back in rotation${this.#startSlowStart(record, now)}`;
      this.#emitHealth(record.id, 'passive', 'returned', true, reason, { timesEjected: record.outlier.timesEjected });
    }
    if (this.#settings.circuitBreaker && record.circuit.state === 'open') this.#step(record, { type: 'TIME_PASSED' });
  }

  #step(record: TargetRecord, input: CircuitInput): void {
    const config = this.#settings.circuitBreaker;
    if (!config) return;
    const from = record.circuit;
    const { circuit, change } = stepCircuit(from, input, this.deps.now(), config);
    record.circuit = circuit;
    if (!change) return;
    this.deps.emit({
      type: 'circuit.state',
      node: this.deps.node,
      target: record.id,
      from: from.state,
      to: circuit.state,
      reason: change,
      detail: {
        consecutiveFailures: config.consecutiveFailures,
        coolDownMs: config.coolDownMs,
        trialRequests: config.trialRequests,
        ...(from.state === 'closed' ? { failures: from.failures + 1 } : {}),
        ...(from.state === 'half-open' ? { trialSuccesses: circuit.state === 'closed' ? config.trialRequests : from.trialSuccesses } : {}),
      },
    });
    if (circuit.state === 'open') this.#schedule();
  }

  /** Begin slow start, when configured; returns the words the event adds. */
  #startSlowStart(record: TargetRecord, now: number): string {
    const config = this.#settings.slowStart;
    if (!config) return '';
    record.warmingSince = now;
    return `, warming up over ${config.windowMs} ms from ${config.minWeightPercent}% of its weight`;
  }

  #emitHealth(
    target: string,
    source: 'active' | 'passive',
    change: HealthChange,
    healthy: boolean,
    reason: string,
    detail: Record<string, number | string | boolean>,
  ): void {
    this.deps.emit({ type: 'target.health', node: this.deps.node, target, source, change, healthy, reason, detail });
  }

  /** Set the one timer for the earliest pending ejection end or cool-down end. */
  #schedule(): void {
    clearTimeout(this.#wake);
    this.#wake = undefined;
    if (!this.#started) return;
    const now = this.deps.now();
    let earliest = Number.POSITIVE_INFINITY;
    const circuitConfig = this.#settings.circuitBreaker;
    for (const record of this.#records.values()) {
      if (record.outlier.ejectedUntil !== undefined) earliest = Math.min(earliest, record.outlier.ejectedUntil);
      if (circuitConfig && record.circuit.state === 'open')
        earliest = Math.min(earliest, record.circuit.openedAt + circuitConfig.coolDownMs);
    }
    if (earliest === Number.POSITIVE_INFINITY) return;
    // Each end is at most a timer's limit away (the config's ejection and cool-down limits), but the
    // +1 below could pass it by one, and a timer past its limit fires at once.
    this.#wake = setTimeout(
      () => {
        this.#wake = undefined;
        const at = this.deps.now();
        for (const record of this.#records.values()) this.#advance(record, at);
        this.#schedule();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, earliest - now) + 1),
    ).unref();
  }
}

function checks(n: number): string {
  return n === 1 ? '1 check' : `${n} checks`;
}
