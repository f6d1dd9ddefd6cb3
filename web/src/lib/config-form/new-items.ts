/**
 * A list item added in a settings form (a gateway route, a consumer, a traffic flow) waits in the form
 * until the learner applies it: a half-built route would go live at its first parsed field (catching
 * every request, then duplicating another route's match). What waits is an item with fields of its own
 * (an object) past the end of its list in the running config; a one-value item (a target id, a path)
 * applies as it is typed, and a change to an item already running applies at once, as before.
 */
import type { ApiFieldError } from '../api-types.ts';
import { parseErrorPath } from '../config-editor/error-path.ts';
import { isRecord, setAt, variantOf, type FieldSpec } from './form-model.ts';

export type Path = Array<string | number>;

/** A new item: where it is in the draft, and its form. */
export interface NewItem {
  path: Path;
  spec: FieldSpec;
}

/** `draft`'s new items: objects past the end of their list in `running`, by the form `spec`. */
export function newItems(spec: FieldSpec, running: unknown, draft: unknown, path: Path = []): NewItem[] {
  switch (spec.kind) {
    case 'group':
      if (!isRecord(draft)) return [];
      return spec.fields.flatMap((f) => newItems(f.spec, isRecord(running) ? running[f.name] : undefined, draft[f.name], [...path, f.name]));
    case 'variants':
      return draft === undefined ? [] : newItems(spec.variants[variantOf(spec, draft)].spec, running, draft, path);
    case 'list': {
      if (!Array.isArray(draft)) return [];
      const before = Array.isArray(running) ? running.length : 0;
      return draft.flatMap((item, i) =>
        i >= before && isRecord(item) ? [{ path: [...path, i], spec: spec.item }] : newItems(spec.item, Array.isArray(running) ? running[i] : undefined, item, [...path, i]),
      );
    }
    default:
      return [];
  }
}

/**
 * `draft` as it applies: its new items left out, except those in `keep` (the one being applied). A list
 * that holds only new items goes back to what the running config has (none, or empty).
 */
export function withoutNew(draft: unknown, running: unknown, items: readonly Path[], keep: readonly Path[] = []): unknown {
  const leave = items.filter((item) => !keep.some((k) => samePath(k, item)));
  let value = draft;
  for (const list of distinct(leave.map((item) => item.slice(0, -1)))) {
    const kept = (getAt(value, list) as unknown[]).filter((_, i) => !leave.some((item) => samePath(item.slice(0, -1), list) && item.at(-1) === i));
    value = setAt(value, list, kept.length === 0 && getAt(running, list) === undefined ? undefined : kept);
  }
  return value;
}

/** `applied` with the new items of `draft` put back at the end of their lists (what still waits after an apply or a change made elsewhere). */
export function withNew(applied: unknown, draft: unknown, items: readonly Path[]): unknown {
  let value = applied;
  for (const item of items) {
    const list = item.slice(0, -1);
    const before = getAt(value, list);
    if (before !== undefined && !Array.isArray(before)) continue;
    value = setAt(value, list, [...(before ?? []), getAt(draft, item)]);
  }
  return value;
}

/**
 * What new item `value` (of form `spec`, in list `list`) needs before it can apply: its required fields
 * (a consumer's `name`), and what the engine would take but nobody means half-built (ITEM_NEEDS).
 */
export function missingOf(spec: FieldSpec, value: unknown, list: string): string[] {
  return [...requiredMissing(spec, value, ''), ...(ITEM_NEEDS[list]?.(isRecord(value) ? value : {}) ?? [])];
}

/** What a new item still needs before its "Apply" can apply it, and what the engine warns it would do once applied. */
export interface ItemWait {
  needs: string[];
  warnings: string[];
}

/** What each new item of `draft` still needs, by its path joined with dots (`routes.2`), as the form marks it. */
export function waitingOf(items: readonly NewItem[], draft: unknown): Map<string, ItemWait> {
  return new Map(items.map((item) => [item.path.join('.'), { needs: missingOf(item.spec, getAt(draft, item.path), String(item.path.at(-2))), warnings: [] }]));
}

/** Where new item `item` sits in the part that applies it alone (withoutNew with `keep` [item]): the other new items before it in its list are left out. */
export function pathWhenApplied(item: Path, items: readonly Path[]): Path {
  const list = item.slice(0, -1);
  const index = item.at(-1) as number;
  const before = items.filter((other) => samePath(other.slice(0, -1), list) && (other.at(-1) as number) < index).length;
  return [...list, index - before];
}

/**
 * What the engine's check of a config with a new item applied says about the item at `at` (its path in
 * that config): its errors as needs, its warnings as warnings, each with the field it names (`rate: required: ...`).
 */
export function engineWait(check: { errors: readonly ApiFieldError[]; warnings: readonly ApiFieldError[] }, at: Path): ItemWait {
  const about = (problems: readonly ApiFieldError[]) =>
    problems.flatMap((problem) => {
      const path = parseErrorPath(problem.path);
      if (!samePath(path.slice(0, at.length), at)) return [];
      const field = path.slice(at.length).join('.');
      return [field === '' ? problem.message : `${field}: ${problem.message}`];
    });
  return { needs: about(check.errors), warnings: about(check.warnings) };
}

/**
 * Needs the schema cannot say, by the list's name: a route without `to` is refused, and one without a
 * match catches every request (the engine runs it, so the form asks for a match before applying it).
 */
const ITEM_NEEDS: Record<string, (item: Record<string, unknown>) => string[]> = {
  routes: (route) => [
    ...(route.to === undefined && route.aggregate === undefined ? ['to (or aggregate)'] : []),
    ...(isRecord(route.match) && Object.keys(route.match).length > 0 ? [] : ['a match (path, host, method, headers or query)']),
  ],
};

function requiredMissing(spec: FieldSpec, value: unknown, prefix: string): string[] {
  if (spec.kind === 'variants') return value === undefined ? [] : requiredMissing(spec.variants[variantOf(spec, value)].spec, value, prefix);
  if (spec.kind !== 'group' || !isRecord(value)) return [];
  return spec.fields.flatMap((f) => {
    if (!f.required || f.spec.kind === 'constant') return [];
    const field = value[f.name];
    if (field === undefined || field === '' || (Array.isArray(field) && field.length === 0)) return [`${prefix}${f.name}`];
    return requiredMissing(f.spec, field, `${prefix}${f.name}.`);
  });
}

/** How a new item is called on the page: `routes[2]`. */
export function itemName(item: Path): string {
  return `${String(item.at(-2))}[${String(item.at(-1))}]`;
}

export function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/** Whether two config values are the same JSON (what applying one over the other would change nothing). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameValue(a[key], b[key]));
}

function distinct(paths: Path[]): Path[] {
  return paths.filter((path, i) => paths.findIndex((p) => samePath(p, path)) === i);
}

function getAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const segment of path) at = (at as Record<string | number, unknown> | undefined)?.[segment];
  return at;
}
