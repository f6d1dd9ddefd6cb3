/** Maps a failed upstream exchange to the stable edge error it stands for (502, 504, or a client abort). */
import type { EdgeErrorCode } from '../errors.ts';

export function upstreamErrorCode(error: unknown): EdgeErrorCode {
  // undici's parser errors carry no code, only their class name.
  if ((error as Error | null)?.name === 'HTTPParserError') return 'EDGE_UPSTREAM_PROTOCOL';
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'EDGE_UPSTREAM_REFUSED';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'EDGE_UPSTREAM_CONNECT_TIMEOUT';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'EDGE_UPSTREAM_TIMEOUT';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'EDGE_CLIENT_ABORTED';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_RESPONSE_STATUS_CODE':
    // A response head past undici's limit (16 KiB): nginx's "upstream sent too big header", a 502.
    case 'UND_ERR_HEADERS_OVERFLOW':
    // A response framed two ways, or with a Content-Length that is no single length (`2, 2`, two fields):
    // RFC 9112 section 6.3 makes it an error (forwarder.ts takes a 204's or 304's length as it is).
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'EDGE_UPSTREAM_PROTOCOL';
    case 'UND_ERR_SOCKET':
      // undici cuts the connection on an answer it cannot take: a 100 Continue to a request that sent no
      // Expect (RFC 9110 section 15.2 lets a client skip it; undici does not), a 101 to a request that asked
      // for no upgrade (section 15.2.2), bytes when no request is waiting. The upstream broke the exchange.
      return UNTAKEN_ANSWERS.has((error as Error).message) ? 'EDGE_UPSTREAM_PROTOCOL' : 'EDGE_UPSTREAM_RESET';
    default:
      if (typeof code === 'string' && code.startsWith('HPE_')) return 'EDGE_UPSTREAM_PROTOCOL';
      return 'EDGE_UPSTREAM_RESET';
  }
}

/** The messages of undici's SocketErrors for an answer it refused (lib/dispatcher/client-h1.js). */
const UNTAKEN_ANSWERS: ReadonlySet<string> = new Set(['bad response', 'bad upgrade']);
