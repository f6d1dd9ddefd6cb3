/**
 * Sends one request to an upstream over a keep-alive undici pool and streams the response back,
 * applying the proxy header rules in both directions. Bodies stream both ways; nothing is buffered.
 * A failure before the response starts becomes a stable edge error (502, 504); after it started, the
 * downstream connection is cut, as nginx does, because the status line is already gone. A caller that
 * retries may take a failure back while nothing has reached the client yet (TryOptions.retry).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { EXCHANGE, type Exchange } from '../nodes/node-server.ts';
import { registerEngineConnection } from './engine-connections.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { upstreamErrorCode } from './failures.ts';
import { partitionableConnector, type PartitionMode } from '../faults/partition.ts';
import type { EdgeErrorCode } from '../errors.ts';

export interface Timeouts {
  connect: number;
  response: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 1_000, response: 10_000 };

/**
 * One keep-alive pool per upstream origin, owned by one node (each hop has its own connections). An
 * origin may be partitioned (a `partition` fault on this node's edge to it): its connections are cut
 * and new ones fail (faults/partition.ts) until it is healed.
 */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #partitions = new Map<string, PartitionMode>();
  #connectTimeout: number;

  constructor(connectTimeout: number) {
    this.#connectTimeout = connectTimeout;
  }

  /** A new connect timeout applies to pools opened from now on; open pools drain and are replaced. */
  setConnectTimeout(ms: number): void {
    if (ms === this.#connectTimeout) return;
    this.#connectTimeout = ms;
    const old = [...this.#pools.values()];
    this.#pools.clear();
    for (const pool of old) void pool.close().catch(() => {});
  }

  /**
   * Partition the edges to these origins (and heal the others): a newly partitioned origin's open
   * connections are cut now (requests on them fail as reset), and its new connections fail as `mode` says.
   * True when any edge changed.
   */
  setPartitions(partitions: ReadonlyMap<string, PartitionMode>): boolean {
    let changed = false;
    for (const [origin, mode] of partitions) {
      if (this.#partitions.get(origin) === mode) continue;
      changed = true;
      this.#partitions.set(origin, mode);
      const pool = this.#pools.get(origin);
      this.#pools.delete(origin);
      if (pool) void pool.destroy(Object.assign(new Error('connection cut by a partition'), { code: 'ECONNRESET' })).catch(() => {});
    }
    for (const origin of this.#partitions.keys()) {
      if (partitions.has(origin)) continue;
      changed = true;
      this.#partitions.delete(origin);
    }
    return changed;
  }

  /** The partition on the edge to `origin`, if any. */
  partitionOf(origin: string): PartitionMode | undefined {
    return this.#partitions.get(origin);
  }

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      const connect = partitionableConnector(this.#connectTimeout, () => this.#partitions.get(origin));
      pool = new Pool(origin, {
        // No cap, as nginx has none by default: a cap would queue requests out of sight.
        connections: null,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        // Each new connection is registered before undici writes on it, so the node it reaches knows a node sent it.
        connect: (options, callback) =>
          connect(options, (...outcome) => {
            if (outcome[1]) registerEngineConnection(outcome[1] as Socket);
            callback(...outcome);
          }),
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => {})));
  }
}

export interface ForwardResult {
  status: number | undefined;
  error: EdgeErrorCode | undefined;
}

/** How one try may differ from the hop's defaults. */
export interface TryOptions {
  /** Time to the response headers, instead of the hop's response timeout. */
  headersTimeout?: number;
  /**
   * Asked at most once, when the try failed (an error, or a 5xx status) while nothing has been sent
   * downstream yet. True means the caller will try again: nothing of this try reaches the client (a
   * 5xx body is read and dropped, keeping the connection), and `done` still reports the failure.
   */
  retry?: (failure: ForwardResult) => boolean;
}

export interface Hop {
  nodeId: string;
  /** This node's `127.0.0.1:PORT` as the `by=` of `Forwarded` (`"127.0.0.1:8080"`), formatted once. */
  forwardedBy: string;
  responseTimeout: number;
}

/**
 * Forward the exchange's request to `pool` at `path`, stream the answer back, and call `done` once
 * with the outcome. Uses undici's dispatcher directly (measured about 15% faster than `pool.stream`:
 * bench/README.md): headers and body chunks go from undici's parser straight into the response.
 */
export function forward(exchange: Exchange, pool: Pool, path: string, hop: Hop, done: (result: ForwardResult) => void, options?: TryOptions): void {
  const { req } = exchange;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const dispatchOptions: Dispatcher.DispatchOptions = {
    path,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req.headers, {
      nodeId: hop.nodeId,
      httpVersion: req.httpVersion,
      peer: req.socket.remoteAddress ?? '',
      forwardedBy: hop.forwardedBy,
      requestId: exchange.rid,
      trustedHop: exchange.trustedHop,
    }),
    body: hasBody ? req : null,
    headersTimeout: options?.headersTimeout ?? hop.responseTimeout,
    bodyTimeout: hop.responseTimeout,
  };
  pool.dispatch(dispatchOptions, new UpstreamExchange(exchange, hop.nodeId, done, options?.retry));
}

