/**
 * What a service's stages keep about one request (the exchange's `local`): what the earlier stages
 * decided, for the answer to say. Made by the first stage with something to keep, so a request that
 * no stage had anything to say about (the plain fast path) allocates none; its stages read `PLAIN`.
 */
import type { Exchange } from '../pipeline/exchange.ts';
import type { PaddedBody } from './service-body.ts';

/** The cache headers of a path with a cache rule, and the body their ETag was computed from. */
export interface CachedRepresentation {
  body: PaddedBody;
  cacheControl: string | undefined;
  etag: string | undefined;
  lastModified: string | undefined;
}

export class ServiceRequest {
  /** The status an injected error chose; undefined when none was injected. */
  errorStatus: number | undefined = undefined;
  /** The latency drawn for this request, in ms. */
  latencyMs = 0;
  /** How long it waited in the capacity queue, in ms (0: it found a slot at once). */
  queuedMs = 0;
  /** Set by the cache stage when a cache rule covers the path. */
  cached: CachedRepresentation | undefined = undefined;
}

/** What a request that no stage kept anything about reads: no error, no latency, no queueing, no cache rule. */
export const PLAIN: Readonly<ServiceRequest> = Object.freeze(new ServiceRequest());

/** The request's state, made on first use. */
export function keptFor(exchange: Exchange<ServiceRequest>): ServiceRequest {
  return (exchange.local ??= new ServiceRequest());
}
