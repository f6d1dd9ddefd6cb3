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
  EDGE_CLIENT_ABORTED: { status: 499, message: 'the client went away before the response' },
  SERVICE_INJECTED_ERROR: { status: 500, message: 'the service returned an injected error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;

export function isEdgeErrorCode(value: unknown): value is EdgeErrorCode {
  return typeof value === 'string' && Object.hasOwn(EDGE_ERRORS, value);
}

/** A bad API call or parameter: `path` names the offending field, `status` is the HTTP answer. */
export class InputError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly status = 400,
  ) {
    super(`${path}: ${message}`);
  }
}