/** One request's conversation with its upstream, as undici's dispatch handler. */
class UpstreamExchange implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #status: number | undefined;
  #settled = false;
  /** A 5xx the caller took back to retry: its body is read and dropped, nothing goes downstream. */
  #heldBack = false;

  constructor(
    readonly exchange: Exchange,
    readonly nodeId: string,
    readonly done: (result: ForwardResult) => void,
    readonly retry?: (failure: ForwardResult) => boolean,
  ) {
    // The node's own 'close' listener tells the try in flight (no second listener per response);
    // the rare 'drain' listener finds it through the response's exchange.
    exchange.upstreamTry = this;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The client may have left while the request waited for a pooled connection.
    if (this.exchange.res.destroyed) controller.abort(new ClientAbort());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.#status = statusCode;
    if (statusCode >= 500 && this.retry?.({ status: statusCode, error: undefined })) {
      this.#heldBack = true;
      return;
    }
    this.exchange.res.writeHead(statusCode, downstreamResponseHeaders(headers, { nodeId: this.nodeId, requestId: this.exchange.rid }, statusCode));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#heldBack) return;
    if (!this.exchange.res.write(chunk)) {
      controller.pause();
      this.exchange.res.once('drain', onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.#heldBack) return this.#settle({ status: this.#status, error: undefined });
    this.exchange.res.end();
    this.#settle({ status: this.#status, error: undefined });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#heldBack) return this.#settle({ status: this.#status, error: undefined });
    const { exchange } = this;
    if ((this.#status === 304 || this.#status === 204) && (error as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      // undici refuses a 304 (or 204) that names a Content-Length, though RFC 9110 section 8.6 lets a
      // 304 name the length of the 200 it stands for: the message is complete, so the answer is too.
      exchange.res.end();
      return this.#settle({ status: this.#status, error: undefined });
    }
    const aborted = error instanceof ClientAbort || (exchange.res.destroyed && !exchange.res.writableFinished);
    const code = aborted ? 'EDGE_CLIENT_ABORTED' : upstreamErrorCode(error);
    if (!aborted && !exchange.res.headersSent && this.retry?.({ status: undefined, error: code })) {
      return this.#settle({ status: undefined, error: code });
    }
    // A response the node already ended (a request timeout answered while the body still came) keeps its error.
    if (aborted) {
      if (!exchange.res.writableEnded) exchange.error = code;
    } else exchange.fail(code);
    this.#settle({ status: exchange.res.headersSent ? this.#status : undefined, error: code });
  }

  #settle(result: ForwardResult): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.exchange.upstreamTry === this) this.exchange.upstreamTry = undefined;
    this.done(result);
  }

  /** The client left before the answer was complete: stop the upstream request too. */
  clientClosed(): void {
    if (!this.exchange.res.writableFinished) this.#controller?.abort(new ClientAbort());
  }

  /** The client caught up: let undici read on. */
  drained(): void {
    this.#controller?.resume();
  }
}

function onDrain(this: ServerResponse & { [EXCHANGE]?: Exchange }): void {
  this[EXCHANGE]?.upstreamTry?.drained();
}

/** Why we aborted an upstream request: our client went away. */
class ClientAbort extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientAbort';
  }
}
