/**
 * Transformation and aggregation on a gateway route: request and response transforms (headers, query,
 * JSON body fields) and `aggregate` (several upstreams called at once, their JSON merged into one
 * answer). Everything a transform or an aggregate path names is checked here, once: header names and
 * values, the fields no transform may touch, templates, body paths that would depend on their order.
 * gateway/transform/ and gateway/aggregate/ compile what passes.
 */
import { z } from 'zod';
import { parseBodyPath, pathsOverlap, type BodyPath } from '../../gateway/transform/body-path.ts';
import { transformHeaderNameProblem } from '../../gateway/transform/header-rules.ts';
import { isPathRefusal, normalizePath } from '../../gateway/routing/normalize-path.ts';
import { parseTemplate } from '../../gateway/transform/template.ts';
import { headerValueProblem, pathTextProblem } from '../../traffic/request-rules.ts';
import { Duration } from '../duration.ts';
import { limitedArray, limitedString, PathSpec } from '../fields.ts';
import { LIMITS, limitMessage } from '../limits.ts';
import { Upstream } from '../upstream.ts';
import type { GatewayShape } from './shape.ts';

type Issue = (path: PropertyKey[], message: string) => void;
const issuer =
  (ctx: z.RefinementCtx): Issue =>
  (path, message) =>
    ctx.addIssue({ code: 'custom', path, message });

/** Named values (header or query values, body fields), as many as a list read per request may hold. */
function pairs<V extends z.ZodType>(value: V) {
  return z
    .record(limitedString(LIMITS.nameLength), value)
    .refine((record) => Object.keys(record).length <= LIMITS.listItems.max, { message: limitMessage(LIMITS.listItems) });
}

/** A value template whose literal text must also pass `literalProblem`. */
function template(literalProblem?: (text: string) => string | undefined) {
  return limitedString(LIMITS.headerLength)
    .meta({
      description:
        'text, with {consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME} filled in per request ({{ and }} are braces)',
    })
    .superRefine((text, ctx) => {
      const parsed = parseTemplate(text);
      if ('error' in parsed) return ctx.addIssue({ code: 'custom', message: parsed.error });
      for (const part of parsed.parts) {
        const problem = typeof part === 'string' ? literalProblem?.(part) : undefined;
        if (problem !== undefined) return ctx.addIssue({ code: 'custom', message: problem });
      }
    });
}

const NameList = limitedArray(limitedString(LIMITS.nameLength).min(1), LIMITS.listItems);

const HeaderEdits = z
  .strictObject({
    set: pairs(template(headerValueProblem)).optional().meta({ description: 'give each header this one value, replacing what was sent' }),
    add: pairs(template(headerValueProblem)).optional().meta({ description: 'add a value to each header, after any it already has' }),
    remove: NameList.optional().meta({ description: 'headers to remove' }),
  })
  .superRefine((edits, ctx) => {
    const issue = issuer(ctx);
    const seen = new Map<string, string>();
    const named = (op: 'set' | 'add' | 'remove', name: string, at: PropertyKey) => {
      const problem = transformHeaderNameProblem(name);
      if (problem !== undefined) return issue([op, at], problem);
      const lower = name.toLowerCase();
      const earlier = seen.get(lower);
      if (earlier !== undefined) issue([op, at], `${lower} is already in ${earlier}: a header takes one of set, add and remove, once`);
      else seen.set(lower, op);
    };
    for (const name of Object.keys(edits.set ?? {})) named('set', name, name);
    for (const name of Object.keys(edits.add ?? {})) named('add', name, name);
    edits.remove?.forEach((name, i) => named('remove', name, i));
  })
  .refine((edits) => edits.set !== undefined || edits.add !== undefined || edits.remove !== undefined, {
    message: 'give set, add or remove',
  })
  .meta({ description: 'header edits: remove, then set, then add; names ignore case' });

