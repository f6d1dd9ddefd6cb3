/**
 * The path a route forwards: `rewrite` (a template: `{name}` inserts a captured parameter) or
 * `stripPrefix`, then `addPrefix`; the query string always goes on as the client sent it.
 * - `rewrite` replaces the path the pattern matched; after a pattern ending in `/*` the part under the
 *   prefix is kept (`/users/:id/*` with `rewrite: /v2/people/{id}` sends `/users/7/orders` as
 *   `/v2/people/7/orders`), as Gateway API's ReplacePrefixMatch and Envoy's prefix_rewrite do.
 * - `stripPrefix` removes a literal prefix when the path starts with it (`/users/1` less `/users` is
 *   `/1`, and `/users` is `/`), as before; a path that does not start with it goes on unchanged.
 * - `addPrefix` puts a literal in front (`/api` and `/1` make `/api/1`).
 */
import { isPathRefusal, normalizePath } from './normalize-path.ts';

export interface PathRewrite {
  /** Literal parts and parameter names, alternating: `/v2/people/{id}` is `['/v2/people/', 'id', '']`. */
  readonly template: readonly string[] | undefined;
  readonly stripPrefix: string | undefined;
  /** Without a trailing slash. */
  readonly addPrefix: string | undefined;
}

export interface RewriteSpec {
  rewrite?: string;
  stripPrefix?: string;
  addPrefix?: string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `template` cannot be a `rewrite`, or undefined (the names it uses are checked against the path elsewhere). */
export function templateProblem(template: string): string | undefined {
  if (template.includes('?')) return 'a rewrite changes the path only (the query string is kept as sent)';
  for (const [whole, name] of template.matchAll(PLACEHOLDER)) {
    if (!NAME.test(name)) return `${whole}: a parameter is {name}, with a name of letters, digits and _`;
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) return 'unbalanced { or }: a parameter is {name}';
  return undefined;
}

/** The parameter names a template uses. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** The template with each `{name}` as a plain segment, for normal-form checks. */
export function templateSample(template: string): string {
  return template.replace(PLACEHOLDER, 'p');
}

export function compileRewrite(spec: RewriteSpec): PathRewrite | undefined {
  if (spec.rewrite === undefined && spec.stripPrefix === undefined && spec.addPrefix === undefined) return undefined;
  const add = spec.addPrefix?.replace(/\/+$/, '');
  return {
    template: spec.rewrite === undefined ? undefined : spec.rewrite.split(PLACEHOLDER),
    stripPrefix: spec.stripPrefix,
    addPrefix: add === '' ? undefined : add,
  };
}

/**
 * The path to forward. `rest` is where the part under a `/*` prefix starts in `path` (-1: none);
 * `params` are the captured parameters (every name the template uses is among them: the config checks it).
 */
export function rewritePath(
  rewrite: PathRewrite,
  path: string,
  params: Readonly<Record<string, string>> | undefined,
  rest: number,
): string {
  let out = path;
  if (rewrite.template !== undefined) {
    out = '';
    const parts = rewrite.template;
    for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i] : (params?.[parts[i]] ?? '');
    if (rest >= 0 && rest < path.length) out = out.endsWith('/') ? out + path.slice(rest + 1) : out + path.slice(rest);
    // A regex's named group may capture `..`, `.` or nothing (`~^/v(?<v>[^/]*)/` on `/v../x`), which
    // spliced in made `/../x` or `//x`: what goes upstream is in normal form too, dot segments resolved
    // (RFC 3986 section 5.2.4), so a capture cannot climb above the template (or addPrefix).
    const normal = normalizePath(out);
    if (!isPathRefusal(normal)) out = normal;
  } else if (rewrite.stripPrefix !== undefined && path.startsWith(rewrite.stripPrefix)) {
    const left = path.slice(rewrite.stripPrefix.length);
    out = left.startsWith('/') ? left : `/${left}`;
  }
  return rewrite.addPrefix === undefined ? out : rewrite.addPrefix + out;
}
