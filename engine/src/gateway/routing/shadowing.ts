/**
 * Routes that can never match: a route is shadowed when one tried before it (priority.ts) matches
 * every request it does, so it never sees one (a duplicate, `/users/*` before `GET /users/:id`...).
 * Only a single covering route is looked for, not a union of several (GET and POST routes that
 * together cover a route for both), and a regex covers only the same regex or an exact path it
 * matches: a shadow reported is certain, a shadow missed is possible. `edgelab validate` prints these
 * as warnings: the config stays valid and runs.
 */
import { compileRoute, type CompiledRoute, type RouteConfig } from './compile-route.ts';
import { conditionImplied } from './conditions.ts';
import { hostCovers } from './host-pattern.ts';
import type { PathPattern, Segment } from './path-pattern.ts';
import { inPriorityOrder } from './priority.ts';
import { execBounded } from './safe-regex.ts';

export interface ShadowedRoute {
  /** The route that can never match (its index in the config's `routes`). */
  readonly index: number;
  /** The route that takes all its requests. */
  readonly by: number;
  readonly message: string;
}

export function findShadowedRoutes(routes: readonly RouteConfig[]): ShadowedRoute[] {
  const ordered = inPriorityOrder(routes.map(compileRoute));
  const shadowed: ShadowedRoute[] = [];
  ordered.forEach((route, position) => {
    const by = ordered.slice(0, position).find((earlier) => covers(earlier, route));
    if (by === undefined) return;
    const same = by.description === route.description ? 'the same match, ' : '';
    shadowed.push({
      index: route.index,
      by: by.index,
      message: `can never match: route ${by.index + 1} (${by.description}) has ${same}a higher priority and matches every request this one does`,
    });
  });
  return shadowed.sort((a, b) => a.index - b.index);
}

/** True when every request `inner` matches, `outer` matches too. */
function covers(outer: CompiledRoute, inner: CompiledRoute): boolean {
  if (outer.methods !== undefined && (inner.methods === undefined || !inner.methods.every((m) => outer.methods!.includes(m)))) return false;
  if (outer.hosts !== undefined && (inner.hosts === undefined || !inner.hosts.every((h) => outer.hosts!.some((o) => hostCovers(o, h)))))
    return false;
  if (!outer.headers.every((c) => conditionImplied(c, inner.headers))) return false;
  if (!outer.query.every((c) => conditionImplied(c, inner.query))) return false;
  return pathCovers(outer.path, inner.path);
}

function pathCovers(outer: PathPattern, inner: PathPattern): boolean {
  if (outer.kind === 'regex') {
    if (inner.kind === 'regex') return inner.source === outer.source;
    return inner.kind === 'exact' && execBounded(outer.regex, inner.path) !== null;
  }
  const o = shapeOf(outer);
  if (inner.kind === 'regex') return o.open && o.segments.length === 0;
  const i = shapeOf(inner);
  if (o.open ? i.segments.length < o.segments.length : i.open || i.segments.length !== o.segments.length) return false;
  return o.segments.every((segment, k) => segmentCovers(segment, i.segments[k]));
}

/** A literal segment covers the same literal; a parameter covers any non-empty segment and any parameter. */
function segmentCovers(outer: Segment, inner: Segment): boolean {
  if (outer.param === undefined) return inner.literal === outer.literal;
  return inner.param !== undefined || inner.literal !== '';
}

/** Exact paths, prefixes and templates as segments, and whether more may follow. */
function shapeOf(pattern: Exclude<PathPattern, { kind: 'regex' }>): { segments: readonly Segment[]; open: boolean } {
  switch (pattern.kind) {
    case 'exact':
      return { segments: literalSegments(pattern.path), open: false };
    case 'prefix':
      return { segments: pattern.base === '' ? [] : literalSegments(pattern.base), open: true };
    case 'template':
      return { segments: pattern.segments, open: pattern.open };
  }
}

function literalSegments(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((literal) => ({ literal }));
}
