/**
 * The order in which a gateway tries its routes: most specific first, then config order. It follows
 * Gateway API's HTTPRoute precedence (gateway-api.sigs.k8s.io, HTTPRouteRule `matches`: exact path,
 * then the longest prefix, then a method match, then the most header matches, then the most query
 * matches, then the oldest), extended to what Gateway API leaves to implementations, one key after
 * another, a tie going to the next:
 * 1. host: an exact host before a wildcard, a longer wildcard before a shorter, any host last (a route
 *    listing several ranks by its least specific one), as Gateway API and Envoy pick hostnames first;
 * 2. path kind: exact, then a template without a trailing `/*` (`/users/:id`), then a regex, then a
 *    prefix (`/users/*`, `/users/:id/orders/*`), then every path (`/*`, or no path);
 * 3. for templates and prefixes, more segments first, then more literal characters (`/users/me` before
 *    `/users/:id`); exact paths and regexes have no length rule;
 * 4. a method condition before none;
 * 5. more header conditions first, then more query conditions;
 * 6. config order.
 */
import type { HostPattern } from './host-pattern.ts';
import type { PathPattern } from './path-pattern.ts';

export interface Specificity {
  /** 2 every host exact, 1 some wildcard, 0 no host condition. */
  readonly host: number;
  /** For wildcards: the shortest suffix's length (longer is more specific). */
  readonly hostLength: number;
  /** 4 exact, 3 closed template, 2 regex, 1 prefix or open template. */
  readonly path: number;
  readonly segments: number;
  readonly literal: number;
  readonly method: number;
  readonly headers: number;
  readonly query: number;
}

const PATH_KINDS = ['every path', 'prefix', 'regex', 'template', 'exact path'];

export function specificityOf(parts: {
  hosts: readonly HostPattern[] | undefined;
  path: PathPattern;
  methods: readonly string[] | undefined;
  headers: number;
  query: number;
}): Specificity {
  const { hosts, path } = parts;
  const wildcards = hosts?.filter((h) => h.suffix !== undefined) ?? [];
  const shape = pathShape(path);
  return {
    host: hosts === undefined ? 0 : wildcards.length > 0 ? 1 : 2,
    hostLength: wildcards.length > 0 ? Math.min(...wildcards.map((h) => h.suffix!.length)) : 0,
    ...shape,
    method: parts.methods === undefined ? 0 : 1,
    headers: parts.headers,
    query: parts.query,
  };
}

/** Negative when `a` goes first; 0 leaves it to config order. */
export function compareSpecificity(a: Specificity, b: Specificity): number {
  return (
    b.host - a.host ||
    b.hostLength - a.hostLength ||
    b.path - a.path ||
    b.segments - a.segments ||
    b.literal - a.literal ||
    b.method - a.method ||
    b.headers - a.headers ||
    b.query - a.query
  );
}

/** The routes in the order they are tried: most specific first, config order within a tie. */
export function inPriorityOrder<T extends { readonly specificity: Specificity; readonly index: number }>(routes: readonly T[]): T[] {
  return [...routes].sort((a, b) => compareSpecificity(a.specificity, b.specificity) || a.index - b.index);
}

/** What placed a route where it is, for the inspector: `exact host, template (2 segments), method, 1 header`. */
export function describeSpecificity(s: Specificity): string {
  const parts: string[] = [];
  if (s.host > 0) parts.push(s.host === 2 ? 'exact host' : 'wildcard host');
  const kind = PATH_KINDS[s.path];
  parts.push(
    s.path === 1 || s.path === 3 ? `${kind} (${s.segments} segment${s.segments === 1 ? '' : 's'}, ${s.literal} literal characters)` : kind,
  );
  if (s.method) parts.push('method');
  if (s.headers) parts.push(`${s.headers} header${s.headers === 1 ? '' : 's'}`);
  if (s.query) parts.push(`${s.query} query parameter${s.query === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function pathShape(path: PathPattern): { path: number; segments: number; literal: number } {
  switch (path.kind) {
    case 'exact':
      return { path: 4, segments: 0, literal: 0 };
    case 'regex':
      return { path: 2, segments: 0, literal: 0 };
    case 'prefix':
      if (path.base === '') return { path: 0, segments: 0, literal: 0 };
      return { path: 1, segments: path.base.split('/').length - 1, literal: path.base.length };
    case 'template':
      return {
        path: path.open ? 1 : 3,
        segments: path.segments.length,
        literal: path.segments.reduce((sum, s) => sum + 1 + (s.literal?.length ?? 0), 0),
      };
  }
}
