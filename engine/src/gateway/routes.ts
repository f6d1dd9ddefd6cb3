/**
 * Gateway routing: the first route whose match fits the request wins (method, path, headers, query),
 * as an API gateway's route table does. Patterns are compiled once when the config is applied.
 * A path pattern is exact (`/health`), or a prefix ending in `/*` (`/users/*` matches `/users`,
 * `/users/` and everything under it).
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/schema.ts';

export interface CompiledRoute {
  index: number;
  to: string;
  describe: string;
  matches(method: string, pathname: string, query: URLSearchParams | undefined, headers: IncomingMessage['headers']): boolean;
  rewrite(url: string): string;
}

export function compileRoutes(routes: GatewayConfig['routes']): CompiledRoute[] {
  return routes.map((route, index) => {
    const { path, method, headers, query } = route.match;
    const pathMatches = pathMatcher(path);
    const headerPairs = Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
    const queryPairs = Object.entries(query ?? {});
    const prefix = route.stripPrefix;
    return {
      index,
      // An aggregate route has no `to`: gateway/aggregate/ answers it once its stage is wired (issue 10); until then it has no target (503).
      to: route.to ?? '',
      describe: describeMatch(route.match),
      matches(m, pathname, q, h) {
        if (method !== undefined && m !== method) return false;
        if (!pathMatches(pathname)) return false;
        for (const [name, value] of headerPairs) if (h[name] !== value) return false;
        for (const [name, value] of queryPairs) if (q?.get(name) !== value) return false;
        return true;
      },
      rewrite(url) {
        if (prefix === undefined || !url.startsWith(prefix)) return url;
        const rest = url.slice(prefix.length);
        return rest.startsWith('/') ? rest : `/${rest}`;
      },
    };
  });
}

/** A path pattern as a test: exact (`/health`), or a prefix ending in `/*`; undefined matches every path. */
export function pathMatcher(pattern: string | undefined): (pathname: string) => boolean {
  if (pattern === undefined) return () => true;
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    const prefix = `${base}/`;
    return (p) => p === base || p.startsWith(prefix);
  }
  return (p) => p === pattern;
}

function describeMatch(match: GatewayConfig['routes'][number]['match']): string {
  const parts: string[] = [];
  if (match.method) parts.push(match.method);
  parts.push(match.path ?? '/*');
  for (const [k, v] of Object.entries(match.headers ?? {})) parts.push(`${k}: ${v}`);
  for (const [k, v] of Object.entries(match.query ?? {})) parts.push(`?${k}=${v}`);
  return parts.join(' ');
}

/** Split a request target into its path and query (the query parsed only when a route needs it). */
export function splitTarget(url: string): { pathname: string; search: string } {
  const q = url.indexOf('?');
  return q === -1 ? { pathname: url, search: '' } : { pathname: url.slice(0, q), search: url.slice(q + 1) };
}
