/**
 * The optional plain-HTTP listener of a TLS proxy (`tls.redirectHttp`): every request is answered
 * `308 Permanent Redirect` to the same host and path over https, at the proxy's TLS port, and goes no
 * further. 308 rather than nginx's usual 301: it keeps the method and body (RFC 9110 section 15.4.9),
 * so a POST is not turned into a GET. A request without a valid Host cannot be redirected: 400. Each
 * answer is told to the caller (the proxy emits it as a request, so the page shows the redirect).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EDGE_ERRORS, ERROR_HEADER, isEdgeErrorCode, type EdgeErrorCode } from '../../errors.ts';
import { REQUEST_ID_HEADER, requestIdOf } from '../../pipeline/headers.ts';

/** A request the redirect answered: its id (sent back as X-Request-Id), where it was sent, or the refusal. */
export interface RedirectAnswer {
  rid: string;
  status: number;
  location?: string;
  error?: EdgeErrorCode;
  /** From the request's arrival to its answer. */
  durationMs: number;
}

/** `host[:port]`: a name or IPv4 address, or a bracketed IPv6 address, then an optional port. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The redirect listener (not yet listening). `httpsPort` is read per request: the TLS port is known
 * only once the proxy listens (a config's 0 picks one).
 */
export function createHttpsRedirect(httpsPort: () => number, onAnswer?: (req: IncomingMessage, answer: RedirectAnswer) => void): Server {
  return createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    const startedAt = performance.now();
    const answer = answerRedirect(req, res, httpsPort());
    onAnswer?.(req, { ...answer, durationMs: performance.now() - startedAt });
  });
}

/** Where a plain-HTTP request goes over https, or the refusal when it cannot be said. */
export function httpsLocation(host: string | undefined, target: string | undefined, httpsPort: number): string | EdgeErrorCode {
  const match = host === undefined ? null : HOST.exec(host);
  if (match === null) return 'EDGE_INVALID_HOST';
  if (target === undefined || target.charCodeAt(0) !== 47 /* / */) return 'EDGE_BAD_REQUEST';
  return `https://${match[1]}${httpsPort === 443 ? '' : `:${httpsPort}`}${target}`;
}

function answerRedirect(req: IncomingMessage, res: ServerResponse, httpsPort: number): Omit<RedirectAnswer, 'durationMs'> {
  const rid = requestIdOf(req.headers);
  const location = httpsLocation(req.headers.host, req.url, httpsPort);
  if (!isEdgeErrorCode(location)) {
    res.writeHead(308, { location, 'content-length': 0, [REQUEST_ID_HEADER]: rid });
    res.end();
    return { rid, status: 308, location };
  }
  const code = location;
  const { status, message } = EDGE_ERRORS[code];
  const body = JSON.stringify({ error: code, message, requestId: rid });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    [ERROR_HEADER]: code,
    [REQUEST_ID_HEADER]: rid,
    connection: 'close',
  });
  res.end(body);
  return { rid, status, error: code };
}
