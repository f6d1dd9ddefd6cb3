/**
 * Dotted paths into a JSON object body (`user.address.city`), as body transforms name fields. A path
 * walks object members only (an array or a value on the way stops it), so one syntax covers what
 * gateways rename, remove and set. Paths are parsed once when the config is validated; the walks run
 * per request on a body already parsed. Names that reach an object's prototype are refused, so a
 * config can never write through `__proto__`.
 */

export type BodyPath = readonly string[];

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path's segments, or why the text is not a path. */
export function parseBodyPath(text: string): BodyPath | { error: string } {
  const segments = text.split('.');
  if (segments.some((s) => s === ''))
    return { error: `expected field names joined by dots (user.address.city), got ${JSON.stringify(text)}` };
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden !== undefined) return { error: `"${forbidden}" cannot be a field name here: it reaches the object's prototype` };
  return segments;
}

/** Whether one path is the other or lies inside it (`a` and `a.b`): two edits of them depend on their order. */
export function pathsOverlap(a: BodyPath, b: BodyPath): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The object that holds the path's last field, creating empty objects on the way when `create` is
 * set; or the dotted prefix that stops the walk (a member that is absent, or not an object).
 */
export function parentOf(root: JsonObject, path: BodyPath, create: boolean): JsonObject | string {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    let next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined && create) {
      next = {};
      node[key] = next;
    }
    if (!isJsonObject(next)) return path.slice(0, i + 1).join('.');
    node = next;
  }
  return node;
}
