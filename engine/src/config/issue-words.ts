/**
 * The words for a check a schema left without a message of its own (a type, a minimum, a maximum, a
 * prefix), said as the config's other errors are: what the field takes, and what it was given
 * (`must be at least 1, got 0`, `expected a list, got "x"`), never zod's generic `Too small: expected
 * number to be >=1`. The error's path names the field. Installed for every zod parse by validate.ts; a
 * message a schema gives (`limitMessage`, a refinement's) still wins.
 */
import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

/** How a value is said back: strings quoted and cut short, YAML's words for lists and mappings. */
export function given(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  return String(value);
}

const KINDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  set: 'a list',
};

/** The YAML 1.1 spellings of true and false, with the one to write. */
const YAML_11_BOOLEANS: Record<string, 'true' | 'false'> = { yes: 'true', y: 'true', on: 'true', no: 'false', n: 'false', off: 'false' };

const UNITS: Record<string, [one: string, many: string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

function count(n: number | bigint, [one, many]: [string, string]): string {
  return `${n} ${n === 1 || n === 1n ? one : many}`;
}

/** `must be at least 1, got 0`; `must not be empty`; `must have at most 20 items, got 21`. */
function bound(issue: Extract<RawIssue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  const units = UNITS[issue.origin];
  if (units === undefined) {
    const how = issue.exact ? 'exactly' : small ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
    return `must be ${how} ${limit}, got ${given(issue.input)}`;
  }
  const length = typeof issue.input === 'string' || Array.isArray(issue.input) ? issue.input.length : undefined;
  if (small && !issue.exact && Number(limit) <= 1) return 'must not be empty';
  const how = issue.exact ? 'exactly' : small ? 'at least' : 'at most';
  return `must have ${how} ${count(limit, units)}${length === undefined ? '' : `, got ${length}`}`;
}

/** Our words for an issue zod would say generically; undefined leaves zod's (a code we have no better words for). */
export function issueWords(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const kind = KINDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `required: ${kind}`;
      const yes = issue.expected === 'boolean' && typeof issue.input === 'string' ? YAML_11_BOOLEANS[issue.input.toLowerCase()] : undefined;
      // YAML 1.1 read yes and on as true; YAML 1.2, which configs are read as, reads them as text.
      return `expected ${kind}, got ${given(issue.input)}${yes === undefined ? '' : ` (YAML reads it as text: write ${yes})`}`;
    }
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_format':
      if ('prefix' in issue && typeof issue.prefix === 'string') return `must start with "${issue.prefix}", got ${given(issue.input)}`;
      if ('suffix' in issue && typeof issue.suffix === 'string') return `must end with "${issue.suffix}", got ${given(issue.input)}`;
      if ('includes' in issue && typeof issue.includes === 'string') return `must contain "${issue.includes}", got ${given(issue.input)}`;
      if (issue.format === 'regex' && issue.pattern !== undefined) return `must match ${issue.pattern}, got ${given(issue.input)}`;
      return `not a valid ${issue.format}: ${given(issue.input)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, got ${given(issue.input)}`;
    case 'invalid_key':
      return `the key ${given(issue.input)} is not one this mapping takes`;
    case 'invalid_element':
      return `a value in this ${issue.origin} is not valid`;
    default:
      return undefined;
  }
}
