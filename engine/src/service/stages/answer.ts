/**
 * A service's last stage: the answer, JSON naming the service, so a learner sees which server answered
 * and what the edge told it (the client address, the forwarded chain, the request id, the latency it
 * waited and its time in the queue); padded to `responseSize`, a large body streamed. A cached path's
 * body is the one its ETag was computed from (cache stage), with that path's cache headers. An injected
 * error carries its code; a status of 204, 205 or 304 forbids a body, and gets none. The step has no
 * sentence: the answer decides nothing (the stages before it did, and said why), and the plain
 * request's trace, serialised for every request, stays short.
 */
import type { ServiceConfig } from '../../config/schema.ts';
import { ERROR_HEADER } from '../../errors.ts';
import { REQUEST_ID_HEADER } from '../../pipeline/headers.ts';
import { HANDLED, type Stage } from '../../pipeline/verdict.ts';
import { padJson, writeBody } from '../service-body.ts';
import { PLAIN, type ServiceRequest } from '../service-request.ts';

export function createAnswerStage(config: ServiceConfig, node: string): Stage<ServiceRequest> {
  const { status: configured, responseSize } = config;
  return {
    name: 'answer',
    run(exchange) {
      const { req, res } = exchange;
      const local = exchange.local ?? PLAIN;
      const injected = local.errorStatus !== undefined;
      const status = injected ? local.errorStatus! : configured;
      if (res.destroyed) return HANDLED;
      const headers: Record<string, string | number> = { [REQUEST_ID_HEADER]: exchange.rid, 'x-served-by': node };
      const { cached } = local;
      let body;
      if (cached !== undefined) {
        body = cached.body;
        if (cached.cacheControl !== undefined) headers['cache-control'] = cached.cacheControl;
        if (cached.etag !== undefined) headers.etag = cached.etag;
        if (cached.lastModified !== undefined) headers['last-modified'] = cached.lastModified;
      } else {
        const fields = {
          node,
          status,
          method: req.method,
          path: req.url,
          requestId: exchange.rid,
          clientAddress: req.socket.remoteAddress,
          forwardedFor: req.headers['x-forwarded-for'] ?? null,
          via: req.headers.via ?? null,
          latencyMs: Math.round(local.latencyMs * 100) / 100,
          ...(local.queuedMs > 0 ? { queuedMs: Math.round(local.queuedMs * 100) / 100 } : {}),
          ...(injected ? { error: 'SERVICE_INJECTED_ERROR' } : {}),
        };
        body = padJson(JSON.stringify(fields), responseSize);
      }
      if (injected) {
        exchange.error = 'SERVICE_INJECTED_ERROR';
        headers[ERROR_HEADER] = 'SERVICE_INJECTED_ERROR';
      }
      if (status === 204 || status === 205 || status === 304) {
        // A status that forbids content (RFC 9110 sections 15.3.5, 15.3.6, 15.4.5) gets none, and no
        // Content-Length but a 205's 0, which section 15.3.6 asks for so the connection stays usable.
        if (status === 205) headers['content-length'] = 0;
        res.writeHead(status, headers);
        res.end();
        return HANDLED;
      }
      // Set here, not above: a 304 carries no representation metadata but its validators (RFC 9110 section 15.4.5).
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
      res.writeHead(status, headers);
      if (req.method === 'HEAD') res.end();
      else writeBody(res, body);
      return HANDLED;
    },
  };
}
