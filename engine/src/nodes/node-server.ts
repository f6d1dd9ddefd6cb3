/**
 * What every node shares: a real HTTP listener on 127.0.0.1, its lifecycle (start, stop as a crash or
 * gracefully, start again on the same port), and the request envelope: the HTTP rules every node
 * applies first (edge-rules.ts), the request id, the `request.received` / `request.completed` events,
 * and the status and error code sent back. Node kinds only say what happens to a request in between
 * (`handle`). A kind may listen with its own HTTP listener (a TLS proxy's HTTPS with HTTP/2), made
 * asynchronously; the envelope is the same, and over HTTP/2 it answers through the response (a stream
 * has no socket of its own to write to or close).
 */
import { createServer, Server as HttpServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants as http2, type Http2ServerResponse } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import type { EventBus } from '../bus.ts';
import type { NodeConfigParsed, NodeKind } from '../config/schema.ts';
import { EDGE_ERRORS, ERROR_HEADER, type EdgeErrorCode } from '../errors.ts';
import type { EventOf, NodeState } from '../events.ts';
import { Exchange, EXCHANGE } from '../pipeline/exchange.ts';
import { isHttp2Request, REQUEST_ID_HEADER, requestIdOf } from '../pipeline/headers.ts';
import { senderOf } from '../pipeline/engine-connections.ts';
import type { FaultGate } from '../faults/gate.ts';
import { dispatchedBytes, isStalled, SEND_TIMEOUT_MS, stallCheckEvery, unsentBytes, type Watched } from '../http/send-stall.ts';
import { ALLOWED_METHODS, clientErrorCode, EdgeRules, LISTENER_HEADER_COUNT, refusedRequestLine, type EdgeOutcome } from './edge-rules.ts';
import type { L4Links } from './l4-links.ts';
import { requestLineOpen, watchRequestLine } from './request-line-watch.ts';

export const LISTEN_HOST = '127.0.0.1';

/**
 * Node's own limits on a client that is slow to send a request: all its headers within `headersMs`,
 * the whole request within `requestMs`, checked every `checkEveryMs` (so a timeout fires up to that
 * much later). Overridable per node before it starts, for tests.
 */
export interface ListenerTimeouts {
  headersMs: number;
  requestMs: number;
  checkEveryMs: number;
}

export const LISTENER_TIMEOUTS: ListenerTimeouts = { headersMs: 60_000, requestMs: 60_000, checkEveryMs: 30_000 };

/**
 * After a raw answer that ends the connection, how long its client may keep its own side open before the
 * connection is cut: nginx's lingering_timeout (5 s). Node's parser has let go of a CONNECT's socket, and
 * no timeout of the server's watches it: without this, a client that never closed held it for good.
 * (A socket whose request the parser refused is closed by Node's server itself, sooner.)
 */
export const LINGER_MS = 5_000;

const CLOSE = { connection: 'close' };
const ALLOW = { allow: ALLOWED_METHODS };
/** Whether a request's sender is an engine node or a trusted proxy, decided once per connection. */
const TRUSTED_HOP = Symbol('trusted hop');
const SENDER = Symbol('sender');
/**
 * Set on a connection once the node answered a request on it with `connection: close`: the requests
 * pipelined behind that one were parsed already, but are never run (nothing of them goes upstream),
 * as RFC 9112 section 9.6 asks of a server that closes and as nginx does.
 */
const CLOSING = Symbol('closing');
/** On a TLS listener's TCP connection: the TLS socket over it, which carries its HTTP/1.1 answers (set at the handshake's end). */
const TLS_SOCKET = Symbol('tls socket');
/**
 * On an HTTP/2 answer: the bytes written to it so far. With its stream's unsent bytes, what tells a
 * client that reads slowly (the count grows as its window reopens) from one that stopped; a stream keeps
 * no count of its own. Kept by the listener's response class (proxy/tls/listener.ts).
 */
export const BYTES_HANDED = Symbol('bytes handed');

export interface NodeContext {
  bus: EventBus;
  /** The origin (`http://127.0.0.1:PORT`) of a node id or URL upstream, or undefined when it has no port. */
  resolve(upstream: string): string | undefined;
  /** Uniform random numbers in [0, 1); injected so runs and tests can be seeded. */
  rng(): number;
  /** The connections l4 balancers have open, so a node can tell which one a request rode. */
  l4Links: L4Links;
  /** The generation of the config being applied or running (`config.applied`): what a node compiles from it is of this one. */
  generation(): number;
}

