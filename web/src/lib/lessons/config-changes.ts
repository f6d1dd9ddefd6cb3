/**
 * What a lesson's config changes against the config before it, in the page's words, so "Show me" says
 * where on the page the same change is made: a node's settings (`lb`'s Settings: retries.budget.percent
 * 20), a node added or removed (Build), the Clients box's flows and scenario. Leaves are compared; a list
 * of plain values (`targets`, `paths`) is one value. Pure: the configs are the lesson's own data.
 */
import type { EdgeConfigInput } from '../../../../engine/src/config/schema.ts';
import type { Lesson } from '../../../../lessons/format.ts';

/** Each node's changes are listed up to this many, then counted. */
const MAX_CHANGES = 4;

type Json = unknown;

/** The config a step starts from by its reference: the lesson's start config, then every earlier step's last config. */
export function configBeforeStep(lesson: Lesson, stepIndex: number): EdgeConfigInput {
  let config = lesson.startConfig;
  for (const step of lesson.steps.slice(0, stepIndex)) for (const action of step.solution) if (action.action === 'config') config = action.body;
  return config;
}

/** The changes from `before` to `after` as clauses: "in lb’s Settings: retries.budget.percent 20", "add app-2 (Build)". */
export function configChanges(before: EdgeConfigInput, after: EdgeConfigInput): string[] {
  const clauses: string[] = [];
  const byId = (config: EdgeConfigInput) => new Map(config.nodes.map((n) => [n.id, n as Record<string, Json>]));
  const old = byId(before);
  const next = byId(after);
  const added = [...next.keys()].filter((id) => !old.has(id));
  const removed = [...old.keys()].filter((id) => !next.has(id));
  if (added.length > 0) clauses.push(`add ${added.join(', ')} (Build)`);
  if (removed.length > 0) clauses.push(`remove ${removed.join(', ')} (Build)`);
  for (const [id, node] of next) {
    const was = old.get(id);
    if (was === undefined) continue;
    const leaves = changedLeaves(was, node, []);
    if (leaves.length > 0) clauses.push(`in ${id}’s Settings: ${listed(leaves)}`);
  }
  const clients = changedLeaves({ traffic: before.traffic, scenario: before.scenario }, { traffic: after.traffic, scenario: after.scenario }, []);
  if (clients.length > 0) clauses.push(`in the Clients box: ${listed(clients)}`);
  return clauses;
}

function listed(leaves: string[]): string {
  const shown = leaves.slice(0, MAX_CHANGES).join(', ');
  return leaves.length > MAX_CHANGES ? `${shown} and ${leaves.length - MAX_CHANGES} more` : shown;
}

function isPlainList(value: Json): boolean {
  return Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
}

function isObject(value: Json): value is Record<string, Json> | Json[] {
  return typeof value === 'object' && value !== null;
}

/** Every leaf that differs, as `path value` (`path cleared` when gone). */
function changedLeaves(before: Json, after: Json, path: string[]): string[] {
  if (isObject(before) && isObject(after) && !isPlainList(before) && !isPlainList(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) =>
      changedLeaves((before as Record<string, Json>)[key], (after as Record<string, Json>)[key], [...path, Array.isArray(after) ? `[${key}]` : key]),
    );
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const name = path.join('.').replace(/\.\[/g, '[');
  return [after === undefined ? `${name} cleared` : `${name} ${shown(after)}`];
}

function shown(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${shown(v)}`).join(', ')} }`;
  }
  return String(value);
}
