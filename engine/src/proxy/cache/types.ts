/**
 * The shapes the cache reads and gives: a request as the proxy received it, an origin response with its
 * body, and header maps in node:http's form (lower-case names, Set-Cookie a list).
 */
export type HeaderValue = string | string[] | undefined;
export type Headers = Record<string, HeaderValue>;

/** A request as the proxy received it. */
export interface CacheRequest {
  readonly method: string;
  /** The request target as received: path and query (`/a/b?c=1`). */
  readonly url: string;
  /** Lower-case names as node:http gives them, `host` among them. */
  readonly headers: Headers;
}

/** What the origin answered, with the times around the exchange (RFC 9111 section 4.2.3). */
export interface OriginResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The whole body, or undefined when it was not buffered (larger than maxEntrySize): then it is not stored. */
  readonly body: Buffer | undefined;
  /** When the request went upstream (ms, the cache's clock). */
  readonly requestTime: number;
  /** When the response head arrived (ms, the cache's clock). */
  readonly responseTime: number;
}

/** First value of a header, as one string. */
export function headerText(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