export abstract class NodeServer<C extends NodeConfigParsed = NodeConfigParsed> {
  readonly id: string;
  abstract readonly kind: NodeKind;
  state: NodeState = 'stopped';
  /** The port actually bound; kept after a stop so the node starts again where it was. */
  port: number | null = null;
  stateReason: string | undefined;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  /**
   * The request faults on this node and on edges into it (faults/gate.ts), set by the engine; undefined
   * when there are none, so a request that no fault touches costs this one property read.
   */
  faultGate: FaultGate | undefined = undefined;
  /** Hands a request the gate let through to `handle`; one function per node, not one per request. */
  readonly #proceed = (exchange: Exchange): void => this.handle(exchange);
  /** Set when the node starts: its kind (whether it forwards) is not known while the base constructor runs. */
  #rules: EdgeRules | undefined;
  /** Node's request timeouts for this node's listener (tests shorten them). */
  listenerTimeouts: ListenerTimeouts = LISTENER_TIMEOUTS;
  /** The send timeout of this node's connections (tests shorten it before a start). */
  sendTimeoutMs = SEND_TIMEOUT_MS;
  /** How long a connection answered raw (and ended) may stay open on its client's side (tests shorten it). */
  lingerMs = LINGER_MS;
  /** Looks for connections whose client stopped reading, from the first start until the connections of the last stop are gone. */
  #stallCheck: NodeJS.Timeout | undefined;
  /** The HTTP/2 answers in flight: a stream has its own flow-control window, so the send timeout watches each apart from its connection. */
  readonly #h2Answers = new Set<Http2Answer>();
  /** Whether the listener speaks TLS (a TLS proxy's): its requests say their protocol, and go upstream as `proto=https`. */
  #secure = false;
  /** The start in progress, so a retry while one runs (a certificate still being made) joins it. */
  #starting: Promise<void> | undefined;
  /** The request envelope as listener callbacks, for a kind that makes its own HTTP listener (a TLS proxy). */
  protected readonly envelope = {
    request: (req: IncomingMessage, res: ServerResponse): void => this.#onRequest(req, res),
    /** A request whose Expect is not 100-continue: Node would answer 417 itself, unseen (no code, no events). */
    expectation: (req: IncomingMessage, res: ServerResponse): void => this.#onRequest(req, res, 'EDGE_EXPECTATION_FAILED'),
    /**
     * `Expect: 100-continue`: Node would send 100 Continue before the node saw the request. It goes out
     * when something first reads the body instead (as nginx sends it), so a request refused from its head
     * alone (a credential, a rate limit, a Content-Length past bodyBytes) is refused before the client
     * sends a body that would be thrown away; Node then closes the connection, whose body never came.
     * Every reader of the body (a pipe, `data` listeners, an async iterator) goes through `read`, also
     * when the body came with the head already: the 100 goes out then too (RFC 9110 section 10.1.1 lets
     * a server omit it; nginx sends it).
     */
    continue: (req: IncomingMessage, res: ServerResponse): void => {
      const body = req as BodyRead;
      body.read = (size?: number) => {
        delete (body as Partial<BodyRead>).read;
        if (!res.headersSent) res.writeContinue();
        return body.read(size);
      };
      this.#onRequest(req, res);
    },
    clientError: (error: NodeJS.ErrnoException, socket: Duplex): void => this.#onClientError(error, socket),
    /** An HTTP/1.1 CONNECT comes with its socket; an HTTP/2 one with a response, as a request does. */
    connect: (req: IncomingMessage, socket: Duplex | ServerResponse): void => this.#refuseConnect(req, socket),
  };

  constructor(
    protected config: C,
    protected readonly ctx: NodeContext,
  ) {
    this.id = config.id;
  }

  get currentConfig(): C {
    return this.config;
  }

  /** Whether `reconfigure` can take this config, or the node must be replaced (another kind of listener). */
  canReconfigure(_config: C): boolean {
    return true;
  }

  /** Swap in a new config of the same kind; requests in flight finish under the old one. */
  reconfigure(config: C): void {
    this.config = config;
  }

  protected abstract handle(exchange: Exchange): void;

