/**
 * The optional plain-HTTP listener of a TLS proxy (`tls.redirectHttp`): every request is answered
 * `308 Permanent Redirect` to the same host and path over https, at the proxy's TLS port, and goes no
 * further. 308 rather than nginx's usual 301: it keeps the method and body (RFC 9110 section 15.4.9),
 * so a POST is not turned into a GET. A request without a valid Host cannot be redirected: 400.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EDGE_ERRORS, ERROR_HEADER, isEdgeErrorCode, type EdgeErrorCode } from '../../errors.ts';

/** `host[:port]`: a name or IPv4 address, or a bracketed IPv6 address, then an optional port. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The redirect listener (not yet listening). `httpsPort` is read per request: the TLS port is known
 * only once the proxy listens (a config's 0 picks one).
 */
export function createHttpsRedirect(httpsPort: () => number): Server {
  return createServer({ keepAliveTimeout: 5_000 }, (req, res) => answerRedirect(req, res, httpsPort()));
}

/** Where a plain-HTTP request goes over https, or the refusal when it cannot be said. */
export function httpsLocation(host: string | undefined, target: string | undefined, httpsPort: number): string | EdgeErrorCode {
  const match = host === undefined ? null : HOST.exec(host);
  if (match === null) return 'EDGE_INVALID_HOST';
  if (target === undefined || target.charCodeAt(0) !== 47 /* / */) return 'EDGE_BAD_REQUEST';
  return `https://${match[1]}${httpsPort === 443 ? '' : `:${httpsPort}`}${target}`;
}

function answerRedirect(req: IncomingMessage, res: ServerResponse, httpsPort: number): void {
  const location = httpsLocation(req.headers.host, req.url, httpsPort);
  if (!isEdgeErrorCode(location)) {
    res.writeHead(308, { location, 'content-length': 0 });
    res.end();
    return;
  }
  const code = location;
  const body = JSON.stringify({ error: code, message: EDGE_ERRORS[code].message });
  res.writeHead(EDGE_ERRORS[code].status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    [ERROR_HEADER]: code,
    connection: 'close',
  });
  res.end(body);
}
