/**
 * The gateway's transform stage: a route's request edits (headers, query, JSON body) before it is
 * forwarded, and its response edits (headers, JSON body) as a response step on whatever answer goes
 * back (gateway/transform/). Routes without a transform pass at the cost of one array read; a
 * gateway with none has no transform stage at all.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../../config/schema.ts';
import type { Exchange, ResponseStep } from '../../pipeline/exchange.ts';
import { copyFields } from '../../pipeline/headers.ts';
import { CONTINUE, SKIP, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import type { GatewayRequest } from '../request.ts';
import type { HeaderBag } from '../transform/header-edits.ts';
import { describeTransform } from '../transform/notes.ts';
import { withQuery } from '../transform/query-edits.ts';
import { TemplateScope } from '../transform/template.ts';
import { compileTransform, type CompiledTransform, type ResponseTransform } from '../transform/transform.ts';

/** The transform stage, or undefined when no route transforms anything. */
export function createTransformStage(config: GatewayConfig): Stage<GatewayRequest> | undefined {
  const byRoute = config.routes.map((route) => compileTransform(route.transform));
  if (byRoute.every((t) => t === undefined)) return undefined;
  const responseSteps = byRoute.map((t) => t?.response && responseStep(t.response));
  return {
    name: 'transform',
    run(exchange) {
      const local = exchange.local!;
      const transform = byRoute[local.hit.route];
      if (transform === undefined) return SKIP;
      const scope = scopeOf(exchange);
      const step = responseSteps[local.hit.route];
      if (step !== undefined) exchange.onResponse(step);
      return transform.request === undefined ? CONTINUE : transformRequest(exchange, transform.request, scope);
    },
  };
}

/** The request as received, for templates: made once per request, by whichever stage needs it first. */
export function scopeOf(exchange: Exchange<GatewayRequest>): TemplateScope {
  const local = exchange.local!;
  if (local.scope !== undefined) return local.scope;
  const { req } = exchange;
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return (local.scope = new TemplateScope({
    method: req.method ?? 'GET',
    path: local.hit.matchedPath,
    search: q === -1 ? '' : target.slice(q + 1),
    headers: req.headers,
    consumer: exchange.consumer,
    params: local.hit.params,
  }));
}

function transformRequest(
  exchange: Exchange<GatewayRequest>,
  request: NonNullable<CompiledTransform['request']>,
  scope: TemplateScope,
): Verdict | Promise<Verdict> {
  const local = exchange.local!;
  // Edits go on a copy: templates read the request as received, and the hop rules apply to the copy.
  const headers = copyFields(exchange.req.headers);
  const notes: string[] = [];
  const query = request.apply(headers, scope, notes);
  exchange.requestHeaders = headers;
  if (query !== undefined) local.path = withQuery(local.hit.path, query);
  if (request.body === undefined) return { kind: 'continue', reason: describeTransform(notes) };
  return request.body.run(exchange.req, headers, scope, notes).then(
    (result): Verdict => {
      exchange.requestBody = result.body;
      return { kind: 'continue', reason: describeTransform(notes) };
    },
    // The client's body broke off (it left, or sent a malformed chunk): nothing to forward.
    (): Verdict => ({ kind: 'respond', error: 'EDGE_BAD_REQUEST', decision: { stage: 'transform', reason: 'the request body could not be read whole' } }),
  );
}

/** A route's response edits as a response step; what they did joins the trace as the stage's second step. */
function responseStep(response: ResponseTransform): ResponseStep<GatewayRequest> {
  return {
    name: 'transform',
    headers(exchange, _status, headers: OutgoingHttpHeaders) {
      const startedAt = performance.now();
      const notes: string[] = [];
      response.apply(headers as HeaderBag, scopeOf(exchange), notes);
      noteResponse(exchange, notes, startedAt);
    },
    ...(response.body === undefined
      ? {}
      : {
          maxBodyBytes: response.body.maxBodyBytes,
          body(exchange, status, headers, body) {
            const startedAt = performance.now();
            const notes: string[] = [];
            const out = response.body!.apply(body, headers as HeaderBag, scopeOf(exchange), notes, status);
            noteResponse(exchange, notes, startedAt);
            return out;
          },
        }),
  };
}

/** The response edits of one request, headers then body, as one step of the trace. */
function noteResponse(exchange: Exchange<GatewayRequest>, notes: string[], startedAt: number): void {
  if (notes.length === 0) return;
  const local = exchange.local!;
  const all = (local.responseNotes ??= []);
  all.push(...notes);
  let step = local.responseStep;
  if (step === undefined) exchange.steps.push((step = local.responseStep = { stage: 'transform', verdict: 'continue', ms: 0 }));
  step.ms = Math.round((step.ms + performance.now() - startedAt) * 1000) / 1000;
  step.reason = `response: ${describeTransform(all)}`;
}
