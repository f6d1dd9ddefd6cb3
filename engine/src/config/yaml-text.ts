/**
 * How a config's YAML text becomes a value, the same in the engine (validateText) and in the page's
 * editor. Anchors, aliases and YAML 1.1 merge keys (`<<: *defaults`, which real configs use) are
 * expanded. An alias is expanded as a reference to its anchor's value, so expanding costs little; what
 * an expansion bomb (billion laughs) would cost is walking the result, or writing it out as JSON (the
 * page sends what it checks), and the limit on values bounds that: the parser refuses too many alias
 * uses (uses × the aliases inside the anchor), and the value is counted as expanded, stopping past it.
 */
import { visit, type Document } from 'yaml';
import { LIMITS, limitMessage } from './limits.ts';

/** The options of `parseDocument` for a config: a key twice in one mapping is an error; `<<` merges. */
export const YAML_PARSE = { uniqueKeys: true, merge: true } as const;

/** YAML's own tags for the kinds of value JSON has: text, numbers, true and false, null, lists, mappings. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((tag) => `tag:yaml.org,2002:${tag}`));

/**
 * A parsed document's value, or why it has none (in words a person reads; `at`, the offset in the text
 * of what is wrong, when one thing is). Top-level keys starting with `x-` are a place for anchors
 * (`x-service: &service { kind: service }`), as in Compose files: read for the aliases that use them,
 * then left out of the config.
 */
export function yamlValue(document: Document.Parsed): { value: unknown; error?: undefined } | { error: string; at?: number } {
  try {
    const tagged = otherTag(document) ?? unfitTag(document);
    if (tagged !== undefined) return tagged;
    const value: unknown = document.toJS({ maxAliasCount: LIMITS.configValues.max });
    // yaml counts aliases, not what they hold: 5,000 uses of an anchored list of 10,000 pass its guard, and
    // written out as JSON (the page sends what it checks) that is 50 million values.
    if (holdsMoreThan(value, LIMITS.configValues.max)) return { error: `the config holds more values than it may, its aliases (*name) expanded: ${limitMessage(LIMITS.configValues)}` };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value };
    return { value: Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('x-'))) };
  } catch (error) {
    // Too many aliases (yaml's own guard against alias bombs), a merge of what is not a mapping, or
    // nesting deep enough to exhaust the stack.
    return { error: yamlMessage((error as Error).message.split('\n')[0]) };
  }
}

/**
 * Whether `value`, walked as expanded (an alias's value once per use), holds more than `max` values;
 * stops as soon as it does, so a bomb costs about `max` steps.
 */
function holdsMoreThan(value: unknown, max: number): boolean {
  let count = 0;
  const stack = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (++count > max) return true;
    if (next !== null && typeof next === 'object') for (const item of Object.values(next)) stack.push(item);
  }
  return false;
}

/**
 * The first tag that is not one of YAML's plain ones: `!!binary`, `!!set`, `!!timestamp` make values a
 * config has no field for (a byte array read as a mapping of 100 errors), and a `!custom` tag would be
 * silently ignored.
 */
function otherTag(document: Document.Parsed): { error: string; at: number } | undefined {
  let found: { error: string; at: number } | undefined;
  visit(document, {
    Node(_key, node) {
      if (node.tag === undefined || PLAIN_TAGS.has(node.tag)) return undefined;
      const tag = node.tag.replace('tag:yaml.org,2002:', '!!');
      found = { error: `the tag ${tag} is not taken: a config holds text, numbers, true or false, lists and mappings (remove the tag)`, at: node.range?.[0] ?? 0 };
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * A plain tag on a value it does not fit (`!!float 5`, `!!int 5.5`, `!!bool yes`): the parser keeps the
 * value as text and only warns, so the config's error said `expected a number, got "5"`.
 */
function unfitTag(document: Document.Parsed): { error: string; at: number } | undefined {
  const warning = document.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (warning === undefined) return undefined;
  const tag = /tag:yaml\.org,2002:(\w+)/.exec(warning.message)?.[1];
  const name = tag === undefined ? 'its tag' : `!!${tag}`;
  return { error: `the value does not fit ${name}, so YAML reads it as text: write the value without the tag (5, 2.5, true)`, at: warning.pos[0] };
}

/** The YAML parser's message (its first line), with its guards' words said as what a config may hold. */
export function yamlMessage(message: string): string {
  if (message === 'Maximum call stack size exceeded') return `nested too deep: ${limitMessage(LIMITS.depth)}`;
  if (message.startsWith('Excessive alias count')) {
    return `aliases (*name) expand to more than a config may hold (each use of an anchor counts once per alias inside it): ${limitMessage(LIMITS.configValues)}`;
  }
  if (message.startsWith('Source contains multiple documents')) return 'more than one YAML document (a second ---): a config is one document';
  if (message === 'Merge sources must be maps or map aliases') return 'a merge key (<<) takes a mapping, an alias of one (<<: *defaults) or a list of them';
  return message;
}
