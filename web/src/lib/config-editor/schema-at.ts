/**
 * What the config's JSON Schema (engine/edgelab.schema.json, generated from the engine's one schema)
 * says about a place in a config: the keys an object there may have, the values a field may take, and
 * its description. The config editor completes and explains from it.
 *
 * A place is a path of keys and indexes (`['nodes', 2, 'algorithm']`). The schema's unions are read
 * with the document in hand: a node's schema is the `oneOf` branch whose `kind` const equals the
 * node's `kind`, so a balancer is offered `algorithm` and a service `latency`; before a node has a
 * kind, every branch's keys are offered. `$ref` resolves against the root's `$defs`.
 */

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

export type PathSegment = string | number;

/** A key an object may have, for completion. */
export interface KeyOption {
  name: string;
  description: string | undefined;
  required: boolean;
}

/** The schemas that describe the value at `path` of `doc` (several where a union cannot be narrowed). */
export function schemasAt(root: JsonSchema, path: readonly PathSegment[], doc: unknown): JsonSchema[] {
  let schemas = [root];
  let value: unknown = doc;
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of branches(root, schemas, value)) {
      const child = childSchema(schema, segment);
      if (child !== undefined) next.push(child);
    }
    schemas = next;
    value = childValue(value, segment);
    if (schemas.length === 0) break;
  }
  return schemas;
}

/** The keys an object at `path` may have that it does not have yet, required ones first. */
export function keyOptions(root: JsonSchema, path: readonly PathSegment[], doc: unknown): KeyOption[] {
  const value = valueAt(doc, path);
  const present = isObject(value) ? new Set(Object.keys(value)) : new Set<string>();
  const options = new Map<string, KeyOption>();
  for (const schema of branches(root, schemasAt(root, path, doc), value)) {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (present.has(name)) continue;
      const known = options.get(name);
      const required = (schema.required ?? []).includes(name);
      if (known === undefined) options.set(name, { name, description: describe(root, property), required });
      else known.required ||= required;
    }
  }
  return [...options.values()].sort((a, b) => Number(b.required) - Number(a.required));
}

/** The values the schema names for the field at `path`: its enums, consts and booleans. */
export function valueOptions(root: JsonSchema, path: readonly PathSegment[], doc: unknown): string[] {
  const values = new Set<string>();
  for (const schema of branches(root, schemasAt(root, path, doc), valueAt(doc, path))) {
    for (const v of schema.enum ?? []) values.add(String(v));
    if (schema.const !== undefined && typeof schema.const !== 'object') values.add(String(schema.const));
    if (schema.type === 'boolean') {
      values.add('true');
      values.add('false');
    }
  }
  return [...values];
}

/** The description of the field at `path`: its own, else its union's first. */
export function descriptionAt(root: JsonSchema, path: readonly PathSegment[], doc: unknown): string | undefined {
  for (const schema of schemasAt(root, path, doc)) {
    const found = describe(root, schema);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether the field at `path` names a node (`to`, a balancer's targets, a fault's target): the schema says "a node id". */
export function namesANode(root: JsonSchema, path: readonly PathSegment[], doc: unknown): boolean {
  const schemas = schemasAt(root, path, doc);
  return [...schemas, ...branches(root, schemas, valueAt(doc, path))].some((schema) => schema.description?.startsWith('a node id') === true);
}

/** The value at `path` of `doc`, or undefined. */
export function valueAt(doc: unknown, path: readonly PathSegment[]): unknown {
  let value = doc;
  for (const segment of path) value = childValue(value, segment);
  return value;
}

function describe(root: JsonSchema, schema: JsonSchema): string | undefined {
  if (schema.description !== undefined) return schema.description;
  for (const branch of branches(root, [schema], undefined)) if (branch.description !== undefined) return branch.description;
  return undefined;
}

/**
 * `schemas` with their references resolved and their unions opened, down to plain schemas; a union of
 * objects told apart by a `kind` const keeps only the branch matching `value.kind` when there is one.
 */
function branches(root: JsonSchema, schemas: readonly JsonSchema[], value: unknown, depth = 0): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (let schema of schemas) {
    if (schema.$ref !== undefined) schema = resolve(root, schema.$ref) ?? {};
    const union = schema.oneOf ?? schema.anyOf;
    if (union !== undefined && depth < 8) {
      out.push(...branches(root, narrow(union, value), value, depth + 1));
      continue;
    }
    if (schema.allOf !== undefined && depth < 8) out.push(...branches(root, schema.allOf, value, depth + 1));
    out.push(schema);
  }
  return out;
}

/** The branches of a union whose `kind` const matches the value's kind, or all when none does. */
function narrow(union: readonly JsonSchema[], value: unknown): readonly JsonSchema[] {
  const kind = isObject(value) ? value.kind : undefined;
  if (typeof kind !== 'string') return union;
  const matching = union.filter((branch) => branch.properties?.kind?.const === kind);
  return matching.length > 0 ? matching : union;
}

function childSchema(schema: JsonSchema, segment: PathSegment): JsonSchema | undefined {
  if (typeof segment === 'number') return schema.items;
  const property = schema.properties?.[segment];
  if (property !== undefined) return property;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function childValue(value: unknown, segment: PathSegment): unknown {
  if (typeof segment === 'number') return Array.isArray(value) ? value[segment] : undefined;
  return isObject(value) ? value[segment] : undefined;
}

function resolve(root: JsonSchema, ref: string): JsonSchema | undefined {
  const match = /^#\/\$defs\/(.+)$/.exec(ref);
  return match ? root.$defs?.[match[1]] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
