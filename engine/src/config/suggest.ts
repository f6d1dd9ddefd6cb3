/**
 * "Did you mean ...?" for a config error: the nearest of the names a place accepts (a key of the object,
 * a node id, an algorithm) to what was written, by Damerau-Levenshtein distance (a swapped pair of
 * letters costs one, as `tagrets` for `targets`). Only close names are offered, so a suggestion is a
 * likely fix, never a guess at random: a distance of at most a third of the word (at least 1). Case is
 * ignored, so `Round-Robin` gets `round-robin`. Checking a config blocks the engine, so the searches of
 * one check share a budget: a config of thousands of long misspelt names gets suggestions for the first
 * ones only (without it, 4000 unknown 60-letter targets among 170 ids took 27 s).
 */
import { z } from 'zod';

/** What the searches of one config check may still compute, in cells of the distance table. */
export interface SuggestionBudget {
  cells: number;
}

/** Some 30 ms of searching at worst: hundreds of misspelt names in a config a person wrote. */
export const suggestionBudget = (): SuggestionBudget => ({ cells: 500_000 });

/**
 * The candidate nearest to `word`, when one is close enough; the first of equals wins. Undefined, too,
 * once `budget` is spent (a search it cannot finish offers nothing rather than a worse name).
 */
export function nearestName(word: string, candidates: Iterable<string>, budget = suggestionBudget()): string | undefined {
  const written = word.toLowerCase();
  const limit = Math.max(1, Math.round(written.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - written.length) >= bestDistance) continue;
    budget.cells -= written.length * candidate.length;
    if (budget.cells < 0) return undefined;
    const distance = editDistance(written, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The optimal-string-alignment distance (Damerau-Levenshtein without edits inside a transposed pair):
 * insertions, deletions, substitutions and swaps of neighbours cost one each. Gives up with `cap` once
 * the lengths alone differ by that much, since only the nearest close name matters.
 */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/**
 * The keys the object schema at `path` accepts, found by following the path through `schema` and the
 * value it checks (`input`): a discriminated union (the node kinds) takes the branch the value names,
 * any other union the keys of all its object branches. Empty when the path does not lead to an object.
 */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, input: unknown): string[] {
  let at: Schema[] = [schema as unknown as Schema];
  let value = input;
  for (const part of path) {
    at = at.flatMap((s) => objectsOf(s, value)).flatMap((s) => childOf(s, part));
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  }
  return [...new Set(at.flatMap((s) => objectsOf(s, value)).flatMap((s) => Object.keys(s._zod.def.shape ?? {})))];
}

/**
 * What the field at `path` is, as its schema's description says (`.meta({ description })`, the words the
 * JSON Schema shows): for a field that is missing, so the error says what to write. Undefined when the
 * path leads to no described field (or to several, through a union's branches, that differ).
 */
export function descriptionAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, input: unknown): string | undefined {
  if (path.length === 0) return undefined;
  let at: Schema[] = [schema as unknown as Schema];
  let value = input;
  for (const part of path.slice(0, -1)) {
    at = at.flatMap((s) => objectsOf(s, value)).flatMap((s) => childOf(s, part));
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  }
  const fields = at.flatMap((s) => objectsOf(s, value)).flatMap((s) => childOf(s, path[path.length - 1]));
  const described = new Set(fields.map(describedAs).filter((d): d is string => d !== undefined));
  return described.size === 1 ? [...described][0] : undefined;
}

/** A schema's description, on it or on what it wraps (an optional field's meta may sit inside). */
function describedAs(schema: Schema): string | undefined {
  const own = z.globalRegistry.get(schema as unknown as z.ZodType)?.description;
  if (own !== undefined) return own;
  const def = schema._zod.def;
  const inner = def.innerType ?? def.in;
  return inner === undefined ? undefined : describedAs(inner);
}

/** The parts of a zod schema's definition this walk reads (zod 4 keeps them on `_zod.def`). */
interface Schema {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, Schema>;
      element?: Schema;
      innerType?: Schema;
      in?: Schema;
      options?: Schema[];
      discriminator?: string;
      values?: unknown[];
    };
  };
}

/** The schema's object or array forms, through wrappers, pipes and the union branches `value` may take. */
function objectsOf(schema: Schema, value: unknown): Schema[] {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
    case 'array':
      return [schema];
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return objectsOf(def.innerType!, value);
    case 'pipe':
      return objectsOf(def.in!, value);
    case 'union': {
      const options = def.options ?? [];
      const named = def.discriminator !== undefined && value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[def.discriminator] : undefined;
      const chosen = named === undefined ? [] : options.filter((o) => discriminatorValues(o, def.discriminator!).includes(named));
      return (chosen.length > 0 ? chosen : options).flatMap((o) => objectsOf(o, value));
    }
    default:
      return [];
  }
}

/** The literal values a discriminated union's branch takes for its discriminator. */
function discriminatorValues(option: Schema, key: string): unknown[] {
  const object = objectsOf(option, undefined).find((s) => s._zod.def.type === 'object');
  const field = object?._zod.def.shape?.[key];
  return field?._zod.def.values ?? [];
}

function childOf(schema: Schema, part: PropertyKey): Schema[] {
  const def = schema._zod.def;
  if (def.type === 'array') return typeof part === 'number' ? [def.element!] : [];
  const field = typeof part === 'string' ? def.shape?.[part] : undefined;
  return field ? [field] : [];
}
