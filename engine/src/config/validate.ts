/**
 * Parse and check a config: the text (YAML or JSON), then its size (so that checking it cannot stall
 * the engine), then the zod shape and, on the same config as written, the rules that span nodes
 * (duplicate ids, port clashes, unknown upstreams, cycles), so that both kinds come in one pass. Every
 * error names its path (and the id of the node it is in), all of them are reported at once, in the
 * order of the document, and a misspelt key, node id or option gets the nearest name it may have meant.
 * A valid config may still carry warnings: things that run but look unmeant (a route that can never
 * match, a service nothing sends to).
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { checkScenario } from '../faults/targets.ts';
import { findShadowedRoutes } from '../gateway/routing/shadowing.ts';
import { trafficAuthErrors } from '../traffic/client-auth.ts';
import { escapeUnshowable } from './fields.ts';
import { LIMITS, limitMessage } from './limits.ts';
import { withUnitsRequired } from './duration.ts';
import { errorPlace, upstreamsOf, type ConfigError } from './edges.ts';
import { EdgeConfig, NODE_KINDS, type EdgeConfigParsed } from './schema.ts';
import { descriptionAt, keysAt, nearestName, suggestionBudget, type SuggestionBudget } from './suggest.ts';
import { issueWords } from './issue-words.ts';
import { layoutHintWarnings } from './layout-hints.ts';
import { tlsTopologyErrors } from './tls-topology.ts';
import { checkTopology } from './topology-check.ts';
import { isExternalUrl } from './upstream.ts';
import { YAML_PARSE, yamlMessage, yamlValue } from './yaml-text.ts';

export { errorPlace, isExternalUrl, upstreamsOf, type ConfigError };

// Every zod parse whose issues become ConfigErrors comes through here (zodErrors): a check the schema
// left without a message is said in the config's words (issue-words.ts), not zod's generic ones.
z.config({ customError: issueWords });

/** Something a valid config does that cannot be meant; it still runs. Named like an error: `nodes[1].routes[2]`. */
export type ConfigWarning = ConfigError;

export type ConfigResult =
  | { ok: true; config: EdgeConfigParsed; input: unknown; warnings: ConfigWarning[] }
  | { ok: false; errors: ConfigError[] };

