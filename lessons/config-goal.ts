/**
 * Goals on the running config (format.ts `ConfigGoal`): a node's `capacity` and the `scenario`'s lines
 * as the lesson set them. Both sides are parsed by the engine's own schema pieces, so what is compared is
 * what the engine would run (`'0s'` and `0` are the same start), never how it was written. Pure.
 */
import { capacitySpec, SERVICE_CAPACITY_CODES, type CapacityConfig } from '../engine/src/config/capacity.ts';
import { ScenarioStep } from '../engine/src/faults/spec.ts';
import { configNotRead, type GoalReport, type RunningConfig } from './checker.ts';
import type { CapacityInput, ConfigGoal, ScenarioLine } from './format.ts';

/** The codes only name a refusal; a service's and a forwarding node's capacity parse the same. */
const Capacity = capacitySpec(SERVICE_CAPACITY_CODES);

/** The config `GET /api/config` answers (its input shape), for the checker; null (nothing runs yet) reads as unread. */
export function runningConfig(config: unknown): RunningConfig {
  return { judge: (goal) => checkConfig(goal, config) };
}

function checkConfig(goal: ConfigGoal, running: unknown): GoalReport {
  if (running === undefined || running === null || typeof running !== 'object') return configNotRead();
  if (goal.scenario !== undefined) return checkScenario(goal.scenario, running as { scenario?: unknown });
  return checkCapacity(goal.node, goal.capacity, running as { nodes?: unknown });
}

function checkCapacity(node: string, capacity: CapacityInput, running: { nodes?: unknown }): GoalReport {
  const want = Capacity.parse(capacity);
  const found = (Array.isArray(running.nodes) ? running.nodes : []).find((n: { id?: unknown }) => n?.id === node) as { capacity?: unknown } | undefined;
  if (found === undefined) return unmet(`${node} is gone from the running config; the lesson set its capacity to ${describeCapacity(want)}`);
  const now = found.capacity === undefined ? undefined : Capacity.safeParse(found.capacity);
  if (now?.success && sameValue(now.data, want)) return { met: true, progress: 1, detail: `${node}’s capacity is as the lesson set it: ${describeCapacity(want)}` };
  const shown = now === undefined ? 'unlimited' : now.success ? describeCapacity(now.data) : 'not a capacity the engine reads';
  return unmet(`${node}’s capacity is now ${shown}; the lesson set ${describeCapacity(want)}`);
}

/** Every line the lesson scripted is still in the running scenario, each as it was (others may be added). */
function checkScenario(lines: readonly ScenarioLine[], running: { scenario?: unknown }): GoalReport {
  const runs = (Array.isArray(running.scenario) ? running.scenario : []).flatMap((line: unknown) => {
    const parsed = ScenarioStep.safeParse(line);
    return parsed.success ? [parsed.data] : [];
  });
  const missing = lines.filter((line) => !runs.some((run) => sameValue(run, ScenarioStep.parse(line))));
  if (missing.length === 0) return { met: true, progress: 1, detail: `the scenario still scripts ${lines.map(describeLine).join('; ')}` };
  return unmet(`the scenario no longer scripts ${missing.map(describeLine).join('; ')} as the lesson set it`);
}

function unmet(detail: string): GoalReport {
  return { met: false, progress: 0, detail, whyNot: `${detail}.` };
}

/** "3 at once, 20 waiting", with the longest wait when there is one. */
function describeCapacity(capacity: CapacityConfig): string {
  const wait = capacity.queueTimeout === undefined ? '' : `, at most ${capacity.queueTimeout} ms each`;
  return `${capacity.concurrency} at once, ${capacity.queue} waiting${wait}`;
}

/** "app-1 errors from 0s", "app-1 down from 2s for 6s": a line as the lesson wrote it. */
function describeLine(line: ScenarioLine): string {
  return `${line.target} ${line.type} from ${String(line.at)}${line.for === undefined ? '' : ` for ${String(line.for)}`}`;
}

/** The same JSON value, whatever the order of an object's keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
