/**
 * One route of a gateway's config, compiled once: its matchers (host, method, path, headers, query),
 * how it rewrites the path, its timeout, its specificity (priority.ts) and the one-line description
 * that reasons, 404 explanations and the inspector show (`GET /users/:id host *.example.com x-canary: true`).
 */
import type { GatewayConfig } from '../../config/schema.ts';
import { compileConditions, describeCondition, type ValueCondition } from './conditions.ts';
import { compileHostPattern, type HostPattern } from './host-pattern.ts';
import { compilePathPattern, type PathPattern } from './path-pattern.ts';
import { specificityOf, type Specificity } from './priority.ts';
import { compileRewrite, type PathRewrite } from './rewrite.ts';

export type RouteConfig = GatewayConfig['routes'][number];

export interface CompiledRoute {
  /** The route's place in the config's `routes` list (0-based; reasons say `route 1` for index 0). */
  readonly index: number;
  readonly to: string;
  readonly description: string;
  readonly methods: readonly string[] | undefined;
  readonly hosts: readonly HostPattern[] | undefined;
  readonly path: PathPattern;
  /** Literal conditions first, regexes from `headerRegexFrom` on (the same for `query`). */
  readonly headers: readonly ValueCondition[];
  readonly headerRegexFrom: number;
  readonly query: readonly ValueCondition[];
  readonly queryRegexFrom: number;
  readonly rewrite: PathRewrite | undefined;
  /** Milliseconds to the upstream's response headers, when the route sets its own. */
  readonly timeout: number | undefined;
  readonly specificity: Specificity;
}

export function compileRoute(route: RouteConfig, index: number): CompiledRoute {
  const { match } = route;
  const methods = match.method === undefined ? undefined : typeof match.method === 'string' ? [match.method] : match.method;
  const hosts = match.host === undefined ? undefined : (typeof match.host === 'string' ? [match.host] : match.host).map(compileHostPattern);
  const path = compilePathPattern(match.path);
  const headers = compileConditions(match.headers, 'header');
  const query = compileConditions(match.query, 'query');
  return {
    index,
    // An aggregate route calls its own upstreams (the aggregate stage answers it): its label names them.
    to: route.to ?? `aggregate of ${(route.aggregate?.upstreams ?? []).map((u) => u.name).join(', ')}`,
    description: describeRoute(methods, hosts, path, headers, query),
    methods,
    hosts,
    path,
    headers,
    headerRegexFrom: regexFrom(headers),
    query,
    queryRegexFrom: regexFrom(query),
    rewrite: compileRewrite(route),
    timeout: route.timeout,
    specificity: specificityOf({ hosts, path, methods, headers: headers.length, query: query.length }),
  };
}

function regexFrom(conditions: readonly ValueCondition[]): number {
  const at = conditions.findIndex((c) => c.kind === 'regex');
  return at === -1 ? conditions.length : at;
}

function describeRoute(
  methods: readonly string[] | undefined,
  hosts: readonly HostPattern[] | undefined,
  path: PathPattern,
  headers: readonly ValueCondition[],
  query: readonly ValueCondition[],
): string {
  const parts: string[] = [];
  if (methods) parts.push(methods.join(','));
  parts.push(path.text);
  if (hosts) parts.push(`host ${hosts.map((h) => h.text).join(',')}`);
  for (const condition of headers) parts.push(describeCondition(condition, 'header'));
  for (const condition of query) parts.push(describeCondition(condition, 'query'));
  return parts.join(' ');
}