const QueryEdits = z
  .strictObject({
    set: pairs(template()).optional().meta({ description: 'give each parameter this one value (replacing every value sent), encoded' }),
    remove: NameList.optional().meta({ description: 'parameters to remove, every value of each' }),
  })
  .superRefine((edits, ctx) => {
    const set = new Set(Object.keys(edits.set ?? {}));
    edits.remove?.forEach((name, i) => {
      if (set.has(name)) issuer(ctx)(['remove', i], `${name} is also in set, which already replaces what was sent`);
    });
    for (const name of set) if (name === '') issuer(ctx)(['set', name], 'name the parameter');
  })
  .refine((edits) => edits.set !== undefined || edits.remove !== undefined, { message: 'give set or remove' })
  .meta({ description: 'query edits: remove, then set; the parameters not named pass exactly as sent' });

const BodyEdits = z
  .strictObject({
    rename: pairs(limitedString(LIMITS.nameLength))
      .optional()
      .meta({ description: 'move each field to a new path: { user_id: userId, "a.b": c }' }),
    remove: limitedArray(limitedString(LIMITS.nameLength), LIMITS.listItems).optional().meta({ description: 'fields to remove' }),
    set: pairs(z.json())
      .optional()
      .meta({ description: 'give each field a JSON value; a string is a template, other values are constants' }),
  })
  .superRefine(checkBodyEdits)
  .refine((edits) => edits.rename !== undefined || edits.remove !== undefined || edits.set !== undefined, {
    message: 'give rename, remove or set',
  })
  .meta({
    description:
      'JSON body edits on dotted paths (remove, then rename, then set), when the body is a JSON object of at most the buffered size; anything else passes unchanged',
  });

/** Every body path parses, each string value is a template, and no two edits touch overlapping paths. */
function checkBodyEdits(
  edits: { rename?: Record<string, string>; remove?: string[]; set?: Record<string, unknown> },
  ctx: z.RefinementCtx,
): void {
  const issue = issuer(ctx);
  const touched: Array<{ path: BodyPath; text: string; role: string }> = [];
  const add = (text: string, role: string, at: PropertyKey[]) => {
    const parsed = parseBodyPath(text);
    if ('error' in parsed) return issue(at, parsed.error);
    const clash = touched.find((t) => pathsOverlap(t.path, parsed));
    if (clash) {
      issue(
        at,
        `${text} (${role}) overlaps ${clash.text} (${clash.role}): a field may be edited once, and not inside another edited field, or the result would depend on the order`,
      );
    } else touched.push({ path: parsed, text, role });
  };
  edits.remove?.forEach((text, i) => add(text, 'removed', ['remove', i]));
  for (const [from, to] of Object.entries(edits.rename ?? {})) {
    add(from, 'renamed', ['rename', from]);
    add(to, `the new name of ${from}`, ['rename', from]);
  }
  for (const [text, value] of Object.entries(edits.set ?? {})) {
    add(text, 'set', ['set', text]);
    if (typeof value === 'string') {
      const parsed = parseTemplate(value);
      if ('error' in parsed) issue(['set', text], parsed.error);
    }
  }
}

const RequestTransform = z
  .strictObject({ headers: HeaderEdits.optional(), query: QueryEdits.optional(), body: BodyEdits.optional() })
  .refine((side) => side.headers !== undefined || side.query !== undefined || side.body !== undefined, {
    message: 'give headers, query or body',
  });

const ResponseTransform = z
  .strictObject({ headers: HeaderEdits.optional(), body: BodyEdits.optional() })
  .refine((side) => side.headers !== undefined || side.body !== undefined, { message: 'give headers or body' });

export const TransformSpec = z
  .strictObject({
    request: RequestTransform.optional().meta({ description: "edits to the request sent upstream (the path is the route's own)" }),
    response: ResponseTransform.optional().meta({ description: 'edits to the response sent back' }),
  })
  .refine((spec) => spec.request !== undefined || spec.response !== undefined, { message: 'give request or response' })
  .meta({ description: 'request and response edits: headers, query, JSON body fields' });

export const AGGREGATE_POLICIES = ['fail-whole', 'partial'] as const;

