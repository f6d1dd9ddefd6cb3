/**
 * The simple path patterns a service's cache rules use: exact (`/health`), or a prefix ending in `/*`
 * (`/static/*` matches `/static`, `/static/` and everything under it). A gateway's routes match far
 * more (gateway/routing/); these stay this small on purpose.
 */

/** A path pattern as a test; undefined matches every path. */
export function pathMatcher(pattern: string | undefined): (pathname: string) => boolean {
  if (pattern === undefined) return () => true;
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    const prefix = `${base}/`;
    return (p) => p === base || p.startsWith(prefix);
  }
  return (p) => p === pattern;
}

/** Split a request target into its path and query. */
export function splitTarget(url: string): { pathname: string; search: string } {
  const q = url.indexOf('?');
  return q === -1 ? { pathname: url, search: '' } : { pathname: url.slice(0, q), search: url.slice(q + 1) };
}
