/**
 * What a service's stages keep about one request (the exchange's `local`): what the earlier stages
 * decided, for the answer to say. One small object per request, its fields set in the order the
 * stages run.
 */
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
