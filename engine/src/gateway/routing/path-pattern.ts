/**
 * A route's `path`, matched against the normalised request path (normalize-path.ts):
 * - exact: `/health` is that path only (`/health/` is another path);
 * - prefix: `/users/*` is `/users`, `/users/` and every path below, never `/users-admin`; `/*` (or no
 *   path) is every path;
 * - template: `:name` segments capture one non-empty segment (`/users/:id`), and may end in a prefix
 *   (`/users/:id/orders/*`);
 * - regex: `~` and a regular expression (`~^/v[0-9]+/items$`, as nginx writes `location ~`), searched
 *   in the path (safe-regex.ts), named groups captured. A string keeps every consumer of `match.path`
 *   (the topology, the page) showing it as it is; no literal pattern starts with `~` (they start with `/`).
 * Captured values are as they stand in the normalised path (still percent-encoded).
 * Config-time checks (pathPatternProblem) refuse a pattern no normalised path can equal, so a pattern
 * never silently matches nothing.
 */
import { isPathRefusal, normalizePath } from './normalize-path.ts';
import { compileRegex, execBounded, groupNames, regexProblem } from './safe-regex.ts';

/** One segment of a template: a literal, or a parameter that takes any non-empty segment. */
export type Segment = { literal: string; param?: undefined } | { param: string; literal?: undefined };

export type PathPattern =
  | { kind: 'exact'; text: string; path: string }
  /** `base` is the pattern without its `/*`: `''` for `/*`, which is every path. */
  | { kind: 'prefix'; text: string; base: string }
  /** `open`: ends in `/*`. `lead`: the literal text before the first parameter, checked first. */
  | { kind: 'template'; text: string; segments: readonly Segment[]; open: boolean; lead: string; params: readonly string[] }
  | { kind: 'regex'; text: string; source: string; regex: RegExp; params: readonly string[] };

const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const SLASH = 0x2f;

