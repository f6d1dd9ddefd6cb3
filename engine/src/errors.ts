/**
 * The one catalogue of edge errors. The code travels in the `x-edgelab-error` response header and in
 * the `request.completed` event, so tests and lessons assert on codes, never on wording.
 */
export const ERROR_HEADER = 'x-edgelab-error';

export const EDGE_ERRORS = {
  EDGE_UPSTREAM_REFUSED: { status: 502, message: 'the upstream refused the connection' },
  EDGE_UPSTREAM_RESET: { status: 502, message: 'the upstream closed or reset the connection' },
  EDGE_UPSTREAM_PROTOCOL: { status: 502, message: 'the upstream sent an invalid HTTP response' },
  EDGE_UPSTREAM_CONNECT_TIMEOUT: { status: 504, message: 'connecting to the upstream timed out' },
  EDGE_UPSTREAM_TIMEOUT: { status: 504, message: 'the upstream did not answer in time' },
  EDGE_NO_TARGET: { status: 503, message: 'no target is available' },
  EDGE_NO_ROUTE: { status: 404, message: 'no route matches the request' },
  EDGE_BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  /** No Host in an HTTP/1.1 request, two of them, or one that is not a valid `host[:port]` (RFC 9112 section 3.2). */
  EDGE_INVALID_HOST: { status: 400, message: 'the request has no valid Host (one host[:port])' },
  /** The request's headers did not all arrive within the node's headers timeout. */
  EDGE_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  EDGE_HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are too large' },
  /** An Expect other than 100-continue (RFC 9110 section 10.1.1): the only expectation a node meets. */
  EDGE_EXPECTATION_FAILED: {
    status: 417,
    message: 'the request expects something the node cannot meet: only Expect: 100-continue is understood',
  },
  /** CONNECT: no node opens tunnels (the Allow header lists what it takes). */
  EDGE_METHOD_NOT_ALLOWED: { status: 405, message: 'the node does not take this method' },
  /** A well-formed request line with a method Node's parser does not know (RFC 9110 section 9.1: 501, not 400). */
  EDGE_METHOD_NOT_IMPLEMENTED: { status: 501, message: 'the node does not implement this method' },
  /**
   * `Upgrade: websocket`: no node tunnels a WebSocket (nginx needs its upgrade map for it). Refused at
   * the first node, rather than passed on without its Upgrade (a hop-by-hop field), where the upstream
   * would answer a handshake that never reached it.
   */
  EDGE_UPGRADE_NOT_SUPPORTED: {
    status: 501,
    message: 'the engine does not tunnel WebSocket connections (Upgrade: websocket); send plain HTTP requests',
  },
  /** A transfer coding other than chunked (RFC 9112 section 6.1): refused, never dropped while the body goes on. */
  EDGE_UNSUPPORTED_TRANSFER_CODING: { status: 501, message: 'the request uses a transfer coding the node does not implement' },
  /** A request line in a version other than HTTP/1.0 and HTTP/1.1. */
  EDGE_VERSION_NOT_SUPPORTED: { status: 505, message: 'the node speaks HTTP/1.0 and HTTP/1.1 only' },
  /** The request's Via already names this node: it came round a loop, and forwarding it again would never end. */
  EDGE_LOOP_DETECTED: { status: 508, message: 'the request already passed this node (its Via names it): a forwarding loop' },
  /** The route needs a consumer and the request carries no valid credential (401 with WWW-Authenticate). */
  EDGE_UNAUTHORIZED: { status: 401, message: 'the request carries no valid credential' },
  /** A known consumer the route does not admit (its consumers or groups). */
  EDGE_FORBIDDEN: { status: 403, message: 'this consumer may not use this route' },
  /** A rate limit refused the request (429 with Retry-After and the RateLimit fields). */
  EDGE_RATE_LIMITED: { status: 429, message: 'too many requests: a rate limit refused this one' },
  /** The shared rate-limit store did not answer and its `onStoreError: closed` refuses the request (Retry-After). */
  EDGE_RATE_LIMIT_STORE_DOWN: { status: 503, message: 'the rate-limit store is unreachable and its policy refuses requests meanwhile' },
  /** An aggregate route whose upstreams failed under its `fail-whole` policy. */
  EDGE_AGGREGATE_FAILED: { status: 502, message: 'an upstream of the aggregate failed' },
  /** A stage of the node failed on this request (a bug in the engine, logged as an `engine.error` event). */
  EDGE_INTERNAL: { status: 500, message: 'the node failed on this request (an engine bug: see the engine log)' },
  /** An aggregate upstream answered, but not with a 2xx: its part of the answer is missing (its own status is in `_errors`). */
  EDGE_UPSTREAM_ERROR_STATUS: { status: 502, message: 'an aggregate upstream answered with an error status' },
  /** An aggregate upstream's body is not JSON (its media type, a content coding, or its text): it cannot be merged. */
  EDGE_UPSTREAM_NOT_JSON: { status: 502, message: 'an aggregate upstream answered with a body that is not JSON' },
  /** An aggregate upstream's body is larger than the gateway buffers (LIMITS.jsonBody). */
  EDGE_UPSTREAM_TOO_LARGE: { status: 502, message: 'an aggregate upstream answered with a body larger than the gateway buffers' },
  /** A proxy's filter (proxy/filter/): the client's address is in `deny`, or not in a given `allow`. */
  EDGE_FILTER_ADDRESS_DENIED: { status: 403, message: 'the filter refuses requests from this address' },
  /** A method the filter's `methods` leaves out (405 with Allow listing those it takes). */
  EDGE_FILTER_METHOD_NOT_ALLOWED: { status: 405, message: 'the filter does not take this method' },
  /** The normalised path matches one of the filter's `denyPaths` (or is too long to check against them). */
  EDGE_FILTER_PATH_DENIED: { status: 403, message: 'the filter refuses this path' },
  /** The decoded query matches one of the filter's `denyQuery` (or is too long to check against them). */
  EDGE_FILTER_QUERY_DENIED: { status: 403, message: 'the filter refuses this query string' },
  /** A header a filter rule denies is there, or its value matches the rule's pattern. */
  EDGE_FILTER_HEADER_DENIED: { status: 403, message: 'the filter refuses a header of this request' },
  /** A header a filter rule requires is missing, or its value does not match the rule's pattern. */
  EDGE_FILTER_HEADER_REQUIRED: { status: 400, message: 'the request lacks a header the filter requires' },
  /** The request target is longer than the filter's `limits.urlLength`. */
  EDGE_URI_TOO_LONG: { status: 414, message: 'the request target is too long' },
  /** The body is larger than the filter's `limits.bodyBytes`: by its Content-Length before it is read, or counted as a chunked body arrives. */
  EDGE_BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  /** Content-Length with Transfer-Encoding, or Content-Length twice (RFC 9112 sections 6.1 and 6.3): the body's end is ambiguous, so nothing is forwarded. */
  EDGE_AMBIGUOUS_FRAMING: { status: 400, message: 'the request frames its body two ways (a request-smuggling shape)' },
  /** A request with Cache-Control: only-if-cached that the proxy's cache cannot answer without the origin (RFC 9111 section 5.2.1.7). */
  EDGE_NOT_CACHED: { status: 504, message: 'only-if-cached, and the cache holds no response it may send without the origin' },
  /** The compressor failed mid-body (proxy/compression/encoder.ts): the headers were gone, so the response was cut. */
  EDGE_COMPRESSION_FAILED: { status: 502, message: 'compressing the response failed and the response was cut' },
  /** A proxy, gateway or balancer with a `capacity`: every slot busy and its queue full; turned away at once, with Retry-After. */
  EDGE_OVERLOADED: { status: 503, message: 'the node is at capacity and its queue is full' },
  /** Waited the node's `capacity.queueTimeout` in its queue without getting a slot, with Retry-After. */
  EDGE_QUEUE_TIMEOUT: { status: 503, message: 'the request waited too long in the node queue' },
  EDGE_CLIENT_ABORTED: { status: 499, message: 'the client went away before the response' },
  /** The client read nothing of the answer for the node's send timeout (nginx's send_timeout): its connection was cut. */
  EDGE_SEND_TIMEOUT: { status: 408, message: 'the client stopped reading the answer, and its connection was cut after the send timeout' },
  SERVICE_INJECTED_ERROR: { status: 500, message: 'the service returned an injected error' },
  /** Every slot busy and the queue full (`capacity`): turned away at once, with Retry-After. */
  SERVICE_OVERLOADED: { status: 503, message: 'the service is at capacity and its queue is full' },
  /** Waited `capacity.queueTimeout` in the queue without getting a slot, with Retry-After. */
  SERVICE_QUEUE_TIMEOUT: { status: 503, message: 'the request waited too long in the service queue' },
  /** An `errors` fault answered instead of the node; the status sent is the fault's own (500..599). */
  FAULT_INJECTED_ERROR: { status: 503, message: 'an injected fault answered with an error' },
  /** A `reset` fault cut the connection without an answer; logged as 444, nginx's status for a close without response. */
  FAULT_INJECTED_RESET: { status: 444, message: 'an injected fault reset the connection' },
} as const satisfies Record<string, { status: number; message: string }>;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;

export function isEdgeErrorCode(value: unknown): value is EdgeErrorCode {
  return typeof value === 'string' && Object.hasOwn(EDGE_ERRORS, value);
}

/**
 * A bad API call or parameter: `path` names the offending field, `status` is the HTTP answer, and
 * `errors` lists every problem found (the first is `path`), as `{ errors: [{ path, message }] }` answers show it.
 */
export class InputError extends Error {
  readonly errors: ReadonlyArray<{ path: string; message: string }>;

  constructor(
    readonly path: string,
    message: string,
    readonly status = 400,
    more: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(`${path}: ${message}`);
    this.errors = [{ path, message }, ...more];
  }

  /** One error for a non-empty list of `{ path, message }`. */
  static of(errors: ReadonlyArray<{ path: string; message: string }>, status = 400): InputError {
    return new InputError(errors[0].path, errors[0].message, status, errors.slice(1));
  }
}
