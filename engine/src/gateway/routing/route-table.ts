/**
 * A gateway's route table, compiled once from its config: `match` takes a request's method, Host,
 * target and headers and returns the route it takes (priority.ts: most specific first, then config
 * order), a refusal when its path is malformed (normalize-path.ts: 400), or undefined (404; then
 * `explainMiss` says which route came closest and why it did not match). The route stage calls it on
 * every request, so it allocates nothing but its result: a normalised path is the same string, the
 * Host is split and the query parsed only when a route needs them, literal checks come before regexes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EdgeErrorCode } from '../../errors.ts';
import { compileRoute, type CompiledRoute, type RouteConfig } from './compile-route.ts';
import { clip, valueMatches } from './conditions.ts';
import { explainRouteMiss } from './explain-miss.ts';
import { hostMatches, requestHost, type HostPattern, type RequestHost } from './host-pattern.ts';
import { FRAGMENT_REFUSAL, normalizePath } from './normalize-path.ts';
import { captureParams, literalPathMatches, restStart } from './path-pattern.ts';
import { describeSpecificity, inPriorityOrder } from './priority.ts';
import { rewritePath } from './rewrite.ts';
import { execBounded } from './safe-regex.ts';
import { ownField } from '../../pipeline/headers.ts';

/** The route a request takes. */
export interface RouteHit {
  readonly kind: 'route';
  /** The route's index in the config's `routes` (0-based). */
  readonly route: number;
  /** The route's upstream (a node id or URL). */
  readonly to: string;
  /** What `:name` segments or named regex groups captured, as they stand in the normalised path. */
  readonly params: Readonly<Record<string, string>> | undefined;
  /** The request target to forward: the normalised path, rewritten, and the query string as sent. */
  readonly path: string;
  /** The normalised path the route matched (no query). */
  readonly matchedPath: string;
  /** The route's own timeout (ms to the upstream's response headers), if it sets one. */
  readonly timeout: number | undefined;
  /** One sentence for the learner: `route 2 (GET /users/:id) matched /users/42 with id=42 -> users`. */
  readonly reason: string;
}

/** A request whose path no route may see (400 `EDGE_BAD_REQUEST`): an encoded slash, broken percent-encoding... */
export interface RouteRefusal {
  readonly kind: 'refused';
  readonly error: Extract<EdgeErrorCode, 'EDGE_BAD_REQUEST'>;
  readonly reason: string;
}

/** One row of the table as the inspector shows it, in the order routes are tried. */
export interface RouteTableEntry {
  /** The route's index in the config's `routes` (0-based). */
  readonly index: number;
  readonly to: string;
  readonly description: string;
  /** What placed it here: `exact host, template (2 segments, 7 literal characters), method`. */
  readonly precedence: string;
}

export interface RouteTable {
  match(method: string, host: string | undefined, target: string, headers: IncomingHttpHeaders): RouteHit | RouteRefusal | undefined;
  /** Why no route matched (call it after `match` returned undefined): the closest route and what failed. */
  explainMiss(method: string, host: string | undefined, target: string, headers: IncomingHttpHeaders): string;
  /** Every route in priority order. */
  readonly entries: readonly RouteTableEntry[];
}

/** Compile a gateway's routes (as the config parsed them; the config's checks have passed). */
export function compileRouteTable(routes: readonly RouteConfig[]): RouteTable {
  return new CompiledRouteTable(inPriorityOrder(routes.map(compileRoute)));
}

const NOT_YET = null;

class CompiledRouteTable implements RouteTable {
  readonly entries: readonly RouteTableEntry[];

  constructor(private readonly routes: readonly CompiledRoute[]) {
    this.entries = routes.map((r) => ({
      index: r.index,
      to: r.to,
      description: r.description,
      precedence: describeSpecificity(r.specificity),
    }));
  }

  match(method: string, host: string | undefined, target: string, headers: IncomingHttpHeaders): RouteHit | RouteRefusal | undefined {
    const q = target.indexOf('?');
    const sentPath = q === -1 ? target : target.slice(0, q);
    const path = normalizePath(sentPath);
    if (typeof path !== 'string') return { kind: 'refused', error: 'EDGE_BAD_REQUEST', reason: `${path.refused}: ${clip(sentPath)}` };
    // The query goes upstream as sent: a # there would end the target for the upstream's parser.
    if (q !== -1 && target.indexOf('#', q) !== -1)
      return { kind: 'refused', error: 'EDGE_BAD_REQUEST', reason: `${FRAGMENT_REFUSAL}: ${clip(target)}` };
    let parsedHost: RequestHost | undefined | typeof NOT_YET = NOT_YET;
    let query: URLSearchParams | undefined;
    for (const route of this.routes) {
      if (route.methods !== undefined && !route.methods.includes(method)) continue;
      if (!literalPathMatches(route.path, path)) continue;
      if (route.hosts !== undefined) {
        if (parsedHost === NOT_YET) parsedHost = requestHost(host);
        if (!anyHostMatches(route.hosts, parsedHost)) continue;
      }
      if (!headersHold(route, headers, 0, route.headerRegexFrom)) continue;
      if (route.query.length > 0) query ??= new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
      if (query !== undefined && !queryHolds(route, query, 0, route.queryRegexFrom)) continue;
      let found: RegExpExecArray | null = null;
      if (route.path.kind === 'regex' && (found = execBounded(route.path.regex, path)) === null) continue;
      if (!headersHold(route, headers, route.headerRegexFrom, route.headers.length)) continue;
      if (query !== undefined && !queryHolds(route, query, route.queryRegexFrom, route.query.length)) continue;
      return hit(route, sentPath, path, q === -1 ? '' : target.slice(q), target, captureParams(route.path, path, found));
    }
    return undefined;
  }

  explainMiss(method: string, host: string | undefined, target: string, headers: IncomingHttpHeaders): string {
    return explainRouteMiss(this.routes, method, host, target, headers);
  }
}

function anyHostMatches(hosts: readonly HostPattern[], host: RequestHost | undefined): boolean {
  for (const pattern of hosts) if (hostMatches(pattern, host)) return true;
  return false;
}

function headersHold(route: CompiledRoute, headers: IncomingHttpHeaders, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const condition = route.headers[i];
    if (!valueMatches(condition, ownField(headers, condition.name))) return false;
  }
  return true;
}

function queryHolds(route: CompiledRoute, query: URLSearchParams, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const condition = route.query[i];
    if (!valueMatches(condition, query.get(condition.name))) return false;
  }
  return true;
}

function hit(
  route: CompiledRoute,
  sentPath: string,
  path: string,
  search: string,
  target: string,
  params: Record<string, string> | undefined,
): RouteHit {
  const forwardPath = route.rewrite === undefined ? path : rewritePath(route.rewrite, path, params, restStart(route.path, path));
  const captured =
    params === undefined
      ? ''
      : ` with ${Object.entries(params)
          .map(([name, value]) => `${name}=${clip(value, 40)}`)
          .join(', ')}`;
  const normalised = sentPath === path ? '' : ` (sent as ${clip(sentPath)})`;
  const rewritten = forwardPath === path ? '' : ` as ${clip(forwardPath)}`;
  return {
    kind: 'route',
    route: route.index,
    to: route.to,
    params,
    path: forwardPath === sentPath ? target : forwardPath + search,
    matchedPath: path,
    timeout: route.timeout,
    reason: `route ${route.index + 1} (${route.description}) matched ${clip(path)}${normalised}${captured} -> ${route.to}${rewritten}`,
  };
}
