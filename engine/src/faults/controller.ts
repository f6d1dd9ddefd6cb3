/**
 * The engine's faults: injects, lists and clears them, and turns the set of active faults into the
 * state of the running nodes. After every change it recomputes that state from scratch (`#sync`), so
 * what runs always matches the list: each node's request gate (gate.ts), each sender's partitioned
 * upstreams (partition.ts), each service's capacity override, and which listeners must be closed
 * (`down`, and `flap` in its down part). A fault that nothing holds any more is gone from all of them,
 * so clearing every fault returns the chain to normal, and a fault never reaches a node it was not put on.
 *
 * Faults come from the API (`source: 'api'`) or from the config's scenario (`source: 'scenario'`,
 * scenario.ts). A config change ends the faults whose target left the config (or whose edge is no
 * longer a link), ends the scenario's faults and runs the new scenario from t = 0.
 */
import type { EventBus } from '../bus.ts';
import type { EdgeConfigParsed } from '../config/schema.ts';
import { zodErrors } from '../config/validate.ts';
import { InputError } from '../errors.ts';
import type { FaultEndReason, FaultInfo } from '../events.ts';
import { ForwardingNode } from '../pipeline/forwarding-node.ts';
import type { NodeServer } from '../nodes/node-server.ts';
import { ServiceNode } from '../service/service-node.ts';
import { ActiveFault } from './active-fault.ts';
import { FaultGate } from './gate.ts';
import type { PartitionMode } from './partition.ts';
import { ScenarioRunner } from './scenario.ts';
import { FaultSpec, parseTarget, REQUEST_FAULTS, type FaultSource, type ScenarioStep } from './spec.ts';
import { checkFaultTarget } from './targets.ts';

export interface FaultHost {
  bus: EventBus;
  rng(): number;
  config(): EdgeConfigParsed | undefined;
  nodes(): ReadonlyMap<string, NodeServer>;
  /** `http://127.0.0.1:PORT` of a node id or URL upstream, as the senders' pools key it. */
  resolve(upstream: string): string | undefined;
}

/** A fault that ran, for a run's report: its info, and when and why it ended (absent while active). */
export type FaultRecord = FaultInfo & { endedAt?: number; endReason?: FaultEndReason };

/** The most faults a report keeps (a long serve session must not grow without bound). */
const HISTORY_LIMIT = 1_000;

export class FaultController {
  #next = 1;
  readonly #active = new Map<string, ActiveFault>();
  /** Flap faults in their down part, by fault id; the timer switches the part. */
  readonly #flaps = new Map<string, { down: boolean; timer: NodeJS.Timeout }>();
  /** Nodes whose listener a fault closed: the only ones a fault may start again. */
  readonly #downed = new Set<string>();
  readonly #history: FaultRecord[] = [];
  #scenario: ScenarioRunner | undefined;
  /** Listener stops and starts, one at a time, in order. */
  #listeners: Promise<unknown> = Promise.resolve();

  constructor(readonly host: FaultHost) {}

