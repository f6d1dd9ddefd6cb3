/**
 * What every node shares: a real HTTP listener on 127.0.0.1, its lifecycle (start, stop as a crash or
 * gracefully, start again on the same port), and the request envelope: the request id, the
 * `request.received` / `request.completed` events, and the status and error code sent back.
 * Node kinds only say what happens to a request in between (`handle`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventBus } from '../bus.ts';
import type { NodeConfigParsed, NodeKind } from '../config/schema.ts';
import { EDGE_ERRORS, ERROR_HEADER, type EdgeErrorCode } from '../errors.ts';
import type { Decision, EventOf, NodeState } from '../events.ts';
import { FROM_HEADER, REQUEST_ID_HEADER, requestIdOf } from '../proxy/headers.ts';
import type { FaultGate } from '../faults/gate.ts';
import type { L4Links } from './l4-links.ts';

export const LISTEN_HOST = '127.0.0.1';

export interface NodeContext {
  bus: EventBus;
  /** The origin (`http://127.0.0.1:PORT`) of a node id or URL upstream, or undefined when it has no port. */
  resolve(upstream: string): string | undefined;
  /** Uniform random numbers in [0, 1); injected so runs and tests can be seeded. */
  rng(): number;
  /** The connections l4 balancers have open, so a node can tell which one a request rode. */
  l4Links: L4Links;
}

/** One request at one node, from arrival to the last byte sent back (or the client leaving). */
export class Exchange {
  readonly startedAt = performance.now();
  error: EdgeErrorCode | undefined;
  upstream: string | undefined;
  /** Set when a stage answered by itself, so the completion event says why. */
  decision: Decision | undefined;
  /** The upstream try in flight (proxy/forwarder.ts), told when the client leaves before the answer ends. */
  upstreamTry: { clientClosed(): void } | undefined;
  constructor(
    readonly rid: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}

  /** Answer with an edge error: its status, the code in a header, a small JSON body. */
  fail(code: EdgeErrorCode, extraHeaders?: Record<string, string>): void {
    this.error = code;
    const { res } = this;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, message } = EDGE_ERRORS[code];
    const body = JSON.stringify({ error: code, message, requestId: this.rid });
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      [ERROR_HEADER]: code,
      [REQUEST_ID_HEADER]: this.rid,
      ...extraHeaders,
    });
    res.end(body);
  }
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

  /** Requests answered outside the envelope (no events, no counts), such as a health probe. */
  protected isHealthProbe(_method: string | undefined, _url: string | undefined): boolean {
    return false;
  }

  /** The answer to a health probe: 200 and `up`, unless a kind knows better (a saturated service answers 503). */
  protected healthReport(): { status: number; body: Record<string, unknown> } {
    return { status: 200, body: { node: this.id, status: 'up' } };
  }

  /** The listener: an HTTP server running the request envelope. An l4 balancer relays connections instead. */
  protected createListener(): Server {
    const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 60_000 }, (req, res) => this.#onRequest(req, res));
    server.on('clientError', (error, socket) => this.#onClientError(error, socket));
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
    const server = this.createListener();
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // A retry after a failure stays `failed` until it succeeds: no flicker of `starting` events.
    if (this.state !== 'failed') this.#setState('starting');
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
    this.#setState('up');
  }

  /**
   * Stop listening. `crash` also cuts every open connection, as a killed process would: requests in
   * flight see a reset and new connections are refused. Otherwise in-flight requests finish first.
   */
  async stop(mode: 'crash' | 'graceful' = 'graceful', reason?: string): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (mode === 'crash') this.cutConnections();
    else this.closeIdleConnections(server);
    this.#setState('stopped', reason);
    await closed;
  }

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

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const gate = this.faultGate;
    if (this.isHealthProbe(req.method, req.url)) {
      if (gate === undefined) this.#answerHealth(res);
      else {
        const from = req.headers[FROM_HEADER];
        gate.admitProbe(req, res, typeof from === 'string' ? from : undefined, () => this.#answerHealth(res));
      }
      return;
    }
    const rid = requestIdOf(req.headers);
    const from = req.headers[FROM_HEADER];
    const exchange = new Exchange(rid, req, res);
    const { bus, l4Links } = this.ctx;
    const received: Omit<EventOf<'request.received'>, 'seq' | 'ts'> = {
      type: 'request.received',
      rid,
      node: this.id,
      from: typeof from === 'string' ? from : 'client',
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      peer: req.socket.remoteAddress ?? '',
    };
    const link = l4Links.size === 0 ? undefined : l4Links.find(req.socket);
    if (link !== undefined) {
      link.requests++;
      received.via = { node: link.node, connection: link.connection };
    }
    bus.emit(received);
    // 'close' fires once per response; `on` spares the wrapper `once` would allocate per request.
    res.on('close', () => {
      const finished = res.writableFinished;
      if (!finished && exchange.error === undefined) exchange.error = 'EDGE_CLIENT_ABORTED';
      const event: Omit<EventOf<'request.completed'>, 'seq' | 'ts'> = {
        type: 'request.completed',
        rid,
        node: this.id,
        // Not answered: the status the node's own error stands for (499 a client that left, 444 an injected reset).
        status: finished || res.headersSent ? res.statusCode : EDGE_ERRORS[exchange.error ?? 'EDGE_CLIENT_ABORTED'].status,
        durationMs: performance.now() - exchange.startedAt,
      };
      if (exchange.error) event.error = exchange.error;
      if (exchange.upstream) event.upstream = exchange.upstream;
      if (exchange.decision) event.decision = exchange.decision;
      bus.emit(event);
      exchange.upstreamTry?.clientClosed();
    });
    if (gate === undefined) this.handle(exchange);
    else gate.admit(exchange, typeof from === 'string' ? from : undefined, this.#proceed);
  }

  #answerHealth(res: ServerResponse): void {
    const health = this.healthReport();
    const body = JSON.stringify(health.body);
    res.writeHead(health.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Malformed HTTP: answer 400 with our code when the socket still can, and keep serving others. */
  #onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: 'EDGE_BAD_REQUEST', message: `malformed HTTP request (${error.code ?? 'parse error'})` });
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(
      `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json\r\n${ERROR_HEADER}: EDGE_BAD_REQUEST\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    this.ctx.bus.emit({
      type: 'engine.error',
      node: this.id,
      message: `malformed request rejected with 400: ${error.code ?? error.message}`,
    });
  }
}
