/**
 * The cache key a proxy's `key` config names (method, host, path, query, header:NAME), compiled once:
 * the per-request function only slices the target and joins the parts. HEAD looks up GET's entries
 * (RFC 9110 section 9.3.2: HEAD is GET without the body; nginx's proxy_cache_convert_head), so the
 * method part of a HEAD request reads GET.
 */
import { headerText, type CacheRequest } from './types.ts';
import { ownField } from '../../pipeline/headers.ts';

export type CacheKeyOf = (request: CacheRequest) => string;

type PartReader = (request: CacheRequest, queryAt: number) => string;

const readMethod: PartReader = (request) => (request.method === 'HEAD' ? 'GET' : request.method);
const readHost: PartReader = (request) => (headerText(request.headers.host) ?? '').toLowerCase();
const readPath: PartReader = (request, queryAt) => (queryAt < 0 ? request.url : request.url.slice(0, queryAt));
const readQuery: PartReader = (request, queryAt) => (queryAt < 0 ? '' : request.url.slice(queryAt));

function partReader(part: string): PartReader {
  switch (part) {
    case 'method':
      return readMethod;
    case 'host':
      return readHost;
    case 'path':
      return readPath;
    case 'query':
      return readQuery;
    default: {
      const name = part.slice('header:'.length).toLowerCase();
      return (request) => headerText(ownField(request.headers, name)) ?? '';
    }
  }
}

/** A key function for the configured parts; parts are joined with a byte no request field can hold. */
export function compileCacheKey(parts: readonly string[]): CacheKeyOf {
  const readers = parts.map(partReader);
  return (request) => {
    const queryAt = request.url.indexOf('?');
    let key = readers[0](request, queryAt);
    for (let i = 1; i < readers.length; i++) key += '\u0000' + readers[i](request, queryAt);
    return key;
  };
}

/** The target URI without the scheme, as invalidation and purges match it: `host/path?query`. */
export function targetUri(request: CacheRequest): string {
  return readHost(request, -1) + request.url;
}
