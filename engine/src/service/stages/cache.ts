/**
 * A service's cache headers and conditional requests (service-cache.ts), so a proxy cache in front of
 * it has real validators: a GET or HEAD whose path a cache rule covers gets that rule's Cache-Control,
 * a strong ETag and Last-Modified, and a conditional one whose copy is current gets 304 Not Modified
 * here. An injected error is not the representation: it carries no validators. Only in the stage list
 * when the service has cache rules.
 */
import type { ServiceConfig } from '../../config/schema.ts';
import { splitTarget } from '../../http/path-match.ts';
import { REQUEST_ID_HEADER } from '../../pipeline/headers.ts';
import { SKIP, type ContinueVerdict, type HandledVerdict, type Stage } from '../../pipeline/verdict.ts';
import { padJson } from '../service-body.ts';
import { compileCacheRules, entityTag, httpDate, isNotModified, type Validators } from '../service-cache.ts';
import { keptFor, type CachedRepresentation, type ServiceRequest } from '../service-request.ts';

/** `contentSince`: when the content last changed (whole seconds, as HTTP-dates have), the Last-Modified of cached paths. */
export function createCacheStage(config: ServiceConfig, node: string, contentSince: number): Stage<ServiceRequest> | undefined {
  const lookup = compileCacheRules(config.cache);
  if (lookup === undefined) return undefined;
  const { status, responseSize } = config;
  const lastModified = httpDate(contentSince);
  // Preconditions count only when the answer would be 2xx (RFC 9110 section 13.2.1).
  const answersContent = status >= 200 && status < 300;
  const current: HandledVerdict = { kind: 'handled', reason: "cache: the client's copy is current -> 304 Not Modified" };
  const fresh: ContinueVerdict = { kind: 'continue', reason: 'cache: a cache rule covers the path; its headers go on the answer' };
  return {
    name: 'cache',
    run(exchange) {
      const { req, res } = exchange;
      if (exchange.local?.errorStatus !== undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return SKIP;
      const rule = lookup(splitTarget(req.url ?? '/').pathname);
      if (rule === undefined) return SKIP;
      // A strong ETag promises the same bytes for the same tag (RFC 9110 section 8.8.3): a cached path
      // answers the same representation to every request, without per-request fields.
      const body = padJson(JSON.stringify({ node, status, path: req.url }), responseSize);
      const validators: Validators = {};
      const cached: CachedRepresentation = { body, cacheControl: rule.cacheControl, etag: undefined, lastModified: undefined };
      keptFor(exchange).cached = cached;
      if (rule.etag) cached.etag = validators.etag = entityTag(body);
      if (rule.lastModified) {
        validators.lastModified = contentSince;
        cached.lastModified = lastModified;
      }
      if (!answersContent || !isNotModified(req.headers, validators)) return fresh;
      const headers: Record<string, string> = { [REQUEST_ID_HEADER]: exchange.rid, 'x-served-by': node };
      if (cached.cacheControl !== undefined) headers['cache-control'] = cached.cacheControl;
      if (cached.etag !== undefined) headers.etag = cached.etag;
      if (cached.lastModified !== undefined) headers['last-modified'] = cached.lastModified;
      res.writeHead(304, headers);
      res.end();
      return current;
    },
  };
}
