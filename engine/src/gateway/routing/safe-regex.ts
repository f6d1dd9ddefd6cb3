/**
 * Regular expressions a config may give a route (on the path, a header, a query parameter), checked
 * once when the config is applied so that no request can make one run for long. JavaScript's default
 * engine backtracks, and a pattern with no nested quantifier can still take polynomial time far past
 * any bound (`^/x.*a.*a.*a.*c` on a 600-character path held the engine ~5 s; with 1024 characters,
 * hours), so every route regex runs on V8's linear-time engine (the `l` flag, the guarantee RE2
 * gives Envoy's `safe_regex`): its time grows with the value's length, whatever the pattern. What that
 * engine cannot run (lookarounds, a counted repeat above 16) is refused with the reason. Besides:
 * - the source is at most LIMITS.regexLength characters (config/limits.ts);
 * - no quantified group holds a quantifier or an alternation (`(a+)+`, `(a|a)*`: star height above one,
 *   the shape of catastrophic backtracking), and no backreference (`\1`, `\k<name>`);
 * - a value longer than MAX_REGEX_INPUT characters never matches.
 * Regexes are searched (JavaScript `test`, as nginx's `location ~`): anchor with `^` and `$` to match
 * the whole value. Named groups (`(?<version>[0-9]+)`) capture parameters, as `:name` segments do.
 */
import { setFlagsFromString } from 'node:v8';
import { LIMITS, limitMessage } from '../../config/limits.ts';

// The `l` flag (linear time) is behind this V8 flag; it only makes the flag legal, for this process.
setFlagsFromString('--enable-experimental-regexp-engine');

/** Values (paths, header and query values) longer than this never match a regex. */
export const MAX_REGEX_INPUT = 1024;

/** Why `source` cannot be a route's regex, or undefined when it can. */
export function regexProblem(source: string): string | undefined {
  if (source.length > LIMITS.regexLength.max) return limitMessage(LIMITS.regexLength);
  if (source.length === 0) return 'an empty regular expression matches everything: leave the condition out instead';
  try {
    new RegExp(source);
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return backtrackingProblem(source) ?? linearProblem(source);
}

/** Why the linear-time engine cannot run `source` (a source that compiles), or undefined when it can. */
function linearProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'l');
    return undefined;
  } catch {
    return 'cannot be matched in linear time: lookarounds ((?=, (?!, (?<=, (?<!), inline modifiers and counted repeats above 16 ({1,17}) are not supported (as in RE2, which Envoy uses); use + or * instead of a large count';
  }
}

/** The compiled form of a source that passed regexProblem: on the linear-time engine. */
export function compileRegex(source: string): RegExp {
  return new RegExp(source, 'l');
}

/** Search `value` with `regex`, or fail when `value` is longer than MAX_REGEX_INPUT. */
export function execBounded(regex: RegExp, value: string): RegExpExecArray | null {
  return value.length > MAX_REGEX_INPUT ? null : regex.exec(value);
}

/** The names of the regex's named groups, in order. */
export function groupNames(source: string): string[] {
  return [...source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]);
}

interface Group {
  /** A quantifier or an alternation inside: repeating this group can backtrack exponentially. */
  risky: boolean;
}

/** Walks a source that compiles: groups, classes and escapes, and the quantifier after each atom. */
function backtrackingProblem(source: string): string | undefined {
  const open: Group[] = [{ risky: false }];
  /** The group that just closed, when the next token may quantify it. */
  let closed: Group | undefined;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const quantifier = quantifierAt(source, i);
    if (quantifier > 0) {
      const repeats = source[i] !== '?' && !(source[i] === '{' && /^\{(0|1)(,(0|1))?\}/.test(source.slice(i)));
      if (closed?.risky && repeats)
        return 'a repeated group that itself repeats or alternates (like (a+)+ or (a|b)*) can take exponential time; rewrite it';
      open[open.length - 1].risky = true;
      closed = undefined;
      i += quantifier;
      if (source[i] === '?') i++;
      continue;
    }
    closed = undefined;
    if (c === '\\') {
      const next = source[i + 1];
      if ((next >= '1' && next <= '9') || next === 'k')
        return 'backreferences (\\1, \\k<name>) are not allowed: they can take exponential time';
      i += 2;
    } else if (c === '[') {
      i = classEnd(source, i);
    } else if (c === '(') {
      open.push({ risky: false });
      i += source[i + 1] === '?' ? groupPrefixLength(source, i) : 1;
    } else if (c === ')') {
      const group = open.pop()!;
      if (group.risky) open[open.length - 1].risky = true;
      closed = group;
      i++;
    } else {
      if (c === '|') open[open.length - 1].risky = true;
      i++;
    }
  }
  return undefined;
}

/** The length of a quantifier (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`) at `i`, or 0. */
function quantifierAt(source: string, i: number): number {
  const c = source[i];
  if (c === '*' || c === '+' || c === '?') return 1;
  if (c !== '{') return 0;
  const braces = /^\{\d+(,\d*)?\}/.exec(source.slice(i, i + 24));
  return braces ? braces[0].length : 0;
}

/** The index just past the character class opening at `i` (in JavaScript `[]` is a whole, empty class). */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The length of `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`. */
function groupPrefixLength(source: string, i: number): number {
  if (source[i + 2] !== '<' || source[i + 3] === '=' || source[i + 3] === '!') return source[i + 2] === '<' ? 4 : 3;
  return source.indexOf('>', i) + 1 - i;
}
