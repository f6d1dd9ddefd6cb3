/**
 * The listener of a TLS proxy: HTTPS with HTTP/2 and HTTP/1.1 on one port, chosen per connection by
 * ALPN (node:http2 with `allowHTTP1`), or HTTP/1.1 alone (node:https) when the config turns HTTP/2 off.
 * Requests of both protocols reach one handler: HTTP/1.1 as IncomingMessage and ServerResponse, HTTP/2
 * through Node's compatibility API (Http2ServerRequest and Http2ServerResponse; compat.test.ts states
 * what differs). Each connection is reported once its handshake is done, with what it negotiated and
 * how long the handshake took, from the TCP accept to 'secureConnection'; a failed handshake too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createSecureServer,
  Http2ServerResponse,
  type Http2SecureServer,
  type Http2ServerRequest,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { MAX_TIMER_MS } from '../../config/limits.ts';
import { LISTENER_HEADER_COUNT } from '../../nodes/edge-rules.ts';
import { BYTES_HANDED, rawEdgeAnswer } from '../../nodes/node-server.ts';

const PLAIN_HTTP_ANSWER = rawEdgeAnswer('EDGE_BAD_REQUEST', 'a plain HTTP request was sent to the HTTPS port: use https://');

/** One TLS connection, once its handshake is done: the payload of the event the node emits for it. */
export interface TlsConnectionInfo {
  /** The client's address. */
  peer: string;
  /** What ALPN chose: `h2`, or `http/1.1` (also for a client that offered no ALPN). */
  protocol: 'h2' | 'http/1.1';
  /** `TLSv1.3`, `TLSv1.2`. */
  tlsVersion: string;
  /** The cipher suite's standard name: `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** From the TCP connection's accept to the end of the handshake, in ms. */
  handshakeMs: number;
  /** The client resumed an earlier session (a shorter handshake). */
  resumed: boolean;
}

/** A connection whose handshake failed (a client that does not trust the certificate, plain HTTP on the TLS port). */
export interface TlsHandshakeFailure {
  peer: string;
  /** The error's code, as Node reports it: `ECONNRESET` when the client gave up, `ERR_SSL_HTTP_REQUEST` for plain HTTP. */
  reason: string;
  /** From the accept to the failure, in ms. */
  afterMs: number;
}

/** An HTTP/2 session Node closed for what its client sent (a flood, a protocol error): it sent a GOAWAY. */
export interface Http2SessionFailure {
  peer: string;
  /** Node's message: `Too many CONTINUATION frames following a HEADER frame`, `Flooding was detected...`. */
  message: string;
  /** Node's code: `ERR_HTTP2_ERROR`, `ERR_HTTP2_TOO_MANY_INVALID_FRAMES`. */
  code: string;
}

/**
 * Streams of an HTTP/2 session that nghttp2 reset before the node saw them: Node hands none of these to
 * JavaScript, so the listener finds them by the client stream ids that never came (a client's stream ids
 * rise, odd, by 2: RFC 9113 section 5.1.1), told when the next stream comes; and says once when a session
 * has as many streams open as it may, since those refused after it with none coming later are never found.
 */
export interface Http2StreamRefusal {
  peer: string;
  /** Streams refused that this report adds (0 for the notice that the session reached the limit). */
  refused: number;
  /** What happened, for a learner: `client 127.0.0.1 opened 72 streams past the 128 ...`. */
  message: string;
}

/**
 * How many streams an HTTP/2 client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS), as nginx's
 * `http2_max_concurrent_streams` default: Node's own is 2^32 - 1, so one connection could have thousands
 * of requests in flight upstream. Past it, nghttp2 refuses a stream (REFUSED_STREAM) while the client has
 * not yet acknowledged the setting, and takes it as a connection error once it has: the session is closed.
 */
export const H2_MAX_CONCURRENT_STREAMS = 128;

