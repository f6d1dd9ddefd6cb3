/**
 * The learner's sandbox before a lesson replaces it, and putting it back when they leave the lesson
 * ("restore my sandbox"): the running config as `GET /api/config` gives it, whether traffic ran and at
 * what rate each flow ran, and the faults they injected. Every part goes through the control API, as a
 * learner's own change would; the engine checks the config again when it comes back.
 */
import { api } from '../api.ts';
import type { Fault, TrafficState } from '../api-types.ts';
import type { KeptSandbox } from './progress-store.ts';

/** A fault's fields that the engine adds when it starts one: the rest is what `POST /api/faults` takes. */
const FAULT_RUN_FIELDS = ['id', 'source', 'startedAt', 'scenario', 'endsAt'] as const;

/** The running sandbox, to keep before a lesson replaces it. */
export async function keepSandbox(): Promise<KeptSandbox> {
  const [config, topology, faults] = await Promise.all([api.config(), api.topology(), api.faults()]);
  if (typeof config !== 'object' || config === null) throw new Error('the engine runs no config to keep');
  return {
    config,
    name: topology.name,
    traffic: { running: topology.traffic.running, flows: topology.traffic.running ? flowLoads(topology.traffic) : [] },
    // A scenario's faults come back with its config; only the learner's own are injected again.
    faults: faults.filter((fault) => fault.source === 'api').map(faultSpec),
  };
}

/**
 * Puts `kept` back: its config (with its scenario), its faults, its traffic (the config's flows at the
 * rates they ran), and counts from zero.
 * Resolves to the names of the flows that ran then and cannot be brought back this way (added from the
 * traffic panel, not in the config), for the page to say; throws when the config cannot run.
 */
export async function restoreSandbox(kept: KeptSandbox): Promise<string[]> {
  await api.stopTraffic();
  // The lesson's faults go first: the config's own scenario starts its faults as it is applied (some at
  // once), and those must stay.
  await api.clearAllFaults();
  const applied = await api.putConfig(kept.config);
  if (applied.failures.length > 0) throw new Error(`your sandbox could not start: ${applied.failures.join('; ')}`);
  for (const fault of kept.faults) await api.injectFault(fault);
  // Nodes the lesson shared with the sandbox (same id and kind) would go on counting from the lesson.
  await api.resetMetrics();
  if (!kept.traffic.running) return [];
  const started = await api.traffic({ action: 'start' });
  const missing: string[] = [];
  for (const flow of kept.traffic.flows) {
    const now = started.flows.find((f) => f.name === flow.name);
    if (now === undefined) missing.push(flow.name);
    else if (flow.users !== undefined && now.users !== flow.users) await api.traffic({ action: 'set', flow: flow.name, users: flow.users });
    else if (flow.rate !== undefined && flow.users === undefined && now.rate !== flow.rate) await api.traffic({ action: 'set', flow: flow.name, rate: flow.rate });
  }
  return missing;
}

function flowLoads(traffic: TrafficState): KeptSandbox['traffic']['flows'] {
  return traffic.flows.map((flow) => ({ name: flow.name, ...(flow.loop === 'closed' ? { users: flow.users } : { rate: flow.rate }) }));
}

function faultSpec(fault: Fault): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...fault };
  for (const field of FAULT_RUN_FIELDS) delete spec[field];
  return spec;
}