  /** Change the listener's timeouts: at once on a running listener (how often Node checks them, at its next start). */
  protected applyListenerTimeouts(timeouts: ListenerTimeouts): void {
    this.listenerTimeouts = timeouts;
    // Only an HTTP listener has them, over TLS too (an l4 balancer relays connections).
    const server = this.#server;
    if (!(server instanceof HttpServer) && !(server instanceof TlsServer)) return;
    Object.assign(server, { requestTimeout: timeouts.requestMs, headersTimeout: timeouts.headersMs });
  }

  /** Whether the node listens with TLS (set once its listener is made). */
  get secure(): boolean {
    return this.#secure;
  }

  /** Peers whose forwarding headers stand, as an engine node's do (a balancer's `trustedProxies`); none by default. */
  protected trustsPeer(_address: string): boolean {
    return false;
  }

  /** Requests answered outside the envelope (no events, no counts), such as a health probe. */
  protected isHealthProbe(_method: string | undefined, _url: string | undefined): boolean {
    return false;
  }

  /** The answer to a health probe: 200 and `up`, unless a kind knows better (a saturated service answers 503). */
  protected healthReport(): { status: number; body: Record<string, unknown> } {
    return { status: 200, body: { node: this.id, status: 'up' } };
  }

  /**
   * The listener: an HTTP server running the request envelope. A TLS proxy makes an HTTPS one (with
   * its certificate, asynchronously); an l4 balancer relays connections instead. What this throws fails
   * the start with its message, as a port in use does.
   */
  protected createListener(): Server | Promise<Server> {
    const { headersMs, requestMs, checkEveryMs } = this.listenerTimeouts;
    const server = createServer(
      {
        keepAliveTimeout: 5_000,
        headersTimeout: headersMs,
        requestTimeout: requestMs,
        connectionsCheckingInterval: checkEveryMs,
        // Node's own 400 for a missing Host carries no code: the edge rules answer it instead.
        requireHostHeader: false,
      },
      this.envelope.request,
    );
    server.maxHeadersCount = LISTENER_HEADER_COUNT;
    server.on('clientError', this.envelope.clientError);
    server.on('connect', this.envelope.connect);
    server.on('checkExpectation', this.envelope.expectation);
    server.on('checkContinue', this.envelope.continue);
    return server;
  }

  /** Stop-gracefully's last step on open connections: an HTTP server closes the idle ones. */
  protected closeIdleConnections(server: Server): void {
    (server as ReturnType<typeof createServer>).closeIdleConnections();
  }