/** Why `spec` cannot be a route's path, or undefined when it can. */
export function pathPatternProblem(spec: string): string | undefined {
  if (spec.startsWith('~')) return regexProblem(spec.slice(1));
  if (!spec.startsWith('/')) return 'expected a path starting with / (exact, /prefix/*, /users/:id) or ~ and a regular expression';
  if (/[?#]/.test(spec)) return 'a path has no query or fragment (match the query with `query`)';
  if (/[^\x21-\x7e]/.test(spec)) return 'write spaces and characters outside ASCII percent-encoded, as requests send them (/caf%C3%A9)';
  const open = spec.endsWith('/*');
  const body = open ? spec.slice(0, -2) : spec;
  if (body.includes('*')) return '`*` is only allowed as a final /* (a prefix: /users/* is /users and everything under it)';
  if (open && body.endsWith('/'))
    return `write ${body.replace(/\/+$/, '')}/* (a prefix already covers the path with and without a trailing slash)`;
  const names = new Set<string>();
  for (const segment of body.split('/').slice(1)) {
    if (!segment.startsWith(':')) continue;
    if (!PARAM.test(segment)) return `"${segment}": a parameter is a whole segment, a colon and a name of letters, digits and _ (:id)`;
    if (names.has(segment)) return `the parameter ${segment} appears twice`;
    names.add(segment);
  }
  if (body === '') return undefined;
  const normal = normalizePath(body);
  if (isPathRefusal(normal)) return `no request can have this path: ${normal.refused}`;
  if (normal !== body)
    return `requests are matched in normal form (RFC 3986 section 6.2.2), so this can never match: write ${normal}${open ? '/*' : ''}`;
  return undefined;
}

/** The compiled form of a spec that passed pathPatternProblem; no spec is every path (`/*`). */
export function compilePathPattern(spec: string | undefined): PathPattern {
  if (spec === undefined) return { kind: 'prefix', text: '/*', base: '' };
  if (spec.startsWith('~')) {
    const source = spec.slice(1);
    return { kind: 'regex', text: spec, source, regex: compileRegex(source), params: groupNames(source) };
  }
  const open = spec.endsWith('/*');
  const body = open ? spec.slice(0, -2) : spec;
  if (!body.split('/').some((s) => s.startsWith(':')))
    return open ? { kind: 'prefix', text: spec, base: body } : { kind: 'exact', text: spec, path: spec };
  const segments: Segment[] = body
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
  const firstParam = segments.findIndex((s) => s.param !== undefined);
  const lead = `/${segments
    .slice(0, firstParam)
    .map((s) => `${s.literal}/`)
    .join('')}`;
  const params = segments.flatMap((s) => (s.param === undefined ? [] : [s.param]));
  return { kind: 'template', text: spec, segments, open, lead, params };
}

/** The names a pattern captures (what a `rewrite` may use). */
export function paramsOf(pattern: PathPattern): readonly string[] {
  return pattern.kind === 'template' || pattern.kind === 'regex' ? pattern.params : [];
}

/**
 * Does `path` (normalised) fit a pattern that is not a regex? No allocation. Regex patterns are run
 * by the caller with execBounded, after cheaper checks.
 */
export function literalPathMatches(pattern: PathPattern, path: string): boolean {
  switch (pattern.kind) {
    case 'exact':
      return path === pattern.path;
    case 'prefix':
      return path.startsWith(pattern.base) && (path.length === pattern.base.length || path.charCodeAt(pattern.base.length) === SLASH);
    case 'template':
      return path.startsWith(pattern.lead) && templateEnd(pattern, path) >= 0;
    case 'regex':
      return true;
  }
}

/** Does `path` fit the pattern, regexes included (for explanations and tests; the table inlines this). */
export function pathMatches(pattern: PathPattern, path: string): boolean {
  return pattern.kind === 'regex' ? execBounded(pattern.regex, path) !== null : literalPathMatches(pattern, path);
}

/**
 * Where the part a trailing `/*` matched begins in `path` (which fits the pattern), or -1 when the
 * pattern has no such part: what a `rewrite` keeps after the prefix it replaces.
 */
export function restStart(pattern: PathPattern, path: string): number {
  if (pattern.kind === 'prefix') return pattern.base.length;
  if (pattern.kind === 'template' && pattern.open) return templateEnd(pattern, path);
  return -1;
}

/** The parameters a matching path captured; `found` is the regex's match for a regex pattern. */
export function captureParams(pattern: PathPattern, path: string, found: RegExpExecArray | null): Record<string, string> | undefined {
  if (pattern.kind === 'regex') {
    if (pattern.params.length === 0 || found?.groups === undefined) return undefined;
    const params: Record<string, string> = {};
    for (const name of pattern.params) params[name] = found.groups[name] ?? '';
    return params;
  }
  if (pattern.kind !== 'template') return undefined;
  const params: Record<string, string> = {};
  let start = 1;
  for (const segment of pattern.segments) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (segment.param !== undefined) params[segment.param] = path.slice(start, end);
    start = end + 1;
  }
  return params;
}

/**
 * The index in `path` just past the template's last segment, or -1 when `path` does not fit. A closed
 * template must end there; an open one may go on with `/` and anything.
 */
function templateEnd(pattern: Extract<PathPattern, { kind: 'template' }>, path: string): number {
  let start = 1;
  let end = 0;
  const { segments } = pattern;
  for (let i = 0; i < segments.length; i++) {
    if (start > path.length) return -1;
    end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const segment = segments[i];
    if (segment.param !== undefined) {
      if (end === start) return -1;
    } else if (end - start !== segment.literal.length || !path.startsWith(segment.literal, start)) return -1;
    if (i < segments.length - 1) {
      if (end === path.length) return -1;
      start = end + 1;
    }
  }
  if (end === path.length || pattern.open) return end;
  return -1;
}