/** The most characters of a key a path shows: an unknown key may be as long as the config itself. */
const SHOWN_KEY_LENGTH = 100;

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${shownKey(String(part))}` : shownKey(String(part));
  }
  return out || '(root)';
}

function shownKey(key: string): string {
  return escapeUnshowable(key.length > SHOWN_KEY_LENGTH ? `${key.slice(0, SHOWN_KEY_LENGTH)}...` : key);
}

/** Errors as they are shown: what a message echoes of the config (a file name, a regex, a node's id) without control characters. */
function shown(errors: ConfigError[]): ConfigError[] {
  return errors.map((error) => ({
    ...error,
    message: escapeUnshowable(error.message),
    ...(error.node === undefined ? {} : { node: shownKey(error.node) }),
  }));
}

export function formatErrors(errors: ConfigError[]): string {
  return errors.map((e) => `${errorPlace(e)}: ${e.message}`).join('\n');
}

/** Parse YAML (a superset of JSON; anchors and merge keys expanded, yaml-text.ts) and validate it. */
export function validateText(text: string, options: ValidateOptions = {}): ConfigResult {
  const doc = parseDocument(text, { ...YAML_PARSE, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: shown(
        doc.errors.map((e) => ({
          path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(root)',
          message: yamlMessage(e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')),
        })),
      ),
    };
  }
  const expanded = yamlValue(doc);
  if (expanded.error !== undefined) return { ok: false, errors: [{ path: expanded.at === undefined ? '(root)' : placeIn(text, expanded.at), message: expanded.error }] };
  return validateConfig(expanded.value, options);
}

/** What validateConfig knows of where the config runs: the port of the lab's page and control API (checkTopology). */
export interface ValidateOptions {
  controlPort?: number;
}

/** `line 3, column 7` for an offset in `text`, as the YAML parser's own errors say a place. */
function placeIn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Validate an already-parsed value (for example the body of `PUT /api/config`). */
export function validateConfig(input: unknown, options: ValidateOptions = {}): ConfigResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(root)', message: 'expected a mapping with version, nodes and traffic' }] };
  }
  const tooBig = sizeErrors(input);
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  const parsed = withUnitsRequired(() => EdgeConfig.safeParse(input, { reportInput: true }));
  const budget = suggestionBudget();
  const formErrors = parsed.success ? crossErrors(parsed.data) : zodErrors(parsed.error, { schema: EdgeConfig, input, budget });
  const topology = checkTopology(input, budget, options.controlPort);
  const errors = [...formErrors, ...topology.errors];
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: shown(inDocumentOrder(named(dedupe(errors), input), input)) };
  const warnings = [...topology.warnings, ...configWarnings(parsed.data), ...layoutHintWarnings(parsed.data)];
  return { ok: true, config: parsed.data, input, warnings: inDocumentOrder(named(warnings, input), input) };
}

/** The rules that need the whole config parsed: fault targets, traffic credentials, TLS hops. */
function crossErrors(config: EdgeConfigParsed): ConfigError[] {
  return [...checkScenario(config), ...trafficAuthErrors(config), ...tlsTopologyErrors(config)];
}

/** The warnings of a valid config's routes: each gateway route that can never match (shadowed by one tried before it). */
export function configWarnings(config: EdgeConfigParsed): ConfigWarning[] {
  return config.nodes.flatMap((node, n): ConfigWarning[] => {
    if (node.kind !== 'gateway') return [];
    return findShadowedRoutes(node.routes).map((shadow) => ({ path: `nodes[${n}].routes[${shadow.index}]`, message: shadow.message }));
  });
}

/** Each error inside a node gets the node's id, as written (`nodes[2]` is `users-9`). */
function named(errors: ConfigError[], input: object): ConfigError[] {
  const nodes = (input as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return errors;
  return errors.map((error) => {
    const index = /^nodes\[(\d+)\]/.exec(error.path)?.[1];
    const id = index === undefined ? undefined : (nodes[Number(index)] as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id !== '' ? { ...error, node: id } : error;
  });
}

/**
 * Errors in the order of the document: by top-level section as written, then by item; within an item,
 * the schema's errors before those of the rules that span nodes (the sort is stable).
 */
function inDocumentOrder(errors: ConfigError[], input: object): ConfigError[] {
  const sections = Object.keys(input);
  const rank = (path: string): [number, number] => {
    const [, section, index] = /^([^.[]*)(?:\[(\d+)\])?/.exec(path)!;
    const at = sections.indexOf(section);
    return [at < 0 ? -1 : at, index === undefined ? -1 : Number(index)];
  };
  return errors
    .map((error) => ({ error, rank: rank(error.path) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1])
    .map(({ error }) => error);
}

/**
 * The limits that must hold before the schema looks at a config, because checking is itself work that
 * blocks the engine: the number of nodes (10,000 of them took a quarter of a second to check), the
 * values in all, and the depth. Walks the value without recursion, so junk nested deep cannot
 * overflow the stack; stops at the first limit passed. Other bodies checked by the config schema (a
 * traffic start) can be held to the same limits with it.
 */
export function sizeErrors(input: object): ConfigError[] {
  const nodes = (input as { nodes?: unknown }).nodes;
  if (Array.isArray(nodes) && nodes.length > LIMITS.nodes.max) {
    return [{ path: 'nodes', message: `${nodes.length} nodes; ${limitMessage(LIMITS.nodes)}` }];
  }
  let values = 0;
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (++values > LIMITS.configValues.max) return [{ path: '(root)', message: limitMessage(LIMITS.configValues) }];
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= LIMITS.depth.max) return [{ path: formatPath(path), message: limitMessage(LIMITS.depth) }];
    if (Array.isArray(value)) value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    else for (const [key, item] of Object.entries(value)) stack.push({ value: item, path: [...path, key] });
  }
  return [];
}

/** What lets zodErrors offer the key meant for a misspelt one: the schema that was parsed, and what it was given. */
export interface KeyHints {
  schema: z.ZodType;
  input: unknown;
  /** Shared with the other searches of the same check. */
  budget?: SuggestionBudget;
}

/**
 * zod issues as path-named errors; a failed union reports its closest branch. A value outside a list
 * of options (parsed with `reportInput`) gets the nearest option; with `hints`, an unknown key the
 * nearest key its object takes.
 */
export function zodErrors(error: z.ZodError, hints?: KeyHints): ConfigError[] {
  return issueErrors(error.issues, hints, hints?.budget ?? suggestionBudget());
}

function issueErrors(issues: readonly z.core.$ZodIssue[], hints: KeyHints | undefined, budget: SuggestionBudget): ConfigError[] {
  const out: ConfigError[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length > 0) {
      // A union failed every branch: report the branch that got furthest, which reads best.
      const best = issue.errors.reduce((a, b) => (deepest(b) > deepest(a) ? b : a));
      out.push(...issueErrors(best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })), hints, budget));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = hints ? keysAt(hints.schema, issue.path, hints.input) : [];
      for (const key of issue.keys) out.push(withSuggestion({ path: formatPath([...issue.path, key]), message: 'unknown key' }, key, known, budget));
      continue;
    }
    const error = { path: formatPath(issue.path), message: describe(issue, hints) };
    const written = hints ? writtenAt(hints.input, issue.path) : issue.input;
    out.push(typeof written === 'string' ? withSuggestion(error, written, optionsOf(issue), budget) : error);
  }
  return dedupe(out);
}

/** The error with the nearest of `names` to what was written, when one is close. */
function withSuggestion(error: ConfigError, written: string, names: readonly unknown[], budget: SuggestionBudget): ConfigError {
  const suggestion = nearestName(written, names.filter((n): n is string => typeof n === 'string'), budget);
  return suggestion === undefined ? error : { ...error, message: `${error.message}; did you mean "${suggestion}"?`, suggestion };
}

/** The values an issue says would have been accepted: an enum's or a literal's, a discriminated union's options. */
function optionsOf(issue: z.core.$ZodIssue): readonly unknown[] {
  if (issue.code === 'invalid_value') return issue.values;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    return 'options' in issue && Array.isArray(issue.options) ? (issue.options as unknown[]) : NODE_KINDS;
  }
  return [];
}

/** The value written at `path` of the input. */
function writtenAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  return path.reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined), input);
}

function deepest(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

function describe(issue: z.core.$ZodIssue, hints: KeyHints | undefined): string {
  // A missing field the schema said nothing of its own about: what it is, as its description says,
  // rather than only its type.
  if (issue.code === 'invalid_type' && hints !== undefined && writtenAt(hints.input, issue.path) === undefined && issue.message === issueWords({ ...issue, input: undefined })) {
    const what = descriptionAt(hints.schema, issue.path, hints.input);
    if (what !== undefined) return `required: ${what}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    // zod names the union's options (node kinds, fault types); older issues may not.
    return `expected one of ${optionsOf(issue).map((k) => JSON.stringify(k)).join(', ')}`;
  }
  return issue.message;
}

function dedupe(errors: ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
