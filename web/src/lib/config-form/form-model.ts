/**
 * The settings form of a node (and of the clients: traffic flows and scenario), generated from the config's JSON Schema (the one schema the engine
 * validates with, so every setting a node has is in its form, and a setting a later issue adds appears
 * without page code). A schema becomes a tree of fields:
 * - `text`, `number`, `boolean`, `choice` (an enum), and `amount`: a number or a string with a unit
 *   (`40ms`, `64mb`), typed as text and sent as the learner wrote it; the engine checks it;
 * - `group`: an object's settings, each with its schema's description as help;
 * - `list`: an array's items, added and removed;
 * - `variants`: a union, shown as one choice of its forms (a latency as one value, or a uniform, normal or
 *   lognormal distribution), each form named by the const that tells it apart; a union inside a union
 *   adds its forms to the outer choice (a rate limit is one of seven algorithms, or a list of them);
 * - `yaml`: anything the form cannot say better (free JSON, unions of lists), edited as a YAML snippet.
 */
import type { JsonSchema } from '../config-editor/schema-at.ts';

interface Common {
  description?: string;
  default?: unknown;
}

export type FieldSpec =
  | ({ kind: 'text'; pattern?: string } & Common)
  | ({ kind: 'number'; integer: boolean; min?: number; max?: number } & Common)
  | ({ kind: 'boolean' } & Common)
  | ({ kind: 'choice'; options: string[] } & Common)
  | ({ kind: 'amount' } & Common)
  | ({ kind: 'constant'; value: unknown } & Common)
  | ({ kind: 'group'; fields: GroupField[] } & Common)
  | ({ kind: 'list'; item: FieldSpec; maxItems?: number } & Common)
  | ({ kind: 'variants'; variants: Variant[]; discriminator?: string } & Common)
  | ({ kind: 'yaml' } & Common);

export interface GroupField {
  name: string;
  required: boolean;
  spec: FieldSpec;
}

export interface Variant {
  /** What the choice shows: the const that tells the form apart, else the form's type. */
  label: string;
  spec: FieldSpec;
  /** What a new value of this form starts as. */
  initial: unknown;
}

const MAX_DEPTH = 12;

/** The form of a node of `kind`: its branch of the schema's `nodes` union. */
export function nodeForm(root: JsonSchema, kind: string): FieldSpec | undefined {
  const branches = root.properties?.nodes?.items?.oneOf ?? [];
  const branch = branches.find((b) => b.properties?.kind?.const === kind);
  return branch === undefined ? undefined : fieldOf(root, branch);
}

/** What the clients do: the config's traffic flows and its scenario (faults on a timeline), as one form. */
export function scenarioForm(root: JsonSchema): FieldSpec {
  const fields = (['traffic', 'scenario'] as const).flatMap((name) => {
    const schema = root.properties?.[name];
    return schema === undefined ? [] : [{ name, required: false, spec: fieldOf(root, schema) }];
  });
  return { kind: 'group', fields };
}

/** The field tree of `schema` (`root` resolves its `$ref`s). */
export function fieldOf(root: JsonSchema, schema: JsonSchema, depth = 0): FieldSpec {
  const common: Common = { description: schema.description, default: schema.default };
  if (schema.$ref !== undefined) {
    const target = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    const resolved = target ? root.$defs?.[target[1]] : undefined;
    return resolved === undefined || depth > MAX_DEPTH ? { kind: 'yaml', ...common } : { ...fieldOf(root, resolved, depth + 1), ...defined(common) };
  }
  if (depth > MAX_DEPTH) return { kind: 'yaml', ...common };
  const union = schema.oneOf ?? schema.anyOf;
  if (union !== undefined) return { ...unionField(root, union, depth), ...defined(common) };
  if (schema.const !== undefined) return { kind: 'constant', value: schema.const, ...common };
  if (schema.enum !== undefined) return { kind: 'choice', options: schema.enum.map(String), ...common };
  switch (schema.type) {
    case 'string':
      return { kind: 'text', ...(schema as { pattern?: string }).pattern !== undefined ? { pattern: (schema as { pattern?: string }).pattern } : {}, ...common };
    case 'number':
    case 'integer': {
      const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
      return { kind: 'number', integer: schema.type === 'integer', min: minimum, max: maximum, ...common };
    }
    case 'boolean':
      return { kind: 'boolean', ...common };
    case 'object': {
      if (schema.properties === undefined) return { kind: 'yaml', ...common };
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties).map(([name, property]) => ({ name, required: required.has(name), spec: fieldOf(root, property, depth + 1) }));
      return { kind: 'group', fields, ...common };
    }
    case 'array':
      return schema.items === undefined
        ? { kind: 'yaml', ...common }
        : { kind: 'list', item: fieldOf(root, schema.items, depth + 1), maxItems: (schema as { maxItems?: number }).maxItems, ...common };
    default:
      return { kind: 'yaml', ...common };
  }
}

/**
 * A union: `number | string` is an amount; a union of one scalar form and objects told apart by a
 * const (a latency, a target) is a choice of variants; anything else is YAML.
 */
