/**
 * A route's transform, compiled once from its config into the request side (headers, query, body)
 * and the response side (headers, body). A route without a transform compiles to undefined, so the
 * node adds no stage and no response step for it: the common path pays nothing.
 *
 * Per request, the node makes one TemplateScope (the request as received) and one notes list per
 * side, and reports `describeTransform(notes)` as the side's reason. A body step decides from the
 * Content-Type, Content-Encoding and length in the headers it is given; header edits that change
 * those fields are seen by it only when they ran first.
 */
import type { BodyEditsConfig, TransformConfig } from '../../config/gateway/transform.ts';
import { compileBodyEdits } from './body-edits.ts';
import { BodyTransform } from './body-transform.ts';
import { compileHeaderEdits, type HeaderBag, type HeaderEdits } from './header-edits.ts';
import { compileQueryEdits, type QueryEdits } from './query-edits.ts';
import type { TemplateScope } from './template.ts';

export interface RequestTransform {
  /**
   * Edits the headers of the request sent upstream (a copy made by the hop rules, never the
   * view's own headers, which templates read) and gives the new query: without `?`, `''` for none;
   * undefined when the request's query is unchanged.
   */
  apply(headers: HeaderBag, scope: TemplateScope, notes: string[]): string | undefined;
  /** Present when the route edits the request body (the node must then read the body before forwarding). */
  readonly body: BodyTransform | undefined;
}

export interface ResponseTransform {
  /** Edits the headers of the response sent back, in place. */
  apply(headers: HeaderBag, scope: TemplateScope, notes: string[]): void;
  /** Present when the route edits the response body. */
  readonly body: BodyTransform | undefined;
}

export interface CompiledTransform {
  readonly request: RequestTransform | undefined;
  readonly response: ResponseTransform | undefined;
}

export function compileTransform(config: TransformConfig | undefined): CompiledTransform | undefined {
  if (config === undefined) return undefined;
  const { request, response } = config;
  return {
    request: request && {
      apply: sideEdits(request.headers && compileHeaderEdits(request.headers), request.query && compileQueryEdits(request.query)),
      body: bodyTransform(request.body),
    },
    response: response && {
      apply: sideEdits(response.headers && compileHeaderEdits(response.headers), undefined),
      body: bodyTransform(response.body),
    },
  };
}

function sideEdits(headers: HeaderEdits | undefined, query: QueryEdits | undefined): RequestTransform['apply'] {
  return (bag, scope, notes) => {
    headers?.apply(bag, scope, notes);
    return query?.apply(scope, notes);
  };
}

function bodyTransform(config: BodyEditsConfig | undefined): BodyTransform | undefined {
  return config && new BodyTransform(compileBodyEdits(config));
}