  /** Cut every open client connection at once, as a crash would. */
  protected cutConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async start(): Promise<void> {
    if (this.#server) return;
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#rules = new EdgeRules(this.id, this.kind !== 'service');
    // A retry after a failure stays `failed` until it succeeds: no flicker of `starting` events.
    if (this.state !== 'failed') this.#setState('starting');
    let server: Server;
    try {
      server = await this.createListener();
    } catch (error) {
      const reason = (error as Error).message;
      this.#setState('failed', reason);
      throw new Error(`node "${this.id}": ${reason}`);
    }
    this.#secure = server instanceof TlsServer;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      watchRequestLine(socket);
    });
    // The TCP connection is what a crash cuts; the TLS socket over it holds the answer's bytes first.
    if (this.#secure) {
      server.on('secureConnection', (socket: WrappingSocket) => {
        if (socket._parent) socket._parent[TLS_SOCKET] = socket;
        watchRequestLine(socket);
      });
    }
    const wanted = this.port ?? this.config.listen;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(wanted, LISTEN_HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${wanted} is already in use` : String((error as Error).message);
      this.#setState('failed', reason);
      throw new Error(`node "${this.id}": ${reason}`);
    }
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    // As often as the listener checks its request timeouts too, which the sweep applies to HTTP/2 requests.
    const every = Math.min(stallCheckEvery(this.sendTimeoutMs), this.listenerTimeouts.checkEveryMs);
    this.#stallCheck ??= setInterval(() => this.#cutStalledClients(), every).unref();
    this.#setState('up');
  }

  /**
   * Stop listening. `crash` also cuts every open connection, as a killed process would: requests in
   * flight see a reset and new connections are refused. Otherwise in-flight requests finish first.
   */
  async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    const server = this.#server;
    if (!server) {
      // Already stopped gracefully and still draining: a crash now cuts what is left.
      if (mode === 'crash') this.cutConnections();
      return;
    }
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (mode === 'crash') this.cutConnections();
    else this.closeIdleConnections(server);
    this.#setState('stopped', reason);
    await closed;
    // Not started again meanwhile: no connection is left to watch.
    if (this.#server === undefined) {
      clearInterval(this.#stallCheck);
      this.#stallCheck = undefined;
    }
  }

  /**
   * Cut every connection that has held unsent answer bytes (its own, and its TLS socket's) for the send
   * timeout without any of them moving (http/send-stall.ts): its client reads nothing. The request in
   * flight on it, if any, ends with EDGE_SEND_TIMEOUT (its status line, if it went out, is what the
   * event reports). An HTTP/2 stream whose client keeps its flow-control window shut is reset alone
   * (CANCEL), the same way: its connection may carry other streams that move.
   */
  #cutStalledClients(): void {
    const now = performance.now();
    const timeout = this.sendTimeoutMs;
    const { requestMs } = this.listenerTimeouts;
    for (const res of this.#h2Answers) {
      if (now - (res[EXCHANGE]?.startedAt ?? now) > requestMs && !sentWhole(res)) {
        timeOutRequest(res);
        continue;
      }
      if (!isStalled(res, res.stream.bufferSize, res[BYTES_HANDED] ?? 0, now, timeout)) continue;
      markSendTimeout(res);
      res.stream.close(http2.NGHTTP2_CANCEL);
    }
    for (const socket of this.#sockets as Set<TrackedSocket>) {
      const carrier = socket[TLS_SOCKET] ?? socket;
      const unsent = unsentBytes(socket) + (carrier === socket ? 0 : carrier.writableLength);
      if (!isStalled(socket, unsent, dispatchedBytes(carrier), now, timeout)) continue;
      const res = carrier._httpMessage;
      if (res) markSendTimeout(res);
      socket.destroy();
    }
  }

  /**
   * Zero the counts this node keeps for its inspector (route hits, cache and compression tallies, picks,
   * refusals...), never its state (stored responses, limiter buckets, breakers, health, key memory): a
   * metrics reset (Engine.resetMetrics) calls it on every node. A node that keeps no such count has nothing to do.
   */
  resetCounts(): void {}

  /** Stop for good: the node is leaving the topology. */
  async dispose(): Promise<void> {
    await this.stop('graceful');
  }

  #setState(state: NodeState, reason?: string): void {
    if (state === this.state && reason === this.stateReason) return;
    this.state = state;
    this.stateReason = reason;
    this.ctx.bus.emit({ type: 'node.state', node: this.id, kind: this.kind, state, port: this.port, ...(reason ? { reason } : {}) });
  }

  /** `refusal`: the answer the listener already knows the request gets, once the edge rules found nothing worse. */
  #onRequest(req: IncomingMessage, res: ServerResponse, refusal?: EdgeErrorCode): void {
    // Pipelined behind a request answered with `connection: close`: that answer is the connection's last.
    if ((req.socket as TrackedSocket | null)?.[CLOSING]) return;
    const gate = this.faultGate;
    if (this.isHealthProbe(req.method, req.url)) {
      if (gate === undefined) this.#answerHealth(res);
      else {
        gate.admitProbe(req, res, this.#sender(req.socket as TrackedSocket) ?? undefined, () => this.#answerHealth(res));
      }
      return;
    }
    const h2 = req.httpVersionMajor === 2 && isHttp2Request(req);
    // Before the event: an absolute-form target is origin-form from here on, for the event and every stage.
    const outcome = this.#rules!.check(req) ?? refusal;
    const exchange = this.#enter(req, res, h2);
    if (outcome !== undefined) return this.#answerAtEdge(exchange, outcome, h2);
    if (this.#rules!.forwards) exchange.trustedHop = this.#isTrustedHop(req.socket as TrackedSocket);
    const proceed = h2 ? this.#proceedAfterRead : this.#proceed;
    if (gate === undefined) proceed(exchange);
    else gate.admit(exchange, this.#sender(req.socket as TrackedSocket) ?? undefined, proceed);
  }

  /**
   * A request enters the envelope: its exchange, its `request.received` event now and its
   * `request.completed` event when its answer closes.
   */
  #enter(req: IncomingMessage, res: ServerResponse, h2: boolean): Exchange {
    const rid = requestIdOf(req.headers);
    const exchange = new Exchange(rid, req, res);
    (res as ExchangeResponse)[EXCHANGE] = exchange;
    if (h2) this.#h2Answers.add(res as unknown as Http2Answer);
    this.#announce(req, rid, h2);
    const { bus } = this.ctx;
    // 'close' fires once per response; `on` spares the wrapper `once` would allocate per request.
    res.on('close', () => {
      // First, so the event can tell what the request gave back (a concurrency slot).
      exchange.responseClosed();
      if (h2) this.#h2Answers.delete(res as unknown as Http2Answer);
      const finished = res.writableFinished;
      if (!finished && exchange.error === undefined) exchange.error = 'EDGE_CLIENT_ABORTED';
      const event: Omit<EventOf<'request.completed'>, 'seq' | 'ts'> = {
        type: 'request.completed',
        rid,
        node: this.id,
        // The status line that went out; none did (a client that left, an injected reset, an answer cut
        // between writeHead and its first byte): the status the node's own error stands for (499, 444, 502).
        status:
          finished || (h2 ? res.headersSent : (res as SentResponse)._headerSent)
            ? res.statusCode
            : EDGE_ERRORS[exchange.error ?? 'EDGE_CLIENT_ABORTED'].status,
        durationMs: performance.now() - exchange.startedAt,
      };
      if (exchange.error) event.error = exchange.error;
      if (exchange.upstream) event.upstream = exchange.upstream;
      if (exchange.decision) event.decision = exchange.decision;
      if (exchange.steps.length > 0) event.stages = exchange.steps;
      if (exchange.consumer) event.consumer = exchange.consumer.name;
      if (exchange.cache) event.cache = exchange.cache;
      if (exchange.partial) event.partial = exchange.partial;
      const coder = exchange.bodyCoder;
      if (coder) event.compression = { coding: coder.coding, bytesIn: coder.bytesIn, bytesOut: coder.bytesOut };
      bus.emit(event);
      exchange.upstreamTry?.clientClosed();
      // A node that stopped listening lets its connections go as their last answer ends, so a graceful
      // stop is over when its requests are, not when idle keep-alive connections time out.
      // (The socket is gone, null, when the response closed because the connection did.) An HTTP/2
      // session was told to go away at the stop, and closes when its last stream does.
      if (this.#server === undefined && !h2) (req.socket as Socket | null)?.end();
    });
    return exchange;
  }

  /** The `request.received` event of a request entering the envelope (or refused before it could: its parts as read). */
  #announce(req: Pick<IncomingMessage, 'socket' | 'method' | 'url'>, rid: string, h2: boolean): void {
    const { bus, l4Links } = this.ctx;
    const received: Omit<EventOf<'request.received'>, 'seq' | 'ts'> = {
      type: 'request.received',
      rid,
      node: this.id,
      from: this.#sender(req.socket as TrackedSocket) ?? 'client',
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      peer: req.socket.remoteAddress ?? '',
    };
    if (this.#secure) {
      received.protocol = h2 ? 'h2' : 'http/1.1';
      received.tls = true;
    }
    const link = l4Links.size === 0 ? undefined : l4Links.find(req.socket);
    if (link !== undefined) {
      link.requests++;
      received.via = { node: link.node, connection: link.connection };
    }
    bus.emit(received);
  }

  /**
   * An HTTP/2 request's stages start once the read it came in is taken whole: a stream its client reset
   * in that same read (a rapid reset, CVE-2023-44487) has ended as aborted by then and goes nowhere.
   * Started at once, a thousand such streams opened a thousand upstream connections.
   */
  readonly #proceedAfterRead = (exchange: Exchange): void => {
    setImmediate(this.#proceedUnlessGone, exchange);
  };

  readonly #proceedUnlessGone = (exchange: Exchange): void => {
    if (!exchange.res.destroyed) this.handle(exchange);
  };

  #answerHealth(res: ServerResponse): void {
    const health = this.healthReport();
    const body = JSON.stringify(health.body);
    res.writeHead(health.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /**
   * A request the edge rules answer themselves: OPTIONS, TRACE, or a refusal (405 with Allow; the
   * malformed ones close an HTTP/1.1 connection, while over HTTP/2 only their stream ends: the others on
   * the session are framed apart and stand).
   */
  #answerAtEdge(exchange: Exchange, outcome: Exclude<EdgeOutcome, undefined>, h2: boolean): void {
    if (outcome === 'options') return exchange.answerOptions();
    if (outcome === 'trace') return exchange.answerTrace();
    const closes = outcome !== 'EDGE_METHOD_NOT_ALLOWED' && outcome !== 'EDGE_LOOP_DETECTED' && !h2;
    if (closes) (exchange.req.socket as TrackedSocket)[CLOSING] = true;
    exchange.fail(outcome, outcome === 'EDGE_METHOD_NOT_ALLOWED' ? ALLOW : closes ? CLOSE : undefined);
  }

  /** The node that sent the requests on this connection, or null (a client's): looked up on its first request, then kept on the socket. */
  #sender(socket: TrackedSocket): string | null {
    let sender = socket[SENDER];
    if (sender === undefined) sender = socket[SENDER] = senderOf(socket) ?? null;
    return sender;
  }

  /** Whether the connection comes from an engine node or a trusted proxy: looked up on its first request, then kept on the socket. */
  #isTrustedHop(socket: TrackedSocket): boolean {
    let trusted = socket[TRUSTED_HOP];
    if (trusted === undefined) trusted = socket[TRUSTED_HOP] = this.#sender(socket) !== null || this.trustsPeer(socket.remoteAddress ?? '');
    return trusted;
  }

  /**
   * A request Node's parser refused or timed out. When it is the request being answered (its body came
   * too slowly or was malformed) and nothing of the answer went out, it is answered through its
   * exchange, so its events carry the status sent. Otherwise a raw answer with our code when the
   * socket still can take one; the node keeps serving others.
   */
  #onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code = clientErrorCode(error, requestLineOpen(socket as Socket));
    const inFlight = (socket as TrackedSocket)._httpMessage;
    if (inFlight) {
      // Already answered (the edge rules refused it before its body failed to parse): let that answer out, then close.
      if (inFlight.writableEnded) {
        socket.end();
        return;
      }
      const exchange = (inFlight as ExchangeResponse)[EXCHANGE];
      if (exchange !== undefined && !inFlight.headersSent && !exchange.req.complete) return exchange.fail(code, CLOSE);
      if (exchange !== undefined && exchange.req.complete) {
        // The error is in a later pipelined request: the one in flight gets its answer first, then the
        // refusal, in order, and the connection closes (as nginx answers a pipeline that goes bad).
        inFlight.once('finish', () => this.#refuseMalformed(socket, code, error));
        inFlight.once('close', () => {
          if (!inFlight.writableFinished) socket.destroy();
        });
        return;
      }
      // The answer started while its own body failed to parse: nothing more can be said in order.
      socket.destroy();
      return;
    }
    // Nothing at all arrived before the headers timeout (an idle preconnection): close without a word, as nginx does.
    if (code === 'EDGE_REQUEST_TIMEOUT' && (socket as Socket).bytesRead === 0) {
      socket.destroy();
      return;
    }
    this.#refuseMalformed(socket, code, error);
  }

  /**
   * The raw answer to a request the parser refused, with the events of any request the edge refuses
   * (`request.received` with what its request line shows, `request.completed` with the code), so the page
   * draws its bounce and the metrics count it, as nginx logs and counts its 400s; and an `engine.error`
   * with the parser's own reason.
   */
  #refuseMalformed(socket: Duplex, code: EdgeErrorCode, error: NodeJS.ErrnoException & { rawPacket?: Buffer }): void {
    if (!socket.writable) return void socket.destroy();
    const { status } = EDGE_ERRORS[code];
    const { method, target } = refusedRequestLine(error, (socket as Socket).bytesRead === error.rawPacket?.length);
    this.#refuseRaw(
      socket,
      { socket: socket as Socket, method, url: target },
      requestIdOf({}),
      code,
      code === 'EDGE_BAD_REQUEST' ? `malformed HTTP request (${error.code ?? 'parse error'})` : EDGE_ERRORS[code].message,
    );
    this.ctx.bus.emit({
      type: 'engine.error',
      node: this.id,
      message: `malformed request rejected with ${status}: ${error.code ?? error.message}`,
    });
  }

  /**
   * CONNECT asks for a tunnel, which no node opens: 405 with Allow, as nginx answers it, rather than
   * 501 (the method is understood, the nodes just never take it). Without this answer Node would
   * drop the connection without a word. Its events are any edge refusal's, so the page draws its
   * bounce and the metrics count it. An HTTP/2 CONNECT is one stream: answered on it, through the
   * envelope. An HTTP/1.1 one comes with its bare socket (Node's parser has let go of it): answered
   * raw, and the connection closes, as nginx closes it.
   */
  #refuseConnect(req: IncomingMessage, socket: Duplex | ServerResponse): void {
    const code = 'EDGE_METHOD_NOT_ALLOWED';
    if ('writeHead' in socket) return this.#answerAtEdge(this.#enter(req, socket, true), code, true);
    this.#refuseRaw(socket, req, requestIdOf(req.headers), code, EDGE_ERRORS[code].message, `allow: ${ALLOWED_METHODS}\r\n`);
  }

  /**
   * A request answered on its bare socket (it has no response object): the events of any request the
   * edge refuses, around an answer that closes the connection.
   */
  #refuseRaw(
    socket: Duplex,
    req: Pick<IncomingMessage, 'socket' | 'method' | 'url'>,
    rid: string,
    code: EdgeErrorCode,
    message: string,
    extraHeaders = '',
  ): void {
    const startedAt = performance.now();
    this.#announce(req, rid, false);
    socket.end(rawEdgeAnswer(code, message, `${extraHeaders}${REQUEST_ID_HEADER}: ${rid}\r\n`));
    const linger = setTimeout(() => socket.destroy(), this.lingerMs).unref();
    socket.once('close', () => clearTimeout(linger));
    const { status } = EDGE_ERRORS[code];
    this.ctx.bus.emit({ type: 'request.completed', rid, node: this.id, status, durationMs: performance.now() - startedAt, error: code });
  }
}

/** An edge error as a whole HTTP/1.1 response that closes the connection, for a socket that has no response object. */
export function rawEdgeAnswer(code: EdgeErrorCode, message: string, extraHeaders = ''): string {
  const { status } = EDGE_ERRORS[code];
  const body = JSON.stringify({ error: code, message });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n${ERROR_HEADER}: ${code}\r\n${extraHeaders}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

type ExchangeResponse = ServerResponse & { [EXCHANGE]?: Exchange };
type Http2Answer = Http2ServerResponse & Watched & { [EXCHANGE]?: Exchange; [BYTES_HANDED]?: number };

/**
 * Whether an HTTP/2 client has sent its whole request: its side of the stream is closed (END_STREAM came).
 * Not the request's `complete`, which waits for its body to be read, and a GET's is never read.
 */
function sentWhole(res: Http2Answer): boolean {
  return res.stream.destroyed || res.stream.state.remoteClose === 1;
}

/**
 * An HTTP/2 request whose body has not all come within the request timeout: 408, as Node's
 * `requestTimeout` answers one over HTTP/1.1, then its stream is reset (NO_ERROR: an answer that came
 * before the whole request, RFC 9113 section 8.1), not its connection, which may carry other streams.
 * An answer already started is cut. The send timeout's sweep looks for them: HTTP/2 has no parser timer.
 */
function timeOutRequest(res: Http2Answer): void {
  res[EXCHANGE]?.fail('EDGE_REQUEST_TIMEOUT');
  // Node sends what the answer has in its window before the RST_STREAM.
  res.stream.close(http2.NGHTTP2_NO_ERROR);
}

/** The request being answered ends with EDGE_SEND_TIMEOUT, unless it ended with an error already. */
function markSendTimeout(res: ExchangeResponse | Http2Answer): void {
  const exchange = res[EXCHANGE];
  if (exchange !== undefined && exchange.error === undefined) exchange.error = 'EDGE_SEND_TIMEOUT';
}
/** A request body's `read`, called by every reader whenever it wants more (the first call: the body is wanted). */
type BodyRead = IncomingMessage & { read(size?: number): unknown };
/** `headersSent` turns true at writeHead; Node's own `_headerSent` only once the status line was written to the socket. */
type SentResponse = ServerResponse & { _headerSent: boolean };
type TrackedSocket = Socket &
  Watched & {
    [TRUSTED_HOP]?: boolean;
    [SENDER]?: string | null;
    [CLOSING]?: true;
    [TLS_SOCKET]?: TrackedSocket;
    _httpMessage?: ExchangeResponse | null;
  };
/** A TLS socket a listener accepted, over its TCP connection (Node's own field). */
type WrappingSocket = TLSSocket & { _parent?: TrackedSocket | null };

/** The trusted peers a node's config names (a balancer's `trustedProxies`), as a test. */