const AggregateUpstream = z.strictObject({
  name: limitedString(LIMITS.nameLength)
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'expected letters, digits, _ and -, starting with a letter (its key in the merged answer)')
    .meta({ description: "the upstream answer's key in the merged answer (letters, digits, _ and -, starting with a letter)" }),
  to: Upstream,
  path: PathSpec.pipe(template(pathTextProblem).superRefine(callPathProblem)).meta({
    description:
      'the path and query to GET, a template: /users/{route.param.id}, /orders?user={route.param.id} (values are percent-encoded)',
  }),
  timeout: Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' })
    .optional()
    .meta({ description: "time for this upstream's whole answer, body included (default: the gateway's timeouts.response)" }),
});

/**
 * An aggregate call's path is written in normal form, as a route's rewrite is: a literal `..` or `//`
 * went upstream as written (`/users/{route.param.id}/../../admin`), for the upstream to resolve, while a
 * `..` in a value is refused per request. A value stands in for each reference.
 */
function callPathProblem(text: string, ctx: z.RefinementCtx): void {
  const parsed = parseTemplate(text);
  // A template that does not parse, or text no path may hold, is the template check's error already.
  if ('error' in parsed || parsed.parts.some((part) => typeof part === 'string' && pathTextProblem(part) !== undefined)) return;
  const path = parsed.parts
    .map((part) => (typeof part === 'string' ? part : 'p'))
    .join('')
    .split('?')[0];
  const normal = normalizePath(path);
  if (isPathRefusal(normal)) ctx.addIssue({ code: 'custom', message: `no request can have this path: ${normal.refused}` });
  else if (normal !== path)
    ctx.addIssue({
      code: 'custom',
      message: 'not in normal form (RFC 3986 section 6.2.2): no //, no . or .. segment, no encoded unreserved character',
    });
}

export const AggregateSpec = z
  .strictObject({
    upstreams: limitedArray(AggregateUpstream, LIMITS.aggregateUpstreams)
      .min(1, 'an aggregate needs at least one upstream')
      .meta({ description: 'the calls made at once and merged into one answer: [{ name, to, path }]' }),
    policy: z.enum(AGGREGATE_POLICIES).default('fail-whole').meta({
      description:
        'fail-whole: any failed upstream makes the answer 502 EDGE_AGGREGATE_FAILED; partial: 200 with what arrived and the failures under _errors (502 when none arrived)',
    }),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.upstreams.forEach((upstream, i) => {
      if (seen.has(upstream.name))
        issuer(ctx)(['upstreams', i, 'name'], `"${upstream.name}" is already a name: each part of the answer needs its own`);
      seen.add(upstream.name);
    });
  })
  .meta({
    description: 'call several upstreams at once (GET, each with its own timeout) and answer their JSON merged: { name: body, ... }',
  });

/** A route's fields: `transform`, `aggregate`. */
export const RouteTransformFields = {
  transform: TransformSpec.optional(),
  aggregate: AggregateSpec.optional(),
};

export type TransformConfig = z.output<typeof TransformSpec>;
export type HeaderEditsConfig = z.output<typeof HeaderEdits>;
export type QueryEditsConfig = z.output<typeof QueryEdits>;
export type BodyEditsConfig = z.output<typeof BodyEdits>;
export type AggregateConfig = z.output<typeof AggregateSpec>;
export type AggregatePolicy = (typeof AGGREGATE_POLICIES)[number];

/** A route sends to `to` or aggregates, never both; an aggregate sends no request body. */
export function checkGatewayTransforms(gateway: GatewayShape, ctx: z.RefinementCtx): void {
  const issue = issuer(ctx);
  gateway.routes.forEach((route, i) => {
    const { to, aggregate, transform } = route as { to?: string; aggregate?: AggregateConfig; transform?: TransformConfig };
    if (to !== undefined && aggregate !== undefined)
      issue(['routes', i, 'aggregate'], 'give either to or aggregate: an aggregate route calls its own upstreams');
    if (to === undefined && aggregate === undefined)
      issue(['routes', i, 'to'], 'required: the node or URL the route sends to (or aggregate: { upstreams: [...] })');
    if (aggregate !== undefined && transform?.request?.body !== undefined)
      issue(['routes', i, 'transform', 'request', 'body'], 'an aggregate sends no body: it calls each upstream with GET');
  });
}