function unionField(root: JsonSchema, union: readonly JsonSchema[], depth: number): FieldSpec {
  const types = union.map((branch) => branch.type);
  if (union.length === 2 && types.includes('number') && types.includes('string')) return { kind: 'amount' };
  const variants: Variant[] = [];
  const discriminators = new Set<string | undefined>();
  for (const branch of union) {
    const spec = fieldOf(root, branch, depth + 1);
    if (spec.kind === 'yaml') return { kind: 'yaml' };
    if (spec.kind === 'variants') {
      // A union of unions is one choice: its forms are this union's forms.
      variants.push(...spec.variants);
      discriminators.add(spec.discriminator);
      continue;
    }
    variants.push({ label: labelOf(branch, spec), spec, initial: initialOf(spec) });
    if (spec.kind === 'group') discriminators.add(discriminatorOf(branch));
  }
  const labels = new Set(variants.map((v) => v.label));
  if (labels.size !== variants.length) return { kind: 'yaml' };
  if (variants.length === 1) return variants[0].spec;
  const [discriminator] = discriminators;
  return { kind: 'variants', variants, ...(discriminators.size === 1 && discriminator !== undefined ? { discriminator } : {}) };
}

/** The property whose const tells `branch` apart from its siblings (`algorithm`, `distribution`, `type`). */
function discriminatorOf(branch: JsonSchema): string | undefined {
  return Object.entries(branch.properties ?? {}).find(([, property]) => typeof property.const === 'string')?.[0];
}

/** A branch's name in the choice: the const of its discriminating property, else what it is. */
function labelOf(branch: JsonSchema, spec: FieldSpec): string {
  if (branch.const !== undefined && typeof branch.const !== 'object') return String(branch.const);
  for (const property of Object.values(branch.properties ?? {})) {
    if (property.const !== undefined && typeof property.const === 'string') return property.const;
  }
  switch (spec.kind) {
    case 'amount':
      return 'value';
    case 'text':
      return 'text';
    case 'number':
      return 'number';
    case 'boolean':
      return 'on/off';
    case 'group':
      return 'settings';
    case 'list':
      return 'several (a list)';
    default:
      return spec.kind;
  }
}

/** What a new value of `spec` starts as: the required constants of a group filled in, the rest left to defaults. */
export function initialOf(spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'group':
      return Object.fromEntries(
        spec.fields.flatMap((f) => (f.spec.kind === 'constant' ? [[f.name, f.spec.value]] : f.required ? [[f.name, initialOf(f.spec)]] : [])),
      );
    case 'list':
      return [];
    case 'boolean':
      return spec.default ?? false;
    case 'number':
      return spec.default ?? spec.min ?? 0;
    case 'choice':
      return spec.default ?? spec.options[0];
    case 'constant':
      return spec.value;
    case 'variants':
      return spec.variants[0].initial;
    default:
      return spec.default ?? '';
  }
}

/**
 * `value` switched to variant `index`: the new form's start, keeping the settings both forms mean the
 * same by (same name and same help: a limit's `key`, `name`, `rate`), not those that only share a name
 * (a token bucket's `burst` is its size, a GCRA's the requests beyond the first).
 */
export function switchVariant(spec: Extract<FieldSpec, { kind: 'variants' }>, value: unknown, index: number): unknown {
  const to = spec.variants[index];
  const from = value === undefined ? undefined : spec.variants[variantOf(spec, value)].spec;
  if (to.spec.kind !== 'group' || from?.kind !== 'group' || !isRecord(value) || !isRecord(to.initial)) return to.initial;
  const kept = to.spec.fields.filter((field) => {
    const before = from.fields.find((f) => f.name === field.name);
    return field.spec.kind !== 'constant' && value[field.name] !== undefined && before !== undefined && before.spec.kind === field.spec.kind && before.spec.description === field.spec.description;
  });
  return { ...to.initial, ...Object.fromEntries(kept.map((field) => [field.name, value[field.name]])) };
}

/** Which variant `value` is: the one whose discriminating const it carries, else the first of its type. */
export function variantOf(spec: Extract<FieldSpec, { kind: 'variants' }>, value: unknown): number {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const index = spec.variants.findIndex(
      (v) => v.spec.kind === 'group' && v.spec.fields.some((f) => f.spec.kind === 'constant' && (value as Record<string, unknown>)[f.name] === f.spec.value),
    );
    if (index !== -1) return index;
    const group = spec.variants.findIndex((v) => v.spec.kind === 'group');
    if (group !== -1) return group;
  }
  if (Array.isArray(value)) {
    const list = spec.variants.findIndex((v) => v.spec.kind === 'list');
    if (list !== -1) return list;
  }
  const scalar = spec.variants.findIndex((v) => v.spec.kind !== 'group' && v.spec.kind !== 'list');
  return scalar === -1 ? 0 : scalar;
}

/**
 * The number of empty strings in `value`: what a new item starts with in its required text fields (a
 * target's id, a flow's path, a consumer's name). The learner never types one (an emptied field clears
 * its setting), so a part with more blanks than the running config's has a new item not filled in yet.
 */
export function blanks(value: unknown): number {
  if (value === '') return 1;
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + blanks(item), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, item) => n + blanks(item), 0);
  return 0;
}

/** `value` with `path` set to `next` (undefined removes the key: the setting goes back to its default). */
export function setAt(value: unknown, path: readonly (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(value) ? [...value] : [];
    if (rest.length === 0 && next === undefined) list.splice(head, 1);
    else list[head] = setAt(list[head], rest, next);
    return list;
  }
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  const child = setAt(object[head], rest, next);
  if (child === undefined) delete object[head];
  else object[head] = child;
  return object;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defined(common: Common): Common {
  return Object.fromEntries(Object.entries(common).filter(([, v]) => v !== undefined));
}
