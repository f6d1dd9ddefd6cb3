/**
 * A gateway route's `match` (host, method, path, headers, query) and how it forwards (`rewrite`,
 * `addPrefix`, `timeout`; `stripPrefix` stays in schema.ts where it was), as gateways match them
 * (gateway/routing/ compiles them and states the rules), and the checks across a route's fields.
 * Every route written before still parses to the same meaning. Routes that can never match are not
 * errors but warnings (config/validate.ts, gateway/routing/shadowing.ts).
 */
import { z } from 'zod';
import { hostPatternProblem } from '../../gateway/routing/host-pattern.ts';
import { isPathRefusal, normalizePath } from '../../gateway/routing/normalize-path.ts';
import { compilePathPattern, paramsOf, pathPatternProblem, type PathPattern } from '../../gateway/routing/path-pattern.ts';
import { regexProblem } from '../../gateway/routing/safe-regex.ts';
import { templateNames, templateProblem, templateSample } from '../../gateway/routing/rewrite.ts';
import { Duration } from '../duration.ts';
import { limitedArray, limitedString, PathSpec } from '../fields.ts';
import { LIMITS, limitMessage } from '../limits.ts';
import type { GatewayShape } from './shape.ts';

/** A zod check from a `problem` function: the message it returns, or nothing. */
function checkedBy<T>(problem: (value: T) => string | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  };
}

const Regex = z
  .strictObject({ regex: limitedString(LIMITS.regexLength).superRefine(checkedBy(regexProblem)) })
  .meta({ description: 'a JavaScript regular expression, searched in the value (anchor it with ^ and $)' });

const HttpMethod = z.string().regex(/^[A-Z]+$/, 'expected an upper-case HTTP method');

const Methods = z.union([
  HttpMethod,
  limitedArray(HttpMethod, LIMITS.listItems)
    .min(1, 'an empty method list matches no request: leave method out to match every method')
    .superRefine(checkedBy((methods: string[]) => (new Set(methods).size < methods.length ? 'a method is listed twice' : undefined))),
]);

const HostPattern = limitedString(LIMITS.headerLength)
  .superRefine(checkedBy(hostPatternProblem))
  .meta({ description: 'api.example.com, *.example.com (any subdomain), optionally with :port' });

const Hosts = z.union([HostPattern, limitedArray(HostPattern, LIMITS.listItems).min(1, 'an empty host list matches no request')]);

const PathMatch = limitedString(LIMITS.pathLength).superRefine(checkedBy(pathPatternProblem)).meta({
  description:
    'exact (/health), prefix (/users/* is /users and below), parameters (/users/:id, /users/:id/orders/*), or ~ and a regex (~^/v[0-9]+/)',
});

const Condition = z.union([
  limitedString(LIMITS.headerLength).meta({ description: 'equals this value' }),
  z.strictObject({ present: z.literal(true) }).meta({ description: 'present, with any value' }),
  Regex,
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Conditions by name; each name checked by `nameProblem`, so an error names the key itself. */
function conditions(nameProblem: (name: string) => string | undefined) {
  return z.record(z.string(), Condition).superRefine((pairs, ctx) => {
    const names = Object.keys(pairs);
    if (names.length > LIMITS.listItems.max) ctx.addIssue({ code: 'custom', message: limitMessage(LIMITS.listItems) });
    for (const name of names) {
      const message = name.length > LIMITS.headerLength.max ? limitMessage(LIMITS.headerLength) : nameProblem(name);
      // An empty name would print as `query.`: the error goes on the map itself.
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: name === '' ? [] : [name], message });
    }
  });
}

export const RouteMatch = z
  .strictObject({
    host: Hosts.optional(),
    path: PathMatch.optional(),
    method: Methods.optional().meta({ description: 'one method, or a list' }),
    headers: conditions((name) => (TOKEN.test(name) ? undefined : 'expected a header name (an RFC 9110 token)'))
      .optional()
      .meta({ description: 'name: value (equals), name: { present: true }, or name: { regex: "^2" }' }),
    query: conditions((name) => (name === '' ? 'a query parameter needs a name' : undefined))
      .optional()
      .meta({ description: 'as headers, on query parameters' }),
  })
  .default({});

/** A route's fields for forwarding, spread into schema.ts's Route beside `match`, `to` and `stripPrefix`. */
export const RouteForwardFields = {
  rewrite: PathSpec.superRefine(
    checkedBy(
      (template: string) =>
        templateProblem(template) ??
        (normalFormProblem(templateSample(template)) &&
          'not in normal form (RFC 3986 section 6.2.2): no //, no . or .. segment, no encoded unreserved character'),
    ),
  )
    .optional()
    .meta({ description: 'the path to forward: {name} inserts a captured parameter; after a /* prefix the rest is kept' }),
  addPrefix: PathSpec.superRefine(checkedBy(normalFormProblem))
    .optional()
    .meta({ description: 'put in front of the forwarded path (after rewrite or stripPrefix)' }),
  timeout: Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' })
    .optional()
    .meta({ description: "time to the upstream's response headers for this route, instead of the gateway's" }),
};

/** The checks a route needs across its fields: a rewrite uses what the path captures, a stripPrefix can apply. */
export function checkGatewayRoutes(gateway: GatewayShape, ctx: z.RefinementCtx): void {
  gateway.routes.forEach((route, index) => {
    const at = (field: string) => ['routes', index, field];
    const { rewrite, stripPrefix } = route as { rewrite?: string; stripPrefix?: string };
    const spec = route.match.path as string | undefined;
    if (spec !== undefined && pathPatternProblem(spec) !== undefined) return;
    const pattern = compilePathPattern(spec);
    if (rewrite !== undefined && stripPrefix !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: at('rewrite'),
        message: 'use rewrite or stripPrefix, not both (rewrite replaces what the path matched)',
      });
    }
    if (rewrite !== undefined) {
      const captured = paramsOf(pattern);
      for (const name of templateNames(rewrite)) {
        if (captured.includes(name)) continue;
        const has = captured.length > 0 ? `it captures ${captured.join(', ')}` : 'it captures nothing';
        ctx.addIssue({ code: 'custom', path: at('rewrite'), message: `{${name}} is not captured by match.path (${has})` });
      }
    }
    if (stripPrefix !== undefined) {
      const problem = normalFormProblem(stripPrefix) ?? stripPrefixProblem(pattern, stripPrefix);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: at('stripPrefix'), message: problem });
    }
  });
}

function normalFormProblem(path: string): string | undefined {
  const normal = normalizePath(path);
  if (isPathRefusal(normal)) return normal.refused;
  return normal === path ? undefined : `not in normal form (RFC 3986 section 6.2.2): write ${normal}`;
}

/** Why no path the pattern matches can start with `strip`, or undefined when some can (regexes: unknown, allowed). */
function stripPrefixProblem(pattern: PathPattern, strip: string): string | undefined {
  let possible: boolean;
  switch (pattern.kind) {
    case 'exact':
      possible = pattern.path.startsWith(strip);
      break;
    case 'prefix':
      possible = pattern.base.startsWith(strip) || strip.startsWith(`${pattern.base}/`);
      break;
    case 'template':
      possible = pattern.lead.startsWith(strip) || strip.startsWith(pattern.lead);
      break;
    case 'regex':
      possible = true;
  }
  return possible ? undefined : `no path that ${pattern.text} matches starts with ${strip}, so nothing would be stripped`;
}
