/**
 * A route's header and query conditions: a string is "equals" (`x-canary: "true"`, as before),
 * `{ present: true }` asks only that it be there, `{ regex: "^2" }` searches its value
 * (safe-regex.ts). Header names compare case-insensitively (RFC 9110 section 5.1), header values and
 * query names and values exactly; a query value is the first one, decoded (URLSearchParams.get).
 * Compiled conditions come cheap ones first, so a regex only runs when every literal check passed.
 */
import { compileRegex, execBounded } from './safe-regex.ts';

export type ConditionSpec = string | { present: true } | { regex: string };

export type ValueCondition =
  | { kind: 'equals'; name: string; value: string }
  | { kind: 'present'; name: string }
  | { kind: 'regex'; name: string; source: string; regex: RegExp };

/** A header value as node:http gives it, or a query value as URLSearchParams does. */
export type RequestValue = string | string[] | null | undefined;

const ORDER = { equals: 0, present: 1, regex: 2 } as const;

/** Compile conditions that passed the config's checks; header names are lower-cased. */
export function compileConditions(spec: Readonly<Record<string, ConditionSpec>> | undefined, of: 'header' | 'query'): ValueCondition[] {
  const conditions = Object.entries(spec ?? {}).map(([written, condition]): ValueCondition => {
    const name = of === 'header' ? written.toLowerCase() : written;
    if (typeof condition === 'string') return { kind: 'equals', name, value: condition };
    if ('present' in condition) return { kind: 'present', name };
    return { kind: 'regex', name, source: condition.regex, regex: compileRegex(condition.regex) };
  });
  return conditions.sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
}

export function valueMatches(condition: ValueCondition, value: RequestValue): boolean {
  if (value === undefined || value === null) return false;
  switch (condition.kind) {
    case 'equals':
      return value === condition.value;
    case 'present':
      return true;
    case 'regex':
      if (typeof value === 'string') return execBounded(condition.regex, value) !== null;
      return value.some((one) => execBounded(condition.regex, one) !== null);
  }
}

/** True when every request meeting all of `given` meets `condition` too (for shadowed routes). */
export function conditionImplied(condition: ValueCondition, given: readonly ValueCondition[]): boolean {
  return given.some((g) => {
    if (g.name !== condition.name) return false;
    switch (condition.kind) {
      case 'present':
        return true;
      case 'equals':
        return g.kind === 'equals' && g.value === condition.value;
      case 'regex':
        return (
          (g.kind === 'regex' && g.source === condition.source) || (g.kind === 'equals' && execBounded(condition.regex, g.value) !== null)
        );
    }
  });
}

/** `x-canary: true`, `x-canary present`, `x-version ~ ^2`; query conditions start with `?`. */
export function describeCondition(condition: ValueCondition, of: 'header' | 'query'): string {
  const name = of === 'query' ? `?${condition.name}` : condition.name;
  switch (condition.kind) {
    case 'equals':
      return of === 'query' ? `${name}=${condition.value}` : `${name}: ${condition.value}`;
    case 'present':
      return `${name} present`;
    case 'regex':
      return `${name} ~ ${condition.source}`;
  }
}

/** Why `value` fails `condition`, for a 404's explanation: `header x-canary is "false", not "true"`. */
export function conditionFailure(condition: ValueCondition, value: RequestValue, of: 'header' | 'query'): string {
  const what = of === 'query' ? `query ?${condition.name}` : `header ${condition.name}`;
  if (value === undefined || value === null || condition.kind === 'present') return `${what} is missing`;
  const shown = JSON.stringify(clip(typeof value === 'string' ? value : value.join(', ')));
  if (condition.kind === 'equals') return `${what} is ${shown}, not ${JSON.stringify(condition.value)}`;
  return `${what} ${shown} does not match ${condition.source}`;
}

/** A request value cut to a length a one-sentence reason can hold. */
export function clip(value: string, max = 60): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