/**
 * How long an HTTP/2 session with no stream open stays: nginx's keepalive_timeout (75 s), which it applies
 * to an idle HTTP/2 connection too. Not the HTTP/1.1 side's 5 s: undici, the traffic generator's client,
 * closes an idle HTTP/1.1 connection itself (at 4 s) but never an h2 session, so the server always closes
 * it, and a request sent as it does fails (GOAWAY); at 75 s a flow rarely leaves that long a gap.
 */
export const H2_IDLE_TIMEOUT_MS = 75_000;

export type TlsRequest = IncomingMessage | Http2ServerRequest;
export type TlsResponse = ServerResponse | Http2ServerResponse;
export type TlsListener = Http2SecureServer | HttpsServer;

export interface TlsListenerOptions {
  certificate: { cert: string; key: string };
  /** Offer h2 by ALPN beside http/1.1 (the config's `tls.http2`). */
  http2: boolean;
  onRequest(req: TlsRequest, res: TlsResponse): void;
  onConnection?(info: TlsConnectionInfo): void;
  onHandshakeFailed?(failure: TlsHandshakeFailure): void;
  onSessionError?(failure: Http2SessionFailure): void;
  onStreamsRefused?(refusal: Http2StreamRefusal): void;
  /**
   * Node's limits for the HTTP/1.1 connections (the node's listener timeouts); http2 ignores its options for
   * these. The headers timeout also bounds the TLS handshake (nginx's client_header_timeout does): the
   * value the server holds when a connection is accepted, so a config change (NodeServer's
   * applyListenerTimeouts sets it on the server) bounds the next handshake. Node's own `handshakeTimeout`
   * is read once, when the server is made, and would leave a client that never finishes two minutes.
   */
  http1: { keepAliveTimeoutMs: number; headersTimeoutMs: number; requestTimeoutMs: number; checkEveryMs: number };
  /** How long an HTTP/2 session with no stream open stays (H2_IDLE_TIMEOUT_MS by default). */
  h2IdleTimeoutMs?: number;
  /** A monotonic clock in ms (performance.now by default); injected so tests are exact. */
  now?: () => number;
}

/**
 * When the TCP connection under a TLS socket was accepted, and from whom (kept before a failed socket
 * forgets it); the timer that cuts its handshake, and whether it did.
 */
const ACCEPTED = Symbol('accepted');
interface Accepted {
  at: number;
  peer: string;
  handshakeTimer: NodeJS.Timeout | undefined;
  timedOut: boolean;
}
type AcceptedSocket = Socket & { [ACCEPTED]?: Accepted };

/**
 * Node's own handshake timer, left to fire never (the longest a timer waits, about 24.8 days): the
 * listener's timer, which reads the headers timeout at each accept, bounds the handshake instead.
 */
const NODE_HANDSHAKE_TIMEOUT_MS = MAX_TIMER_MS;

/** A handshake not done within the headers timeout: its TCP connection is cut, and the failure says why. */
function cutHandshake(socket: AcceptedSocket): void {
  const accepted = socket[ACCEPTED];
  if (accepted !== undefined) accepted.timedOut = true;
  socket.destroy();
}

function clearHandshakeTimer(socket: AcceptedSocket | null | undefined): void {
  const accepted = socket?.[ACCEPTED];
  if (accepted?.handshakeTimer === undefined) return;
  clearTimeout(accepted.handshakeTimer);
  accepted.handshakeTimer = undefined;
}

function onAcceptedClose(this: AcceptedSocket): void {
  clearHandshakeTimer(this);
}
/** The TCP socket a server-side TLSSocket wraps (Node's own field, set for every socket a tls.Server accepts). */
type WrappingSocket = TLSSocket & { _parent?: AcceptedSocket | null };
/** The HTTP/2 sessions open on a listener, for a graceful stop to close. */
const SESSIONS = Symbol('sessions');
type TrackedListener = TlsListener & { [SESSIONS]?: Set<ServerHttp2Session> };

/**
 * An HTTP/2 response that tells how it ended as a ServerResponse does, since the node reads it as one:
 * Node's compatibility response reports its stream's `writableFinished`, true even when the client
 * reset the stream before the answer was whole, and has no `destroyed`. Here an answer is finished
 * when it was ended and its stream was not reset, and destroyed with its stream. It also counts the
 * bytes written to it (`end` writes through `write`), for the node's send timeout.
 */
