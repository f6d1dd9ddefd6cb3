/**
 * Checks a lesson file before anything runs it, and names the lesson and step of every problem: a
 * config that does not validate, a goal that reads a node the step's config lacks or a metric the
 * engine does not report, a goal that can never be met, a malformed step, and text that names a node
 * that is not there (`backticked`) or a page control the page does not have ("quoted", page-controls.ts),
 * and a sandbox name that would not tell the lesson's sandbox apart (none, an example's, or another
 * than the lesson's own in a solution): a reloaded page resumes a lesson when the engine runs a config
 * with its sandbox's name and node ids, so a fresh engine running an example must never pass for one.
 * The proof test (lessons.test.ts) runs it on every lesson; its own test feeds it broken lessons.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import schema from '../engine/edgelab.schema.json' with { type: 'json' };
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { validateConfig } from '../engine/src/config/validate.ts';
import { capacitySpec, SERVICE_CAPACITY_CODES } from '../engine/src/config/capacity.ts';
import { ScenarioStep } from '../engine/src/faults/spec.ts';
import type { CompareOp, ConfigGoal, Goal, Lesson, LessonAction, LessonStep } from './format.ts';
import { TRACKS } from './format.ts';
import { LATENCY_STATS, metricProblem } from './metric-names.ts';
import { PAGE_CONTROLS } from './page-controls.ts';

export interface LessonProblem {
  lesson: string;
  /** The step's id, or its position (`step 2`) when the id itself is the problem; absent for the lesson as a whole. */
  step?: string;
  message: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** A word that could be a node id (`users-2`) or a config word (`healthCheck`); anything else in backticks is code, a path or a header. */
