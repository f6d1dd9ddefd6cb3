/**
 * Why a request matched no route, in one sentence a learner reads with the 404: the route that came
 * closest and what it did not accept. Closest is a route whose path fits if there is one (the path is
 * what a reader routes by), then the fewest conditions failed, then the one tried first. Runs only
 * for a miss, so it may take its time and allocate.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledRoute } from './compile-route.ts';
import { clip, conditionFailure, valueMatches } from './conditions.ts';
import { hostMatches, requestHost, type RequestHost } from './host-pattern.ts';
import { isPathRefusal, normalizePath } from './normalize-path.ts';
import { pathMatches, type PathPattern } from './path-pattern.ts';
import { MAX_REGEX_INPUT } from './safe-regex.ts';
import { ownField } from '../../pipeline/headers.ts';

/** `routes` in priority order. */
export function explainRouteMiss(
  routes: readonly CompiledRoute[],
  method: string,
  host: string | undefined,
  target: string,
  headers: IncomingHttpHeaders,
): string {
  const q = target.indexOf('?');
  const path = normalizePath(q === -1 ? target : target.slice(0, q));
  if (isPathRefusal(path)) return path.refused;
  const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
  const request: MissedRequest = { method, host: requestHost(host), hostHeader: host, path, headers, query };
  let closest: { route: CompiledRoute; failures: string[]; distance: number } | undefined;
  for (const route of routes) {
    const failures = failuresOf(route, request);
    const distance = failures.length + (pathMatches(route.path, path) ? 0 : PATH_MISSED);
    if (closest === undefined || distance < closest.distance) closest = { route, failures, distance };
  }
  const lead = `no route matches ${method} ${clip(path)}`;
  if (closest === undefined) return lead;
  const { route, failures } = closest;
  return `${lead}; closest is route ${route.index + 1} (${route.description}): ${failures.join(', ')}`;
}

/** More than any count of other failures: a route whose path fits is always closer. */
const PATH_MISSED = 1000;

interface MissedRequest {
  method: string;
  host: RequestHost | undefined;
  hostHeader: string | undefined;
  path: string;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
}

/** Every condition of `route` the request fails, in the order a reader checks them. */
function failuresOf(route: CompiledRoute, request: MissedRequest): string[] {
  const failures: string[] = [];
  if (route.methods !== undefined && !route.methods.includes(request.method)) {
    failures.push(`method ${request.method} is not ${route.methods.join(' or ')}`);
  }
  if (route.hosts !== undefined && !route.hosts.some((h) => hostMatches(h, request.host))) {
    const shown = request.hostHeader === undefined ? 'no host' : `host ${clip(request.hostHeader)}`;
    failures.push(`${shown} is not ${route.hosts.map((h) => h.text).join(' or ')}`);
  }
  if (!pathMatches(route.path, request.path)) failures.push(pathFailure(route.path, request.path));
  for (const condition of route.headers) {
    const value = ownField(request.headers, condition.name);
    if (!valueMatches(condition, value)) failures.push(conditionFailure(condition, value, 'header'));
  }
  for (const condition of route.query) {
    const value = request.query.get(condition.name);
    if (!valueMatches(condition, value)) failures.push(conditionFailure(condition, value, 'query'));
  }
  return failures;
}

function pathFailure(pattern: PathPattern, path: string): string {
  const shown = clip(path);
  switch (pattern.kind) {
    case 'exact':
      return `path ${shown} is not ${pattern.path}`;
    case 'prefix':
      return `path ${shown} is neither ${pattern.base} nor under ${pattern.base}/`;
    case 'template':
      return `path ${shown} does not fit ${pattern.text}`;
    case 'regex':
      return path.length > MAX_REGEX_INPUT
        ? `path is longer than the ${MAX_REGEX_INPUT} characters a regex is run on`
        : `path ${shown} does not match ${pattern.source}`;
  }
}