export class EdgeHttp2Response<Request extends Http2ServerRequest = Http2ServerRequest> extends Http2ServerResponse<Request> {
  [BYTES_HANDED] = 0;

  override write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    this[BYTES_HANDED] += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return (super.write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
  }
}
// Accessors over the base class's (typed as plain properties there, so not declared in the class body).
Object.defineProperties(EdgeHttp2Response.prototype, {
  writableFinished: {
    get(this: Http2ServerResponse): boolean {
      return this.writableEnded && !this.stream.aborted;
    },
  },
  destroyed: {
    get(this: Http2ServerResponse): boolean {
      return this.stream.destroyed;
    },
  },
});

export function createTlsListener(options: TlsListenerOptions): TlsListener {
  const { certificate, onRequest, http1 } = options;
  const now = options.now ?? (() => performance.now());
  const handshakeTimeout = NODE_HANDSHAKE_TIMEOUT_MS;
  const server: TrackedListener = options.http2
    ? createSecureServer(
        {
          ...certificate,
          handshakeTimeout,
          allowHTTP1: true,
          ALPNProtocols: ['h2', 'http/1.1'],
          Http2ServerResponse: EdgeHttp2Response,
          settings: { maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS },
          // As many fields as the HTTP/1.1 side keeps (Node's default is 128, reset without a word past it):
          // the edge rules answer too many, or too large, with 431 on either protocol. Node's 64 KB bound
          // on a header list stays (an HPACK bomb is reset at it).
          maxHeaderListPairs: LISTENER_HEADER_COUNT,
        },
        onRequest,
      )
    : createHttpsServer({ ...certificate, handshakeTimeout, ALPNProtocols: ['http/1.1'], requireHostHeader: false }, onRequest);
  // The HTTP/1.1 side of an http2 server takes none of these from its options: set on the server before it
  // listens, its parser and its connection checks (started on 'listening') read them.
  Object.assign(server, {
    keepAliveTimeout: http1.keepAliveTimeoutMs,
    headersTimeout: http1.headersTimeoutMs,
    requestTimeout: http1.requestTimeoutMs,
    connectionsCheckingInterval: http1.checkEveryMs,
    maxHeadersCount: LISTENER_HEADER_COUNT,
  });
  if (options.http2) {
    const sessions = (server[SESSIONS] = new Set<ServerHttp2Session>());
    const { onSessionError, onStreamsRefused, h2IdleTimeoutMs: idleMs = H2_IDLE_TIMEOUT_MS } = options;
    server.on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      // A session with no stream open for the idle time is closed (a last GOAWAY, NO_ERROR), as an idle
      // HTTP/1.1 connection is: Node keeps one open for good, with it one whose client never ends a
      // HEADERS block (a stream nghttp2 holds, which a graceful close() would wait on).
      let open = 0;
      const refusals = onStreamsRefused === undefined ? undefined : new StreamRefusals(session.socket.remoteAddress ?? '', onStreamsRefused);
      session.on('stream', (stream: ServerHttp2Stream) => {
        if (refusals !== undefined && stream.id !== undefined) refusals.arrived(stream.id, open);
        open++;
        stream.once('close', () => open--);
      });
      session.setTimeout(idleMs, () => {
        if (open === 0) session.destroy();
      });
      if (onSessionError === undefined) return;
      const peer = session.socket.remoteAddress ?? '';
      session.on('error', (error: NodeJS.ErrnoException) =>
        onSessionError({ peer, message: error.message, code: error.code ?? 'ERR_HTTP2_ERROR' }),
      );
    });
  }
  const timeouts = server as unknown as { headersTimeout: number };
  server.on('connection', (socket: AcceptedSocket) => {
    const handshakeTimer = setTimeout(cutHandshake, timeouts.headersTimeout, socket).unref();
    socket[ACCEPTED] = { at: now(), peer: socket.remoteAddress ?? '', handshakeTimer, timedOut: false };
    socket.once('close', onAcceptedClose);
  });
  const { onConnection, onHandshakeFailed } = options;
  server.on('secureConnection', (socket: WrappingSocket) => clearHandshakeTimer(socket._parent));
  if (onConnection) {
    server.on('secureConnection', (socket: WrappingSocket) => {
      const accepted = socket._parent?.[ACCEPTED];
      const cipher = socket.getCipher();
      onConnection({
        peer: accepted?.peer ?? socket.remoteAddress ?? '',
        protocol: socket.alpnProtocol === 'h2' ? 'h2' : 'http/1.1',
        tlsVersion: socket.getProtocol() ?? 'unknown',
        cipher: cipher.standardName ?? cipher.name,
        handshakeMs: accepted ? now() - accepted.at : 0,
        resumed: socket.isSessionReused(),
      });
    });
  }
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: WrappingSocket) => {
    // Plain HTTP sent to the TLS port (OpenSSL knows a request line when it sees one): told so in plain
    // HTTP on the TCP connection under the TLS one, as nginx does, rather than cut without a word.
    const tcp = socket._parent;
    if (error.code === 'ERR_SSL_HTTP_REQUEST' && tcp?.writable) tcp.end(PLAIN_HTTP_ANSWER, () => socket.destroy());
    else socket.destroy();
    const accepted = socket._parent?.[ACCEPTED];
    clearHandshakeTimer(socket._parent);
    onHandshakeFailed?.({
      peer: accepted?.peer ?? socket.remoteAddress ?? '',
      // Cut by the listener's timer, the TLS socket reports only that its connection went ("socket hang up").
      reason: accepted?.timedOut ? 'ERR_TLS_HANDSHAKE_TIMEOUT' : (error.code ?? error.message),
      afterMs: accepted ? now() - accepted.at : 0,
    });
  });
  return server;
}