const WORD = /^[a-z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/;
const OPS: readonly CompareOp[] = ['>=', '>', '<=', '<', '=='];
const ACTIONS: ReadonlySet<string> = new Set<LessonAction['action']>(['traffic', 'fault', 'clearFaults', 'config', 'wait']);
/** The lesson machine keeps ten minutes of ticks (lesson.machine.ts): a longer hold could never be met. */
export const MAX_HOLD_SECONDS = 600;
/** The words of the config language: every field name and enum value of the config's JSON schema. */
const CONFIG_WORDS = schemaWords(schema);
/** Words of the engine a text may name besides: the pipeline's stages (as the trace shows them), a protocol, a host. */
const ENGINE_WORDS = new Set(['route', 'auth', 'rate-limit', 'transform', 'aggregate', 'forward', 'filter', 'compression', 'cache', 'h2', 'localhost']);
/** The name the engine gives a config without one: any learner's unnamed sandbox has it. */
const DEFAULT_SANDBOX_NAME = 'Untitled sandbox';
/** Every config in examples/ by its name (`Classic edge` -> `examples/classic-edge.yaml`): the names a lesson's sandbox must not take. */
const EXAMPLE_NAMES = exampleNames(new URL('../examples/', import.meta.url));
/** A header name (`x-api-key`, `x-edgelab-partial`), not a node. */
const HEADER = /^x-[a-z0-9-]+$/;

export function validateLesson(lesson: Lesson): LessonProblem[] {
  const problems: LessonProblem[] = [];
  const report = (step: string | undefined, message: string) => problems.push({ lesson: lesson.id, ...(step !== undefined && { step }), message });
  if (!KEBAB.test(lesson.id)) report(undefined, `its id "${lesson.id}" is not kebab-case`);
  if (lesson.track !== undefined && !(TRACKS as readonly string[]).includes(lesson.track)) report(undefined, `its track "${lesson.track}" is not one of ${TRACKS.join(', ')}`);
  for (const message of configProblems(lesson.startConfig)) report(undefined, `its start config: ${message}`);
  for (const message of sandboxNameProblems(lesson.startConfig.name)) report(undefined, message);
  if (!Array.isArray(lesson.steps) || lesson.steps.length === 0) {
    report(undefined, 'it has no steps');
    return problems;
  }
  const consumers = new Set([lesson.startConfig, ...lesson.steps.flatMap((s) => configsOf(s))].flatMap(consumersOfConfig));
  const seen = new Set<string>();
  let config = lesson.startConfig;
  lesson.steps.forEach((step, index) => {
    const name = typeof step?.id === 'string' && step.id !== '' ? step.id : `step ${index + 1}`;
    const say = (message: string) => report(name, message);
    if (!KEBAB.test(name)) say(`its id "${name}" is not kebab-case`);
    if (seen.has(name)) say('its id is used by an earlier step');
    seen.add(name);
    for (const field of ['title', 'body'] as const) if (typeof step[field] !== 'string' || step[field] === '') say(`it has no ${field}`);
    if (!Array.isArray(step.hints) || step.hints.length === 0) say('it has no hints');
    if (!Array.isArray(step.solution) || step.solution.length === 0) say('it has no solution');
    const nodes = new Set(config.nodes.map((n) => n.id));
    if (step.goal === undefined) say('it has no goal');
    else for (const message of goalProblems(step.goal, nodes, consumers)) say(`its goal: ${message}`);
    // What the step's text may name: the nodes before it and those its solution builds, and any value those configs hold (a key, a header).
    const named = new Set([...nodes, ...consumers, ...[config, ...configsOf(step)].flatMap((c) => stringsOf(c))]);
    for (const message of textProblems([step.body, ...(step.hints ?? [])], named)) say(message);
    for (const action of step.solution ?? []) {
      for (const message of actionProblems(action, nodes)) say(`its solution: ${message}`);
      if (action?.action === 'config' && action.body.name !== lesson.startConfig.name)
        say(`its solution: a config named "${action.body.name ?? ''}", not the lesson's "${lesson.startConfig.name ?? ''}": the page ends a lesson whose sandbox changes its name`);
      if (action?.action === 'config' && configProblems(action.body).length === 0) config = action.body;
    }
  });
  return problems;
}

/** The sandbox's name must be there and be the lesson's alone: no example's, not the engine's default. */
function sandboxNameProblems(name: string | undefined): string[] {
  const resumes = 'a reloaded page knows the lesson’s sandbox by its name and node ids';
  if (name === undefined || name.trim() === '') return [`its start config has no name: ${resumes}`];
  if (name === DEFAULT_SANDBOX_NAME) return [`its sandbox is named "${name}", the name the engine gives any config without one: ${resumes}`];
  const example = EXAMPLE_NAMES.get(name);
  if (example !== undefined) return [`its sandbox is named "${name}", as ${example} is: a fresh engine running that example would pass for this lesson’s sandbox after a reload`];
  return [];
}

/** A lesson's problems as lines, `lesson / step: message`, for a test failure. */
export function formatProblems(problems: readonly LessonProblem[]): string[] {
  return problems.map((p) => `${p.lesson}${p.step ? ` / ${p.step}` : ''}: ${p.message}`);
}

function configsOf(step: LessonStep): EdgeConfigInput[] {
  return (step.solution ?? []).flatMap((a) => (a?.action === 'config' ? [a.body] : []));
}

function consumersOfConfig(config: EdgeConfigInput): string[] {
  return config.nodes.flatMap((n) => ('consumers' in n && n.consumers ? n.consumers.map((c) => c.name) : []));
}

/** A config must validate without warnings: a lesson's config is meant as written. */
function configProblems(config: EdgeConfigInput): string[] {
  const result = validateConfig(config);
  if (!result.ok) return result.errors.map((e) => `${e.path}: ${e.message}`);
  return result.warnings.map((w) => `${w.path}: ${w.message}`);
}

function goalProblems(goal: Goal, nodes: ReadonlySet<string>, consumers: ReadonlySet<string>): string[] {
  if (goal === null || typeof goal !== 'object') return ['it is not a goal'];
  if ('all' in goal || 'any' in goal) {
    const parts = 'all' in goal ? goal.all : goal.any;
    if (!Array.isArray(parts) || parts.length === 0) return [`${'all' in goal ? 'all' : 'any'} needs at least one goal`];
    return parts.flatMap((g) => goalProblems(g, nodes, consumers));
  }
  if ('hold' in goal) {
    const holds = Number.isFinite(goal.seconds) && goal.seconds > 0 && goal.seconds <= MAX_HOLD_SECONDS;
    const problems = holds ? [] : [`hold for ${goal.seconds} s is impossible: give 0 < seconds <= ${MAX_HOLD_SECONDS}`];
    return [...problems, ...goalProblems(goal.hold, nodes, consumers)];
  }
  if ('keep' in goal) {
    const problems = typeof goal.rule === 'string' && goal.rule !== '' ? [] : ['a guard (keep) needs its rule: what must stay, and why'];
    return [...problems, ...goalProblems(goal.keep, nodes, consumers)];
  }
  const problems: string[] = [];
  const node = (id: string) => {
    if (!nodes.has(id)) problems.push(`reads node "${id}", which the step's config does not have`);
  };
  // A node the step's config does not have is gone already: the goal would be met for free.
  if (goal.type === 'removed') {
    node(goal.node);
    return problems;
  }
  if (goal.type === 'config') return configGoalProblems(goal, nodes);
  const metric = (name: string) => {
    const problem = metricProblem(name);
    if (problem) problems.push(problem);
  };
  if (!OPS.includes(goal.op)) problems.push(`"${goal.op}" is not a comparison (${OPS.join(' ')})`);
  switch (goal.type) {
    case 'metric':
      node(goal.node);
      metric(goal.metric);
      problems.push(...impossible(goal.op, goal.value, 0, Infinity));
      break;
    case 'each':
      if (!Array.isArray(goal.nodes) || goal.nodes.length === 0) problems.push('each needs at least one node');
      else goal.nodes.forEach(node);
      metric(goal.metric);
      problems.push(...impossible(goal.op, goal.value, 0, Infinity));
      break;
    case 'consumer':
      node(goal.node);
      metric(goal.metric);
      if (!consumers.has(goal.consumer)) problems.push(`reads consumer "${goal.consumer}", which no config of the lesson names`);
      problems.push(...impossible(goal.op, goal.value, 0, Infinity));
      break;
    case 'ratio':
      node(goal.part.node);
      node(goal.whole.node);
      [...goal.part.metrics, ...goal.whole.metrics].forEach(metric);
      // A share of one node's counters is at most 1; of another node's (requests that reached a service, retries counted) it may be more.
      problems.push(...impossible(goal.op, goal.value, 0, goal.part.node === goal.whole.node ? 1 : Infinity));
      if (!(goal.atLeast >= 1)) problems.push(`atLeast ${goal.atLeast}: a share needs at least one request to be judged`);
      if (goal.over && 'requests' in goal.over && !(goal.over.requests >= goal.atLeast))
        problems.push(`a window of the last ${goal.over.requests} requests never holds atLeast ${goal.atLeast}`);
      if (goal.over && 'seconds' in goal.over && !(goal.over.seconds > 0 && goal.over.seconds <= MAX_HOLD_SECONDS))
        problems.push(`a window of ${goal.over.seconds} s is impossible: give 0 < seconds <= ${MAX_HOLD_SECONDS}`);
      break;
    case 'latency':
      node(goal.node);
      if (!LATENCY_STATS.includes(goal.stat)) problems.push(`the engine reports no latency statistic "${goal.stat}" (${LATENCY_STATS.join(', ')})`);
      if (goal.minRequests !== undefined && !(goal.minRequests >= 1)) problems.push(`minRequests ${goal.minRequests}: judge at least one request`);
      // A latency is above 0 ms whenever requests were counted.
      problems.push(...impossible(goal.op, goal.value, Number.MIN_VALUE, Infinity));
      break;
    default:
      problems.push(`"${(goal as { type?: unknown }).type}" is not a kind of goal`);
  }
  return problems;
}

/** A config goal's node must be the step's, and what it keeps must be what the engine reads. */
function configGoalProblems(goal: ConfigGoal, nodes: ReadonlySet<string>): string[] {
  if (goal.scenario !== undefined) {
    if (!Array.isArray(goal.scenario) || goal.scenario.length === 0) return ['a config goal on the scenario needs at least one line'];
    return goal.scenario.flatMap((line, i) => {
      const parsed = ScenarioStep.safeParse(line);
      if (!parsed.success) return [`its scenario line ${i + 1} is not one the engine reads: ${parsed.error.issues.map((e) => e.message).join('; ')}`];
      return nodes.has(line.target) ? [] : [`its scenario line ${i + 1} targets "${line.target}", which the step's config does not have`];
    });
  }
  const problems = nodes.has(goal.node) ? [] : [`reads node "${goal.node}", which the step's config does not have`];
  const parsed = capacitySpec(SERVICE_CAPACITY_CODES).safeParse(goal.capacity);
  if (!parsed.success) problems.push(`its capacity is not one the engine reads: ${parsed.error.issues.map((e) => e.message).join('; ')}`);
  return problems;
}

/** A comparison no reading in [low, high] can meet. */
function impossible(op: CompareOp, value: number, low: number, high: number): string[] {
  if (!Number.isFinite(value)) return [`compares with ${value}, not a number`];
  const never =
    (op === '>=' && value > high) ||
    (op === '>' && value >= high) ||
    (op === '<=' && value < low) ||
    (op === '<' && value <= low) ||
    (op === '==' && (value < low || value > high));
  return never ? [`${op} ${value} can never be met: the reading is between ${low === Number.MIN_VALUE ? 'just above 0' : low} and ${high}`] : [];
}

function actionProblems(action: LessonAction, nodes: ReadonlySet<string>): string[] {
  if (!action || !ACTIONS.has(action.action)) return [`"${(action as { action?: unknown })?.action}" is not an action (${[...ACTIONS].join(', ')})`];
  if (action.action === 'config') return configProblems(action.body).map((m) => `a config: ${m}`);
  if (action.action === 'wait' && !(action.ms > 0)) return [`wait ${action.ms} ms: wait a positive time`];
  if (action.action === 'fault') {
    const target = action.body.target;
    const ends = target.includes('->') ? target.split('->') : [target];
    return ends.filter((id) => !nodes.has(id)).map((id) => `a fault on "${target}": no node "${id}" in the step's config`);
  }
  return [];
}

/** Backticked words must be nodes (or consumers) of the step or words of the config; quoted capitalised names must be page controls. */
function textProblems(texts: readonly string[], named: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const [, word] of text.matchAll(/`([^`]+)`/g)) {
      if (WORD.test(word!) && !named.has(word!) && !CONFIG_WORDS.has(word!) && !ENGINE_WORDS.has(word!) && !HEADER.test(word!))
        problems.push(`its text names \`${word}\`, which is neither a node of the step nor a word of the config`);
    }
    for (const [, control] of text.matchAll(/"([A-Z][^"]*)"/g)) {
      if (!isControl(control!, named)) problems.push(`its text names the control "${control}", which the page does not have (page-controls.ts)`);
    }
  }
  return problems;
}

function isControl(name: string, nodes: ReadonlySet<string>): boolean {
  return PAGE_CONTROLS.some((control) => {
    const [before, after] = control.split(/\{node\}|\{fault\}|\{setting\}/);
    if (after === undefined) return name === control;
    if (!name.startsWith(before!) || !name.endsWith(after)) return false;
    const filled = name.slice(before!.length, name.length - after.length);
    return control.includes('{node}') ? nodes.has(filled) : CONFIG_WORDS.has(filled);
  });
}

/** Every string a config holds, node ids first among them. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/** The `name` of every config file in `dir` (YAML or JSON), with the file it is in. */
function exampleNames(dir: URL): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()) {
    const config = parse(readFileSync(new URL(file, dir), 'utf8')) as { name?: unknown } | null;
    if (typeof config?.name === 'string') names.set(config.name, `examples/${file}`);
  }
  return names;
}

function schemaWords(node: unknown, words = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) schemaWords(item, words);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object') for (const name of Object.keys(value)) words.add(name);
      if (key === 'enum' && Array.isArray(value)) for (const v of value) if (typeof v === 'string') words.add(v);
      if (key === 'const' && typeof value === 'string') words.add(value);
      schemaWords(value, words);
    }
  }
  return words;
}
