/**
 * Undo and redo on the config the learner sees now, not on a snapshot: an edit is taken back (or made
 * again) on top of whatever changed since, elsewhere (a setting, the editor, a switch, a lesson), the
 * way a shared document's undo takes back only your own change. A three-way merge of plain JSON:
 * `base` is the config the edit left (undo) or found (redo), `mine` the one it is to become there, and
 * `theirs` the running config. Where only one side changed a value, that side wins; where both changed
 * the same value differently, the merge stops and names the place, so undo says what it would lose
 * instead of losing it. Lists of objects with an `id` (nodes) or a `name` (traffic flows) are merged item
 * by item, in `mine`'s order, with items added since (by `theirs`) after them.
 */

export type Rebased = { ok: true; config: unknown } | { ok: false; path: string };

export function rebase(base: unknown, mine: unknown, theirs: unknown): Rebased {
  try {
    return { ok: true, config: merge(base, mine, theirs, '') };
  } catch (error) {
    if (error instanceof Conflict) return { ok: false, path: error.path || '(root)' };
    throw error;
  }
}

class Conflict extends Error {
  constructor(readonly path: string) {
    super(`conflict at ${path}`);
  }
}

function merge(base: unknown, mine: unknown, theirs: unknown, path: string): unknown {
  if (same(mine, theirs) || same(base, theirs)) return mine;
  if (same(base, mine)) return theirs;
  if (isRecord(base) && isRecord(mine) && isRecord(theirs)) {
    const out: Record<string, unknown> = {};
    for (const key of union(Object.keys(mine), Object.keys(theirs))) {
      const value = merge(base[key], mine[key], theirs[key], path ? `${path}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  const identity = Array.isArray(base) && Array.isArray(mine) && Array.isArray(theirs) ? identityOf([base, mine, theirs]) : undefined;
  if (identity !== undefined) return mergeItems(base as object[], mine as object[], theirs as object[], identity, path);
  throw new Conflict(path);
}

/** Lists whose items are told apart by `id` (or `name`): merged item by item. */
function mergeItems(base: object[], mine: object[], theirs: object[], key: string, path: string): object[] {
  const byKey = (list: object[]) => new Map(list.map((item) => [(item as Record<string, unknown>)[key] as string, item]));
  const [b, m, t] = [byKey(base), byKey(mine), byKey(theirs)];
  const keys = union([...m.keys()], [...t.keys()].filter((k) => !b.has(k)));
  for (const k of t.keys()) if (!keys.includes(k) && !same(b.get(k), t.get(k))) keys.push(k);
  const out: object[] = [];
  for (const k of keys) {
    const value = merge(b.get(k), m.get(k), t.get(k), `${path}[${JSON.stringify(k)}]`);
    if (value !== undefined) out.push(value as object);
  }
  return out;
}

/** `id` or `name` when every item of every list is an object with a distinct string of that key. */
function identityOf(lists: unknown[][]): string | undefined {
  return ['id', 'name'].find((key) =>
    lists.every((list) => {
      const values = list.map((item) => (isRecord(item) ? item[key] : undefined));
      return values.every((v) => typeof v === 'string') && new Set(values).size === values.length;
    }),
  );
}

function union(first: string[], second: string[]): string[] {
  const seen = new Set(first);
  return [...first, ...second.filter((k) => !seen.has(k))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether two JSON values are equal, key order aside. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