/** The streams one session's client opened that never reached the node (Http2StreamRefusal). */
class StreamRefusals {
  /** The last client stream id that reached the node. */
  #lastId = -1;
  /** Whether the session was at its limit once the last stream came: the streams after it were refused for that, until one ended. */
  #full = false;
  #told = false;

  constructor(
    readonly peer: string,
    readonly report: (refusal: Http2StreamRefusal) => void,
  ) {}

  /** A client stream reached the node, with `open` streams open before it. */
  arrived(id: number, open: number): void {
    const refused = (id - this.#lastId) / 2 - 1;
    if (refused > 0) {
      const streams = refused === 1 ? 'stream' : `${refused} streams`;
      this.report({
        peer: this.peer,
        refused,
        message: this.#full
          ? `client ${this.peer} opened ${streams} past the ${H2_MAX_CONCURRENT_STREAMS} it may have open at once: refused (REFUSED_STREAM, safe to retry) before the node saw them`
          : `client ${this.peer}: ${streams} reset before the node saw them (a head HTTP/2 calls malformed, or past 64 KB of header fields)`,
      });
    }
    this.#lastId = id;
    this.#full = open + 1 >= H2_MAX_CONCURRENT_STREAMS;
    if (this.#full && !this.#told) {
      this.#told = true;
      this.report({
        peer: this.peer,
        refused: 0,
        message: `client ${this.peer} has ${H2_MAX_CONCURRENT_STREAMS} streams open at once, the most a connection may (SETTINGS_MAX_CONCURRENT_STREAMS, nginx's http2_max_concurrent_streams): streams it opens past them are refused until one ends`,
      });
    }
  }
}

/**
 * A graceful stop's last step on open connections (after `server.close()`, which only stops accepting):
 * idle HTTP/1.1 connections close, and every HTTP/2 session gets a GOAWAY, so its streams in flight
 * finish and it takes no new ones. Without it an h2 client's session stays open, and `close()` with it.
 */
export function closeIdleTlsConnections(server: TlsListener): void {
  (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  for (const session of (server as TrackedListener)[SESSIONS] ?? []) session.close();
}