  list(): FaultInfo[] {
    return [...this.#active.values()].map((f) => f.info);
  }

  /** Every fault that started since the engine did (the newest HISTORY_LIMIT), ended ones with their end. */
  history(): FaultRecord[] {
    return this.#history.map((r) => ({ ...r }));
  }

  /** Is a fault keeping this node's listener closed (`down`, or `flap` in its down part)? */
  holdsDown(node: string): boolean {
    for (const fault of this.#active.values()) {
      const { info } = fault;
      if (info.target !== node) continue;
      if (info.type === 'down' || (info.type === 'flap' && this.#flaps.get(info.id)?.down)) return true;
    }
    return false;
  }

  /** Validate and inject one fault; throws InputError naming every bad field or target. */
  async inject(body: unknown, source: FaultSource = 'api', scenario?: { index: number; for?: number }): Promise<FaultInfo> {
    const parsed = FaultSpec.safeParse(body);
    if (!parsed.success) throw InputError.of(zodErrors(parsed.error));
    const config = this.host.config();
    if (!config) throw new InputError('target', 'no config is running', 409);
    const errors = checkFaultTarget(parsed.data, config);
    if (errors.length > 0) throw InputError.of(errors);
    const startedAt = Date.now();
    const info: FaultInfo = {
      ...parsed.data,
      id: `f${this.#next++}`,
      source,
      startedAt,
      ...(scenario ? { scenario: scenario.index, ...(scenario.for === undefined ? {} : { endsAt: startedAt + scenario.for }) } : {}),
    };
    const fault = new ActiveFault(info);
    this.#active.set(info.id, fault);
    this.#history.push({ ...info });
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    if (info.type === 'flap') this.#startFlap(info.id, info.period, info.downFor ?? info.period / 2);
    await this.#sync();
    this.host.bus.emit({ type: 'fault.started', fault: info });
    return info;
  }

  /** Clear one fault; false when no such fault is active. Throws (409) when a listener it closed cannot start again. */
  async clear(id: string, reason: FaultEndReason = 'cleared'): Promise<boolean> {
    if (!this.#end(id, reason)) return false;
    const failures = await this.#sync();
    if (failures.length > 0) throw new InputError('target', `cleared, but ${failures.join('; ')}`, 409);
    return true;
  }

  /** Clear every fault and cancel the scenario's steps still to come: the chain is back to normal. */
  async clearAll(): Promise<{ cleared: string[]; scenarioCancelled: number }> {
    const scenarioCancelled = this.#scenario?.cancel() ?? 0;
    const cleared = [...this.#active.keys()].filter((id) => this.#end(id, 'cleared'));
    await this.#sync();
    return { cleared, scenarioCancelled };
  }

  /**
   * A new config runs: faults whose target it no longer has end, the scenario's faults end, and its
   * scenario starts from t = 0. Nodes may be new objects, on new ports: everything is applied again.
   */
  async configApplied(config: EdgeConfigParsed): Promise<void> {
    this.#scenario?.cancel();
    this.#scenario = undefined;
    for (const [id, fault] of this.#active) {
      if (fault.info.source === 'scenario') this.#end(id, 'scenario-restarted');
      else if (checkFaultTarget(fault.info, config).length > 0) this.#end(id, 'target-removed');
    }
    for (const id of [...this.#downed]) if (!this.host.nodes().has(id)) this.#downed.delete(id);
    await this.#sync();
    if (config.scenario.length > 0) this.#scenario = new ScenarioRunner(config.scenario, this);
  }

  /** Start a scenario step (the runner calls this at its `at`); returns the fault's id. */
  async startStep(step: ScenarioStep, index: number): Promise<string> {
    const { at: _at, for: duration, ...spec } = step;
    const info = await this.inject(spec, 'scenario', { index, for: duration });
    return info.id;
  }

  /** End a scenario step's fault (its `for` is over). */
  async endStep(id: string): Promise<void> {
    await this.clear(id, 'expired').catch((error: Error) => this.reportError(error.message));
  }

  reportError(message: string): void {
    this.host.bus.emit({ type: 'engine.error', message });
  }

  /** The engine stops: timers go, held requests are released. */
  close(): void {
    this.#scenario?.cancel();
    this.#scenario = undefined;
    for (const id of [...this.#active.keys()]) this.#end(id, 'cleared');
  }

  #end(id: string, reason: FaultEndReason): boolean {
    const fault = this.#active.get(id);
    if (!fault) return false;
    this.#active.delete(id);
    const flap = this.#flaps.get(id);
    if (flap) clearTimeout(flap.timer);
    this.#flaps.delete(id);
    fault.end();
    const record = this.#history.find((r) => r.id === id);
    if (record) Object.assign(record, { endedAt: Date.now(), endReason: reason });
    this.host.bus.emit({ type: 'fault.ended', fault: fault.info, reason });
    return true;
  }

  /** Down for `downFor`, up for the rest of the period, starting down, until the fault ends. */
  #startFlap(id: string, period: number, downFor: number): void {
    const state = { down: true, timer: undefined as unknown as NodeJS.Timeout };
    const flip = () => {
      if (!this.#active.has(id)) return;
      state.down = !state.down;
      state.timer = setTimeout(flip, state.down ? downFor : period - downFor);
      void this.#sync();
    };
    state.timer = setTimeout(flip, downFor);
    this.#flaps.set(id, state);
  }

  /** Make every node match the active faults; resolves to the listeners that could not start again. */
  async #sync(): Promise<string[]> {
    const nodes = this.host.nodes();
    const requestFaults = new Map<string, { node: ActiveFault[]; edges: Map<string, ActiveFault[]> }>();
    const partitions = new Map<string, Map<string, PartitionMode>>();
    const capacity = new Map<string, number>();
    for (const fault of this.#active.values()) {
      const { info } = fault;
      const target = parseTarget(info.target);
      if (!target) continue;
      if (info.type === 'partition' && target.edge) {
        const origin = this.host.resolve(target.edge.to);
        if (origin === undefined) continue;
        const byOrigin = partitions.get(target.edge.from) ?? new Map<string, PartitionMode>();
        byOrigin.set(origin, info.mode);
        partitions.set(target.edge.from, byOrigin);
      } else if (info.type === 'overload' && target.node) {
        capacity.set(target.node, Math.min(info.capacity, capacity.get(target.node) ?? Infinity));
      } else if (REQUEST_FAULTS.has(info.type)) {
        const receiver = target.node ?? target.edge.to;
        const entry = requestFaults.get(receiver) ?? { node: [], edges: new Map<string, ActiveFault[]>() };
        if (target.edge) entry.edges.set(target.edge.from, [...(entry.edges.get(target.edge.from) ?? []), fault]);
        else entry.node.push(fault);
        requestFaults.set(receiver, entry);
      }
    }
    for (const [id, node] of nodes) {
      const gate = requestFaults.get(id);
      node.faultGate = gate ? new FaultGate(gate.node, gate.edges, this.host.rng) : undefined;
      if (node instanceof ForwardingNode) node.setPartitions(partitions.get(id) ?? new Map());
      if (node instanceof ServiceNode) node.setCapacityOverride(capacity.get(id));
    }
    return this.#syncListeners(nodes);
  }

  /** Close the listeners a fault holds down, start the ones no fault holds any more; in order, one at a time. */
  #syncListeners(nodes: ReadonlyMap<string, NodeServer>): Promise<string[]> {
    const run = this.#listeners.then(async () => {
      const failures: string[] = [];
      for (const [id, node] of nodes) {
        if (this.holdsDown(id)) {
          if (node.state === 'up' || node.state === 'starting') {
            this.#downed.add(id);
            await node.stop('crash', this.#downReason(id));
          }
        } else if (this.#downed.has(id)) {
          this.#downed.delete(id);
          await node.start().catch((error: Error) => failures.push(error.message));
        }
      }
      return failures;
    });
    this.#listeners = run.catch(() => []);
    return run;
  }

  #downReason(node: string): string {
    const holding = [...this.#active.values()].filter((f) => f.info.target === node && (f.info.type === 'down' || f.info.type === 'flap'));
    return holding
      .map(({ info }) =>
        info.type === 'flap' ? `fault ${info.id}: flap (down ${info.downFor} ms of every ${info.period} ms)` : `fault ${info.id}: down`,
      )
      .join(', ');
  }
}
