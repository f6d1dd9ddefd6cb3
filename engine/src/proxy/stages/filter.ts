/**
 * The reverse proxy's first stage, when its config has a `filter`: the request filter (proxy/filter/)
 * decides before anything is forwarded, from the client address (behind another engine node, the
 * client it names) and the request head. A refusal answers at once with its code and status and says
 * why in the trace; a request that passes goes on without a step (nothing was decided about it).
 * With `limits.bodyBytes`, a request's body is then read whole before it goes upstream
 * (filter/request-buffer.ts): a Content-Length past the limit was refused with the head, a chunked body
 * (or an HTTP/2 one without Content-Length) past it gets 413 here, and the upstream sees nothing of it.
 */
import type { FilterConfig } from '../../config/proxy/filter.ts';
import { copyFields, hasHttp2Body, hasRequestBody } from '../../pipeline/headers.ts';
import type { Exchange } from '../../pipeline/exchange.ts';
import { clientOf } from '../../pipeline/real-ip.ts';
import { SKIP, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import { bufferBody } from '../filter/request-buffer.ts';
import { compileFilter, type FilterRefusal, type RequestFilter } from '../filter/request-filter.ts';

export function createFilterStage(config: FilterConfig): Stage {
  const filter = compileFilter(config);
  const { bodyBytes } = filter;
  return {
    name: 'filter',
    run(exchange) {
      const { req } = exchange;
      const refusal = filter.check(req, clientOf(exchange));
      if (refusal !== undefined) return refused(refusal);
      if (bodyBytes === undefined || !(hasRequestBody(req.headers) || hasHttp2Body(req))) return SKIP;
      return readWhole(exchange, filter, bodyBytes);
    },
  };
}

function refused(refusal: FilterRefusal): Verdict {
  return { kind: 'respond', error: refusal.code, headers: refusal.headers, decision: { stage: 'filter', reason: refusal.reason } };
}

async function readWhole(exchange: Exchange, filter: RequestFilter, limit: number): Promise<Verdict> {
  const read = await bufferBody(exchange.req, limit);
  if ('tooLarge' in read) return refused(filter.bodyRefused(read.tooLarge));
  if ('broken' in read)
    // Node's parser has answered a malformed body already (400); a client that left gets nothing.
    return {
      kind: 'respond',
      error: 'EDGE_CLIENT_ABORTED',
      decision: { stage: 'filter', reason: 'filter: the body broke off before it ended; nothing went upstream' },
    };
  const { body } = read;
  const headers = copyFields(exchange.requestHeaders ?? exchange.req.headers);
  headers['content-length'] = String(body.length);
  delete headers['transfer-encoding'];
  exchange.requestHeaders = headers;
  exchange.requestBody = body;
  return {
    kind: 'continue',
    reason: `filter: read the whole body first (${body.length} bytes, limits.bodyBytes ${limit}), then forward it`,
  };
}
