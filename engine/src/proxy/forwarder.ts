/**
 * Sends one request to an upstream over a keep-alive undici pool and streams the response back,
 * applying the proxy header rules in both directions. Bodies stream both ways; nothing is buffered.
 * A failure before the response starts becomes a stable edge error (502, 504); after it started, the
 * downstream connection is cut, as nginx does, because the status line is already gone.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { Exchange } from '../nodes/node-server.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { upstreamErrorCode } from './failures.ts';
import type { EdgeErrorCode } from '../errors.ts';

export interface Timeouts {
  connect: number;
  response: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 1_000, response: 10_000 };

/** One keep-alive pool per upstream origin, owned by one node (each hop has its own connections). */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
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

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 256,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        connect: { timeout: this.#connectTimeout },
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

export function forward(
  exchange: Exchange,
  pool: Pool,
  path: string,
  hop: { nodeId: string; localAddress: string; responseTimeout: number },
): Promise<ForwardResult> {
  const { req, res, rid } = exchange;
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const options: Dispatcher.RequestOptions = {
    path,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req.headers, {
      nodeId: hop.nodeId,
      httpVersion: req.httpVersion,
      peer: req.socket.remoteAddress ?? '',
      localAddress: hop.localAddress,
      requestId: rid,
    }),
    body: hasBody ? req : null,
    signal: abort.signal,
    headersTimeout: hop.responseTimeout,
    bodyTimeout: hop.responseTimeout,
  };
  let status: number | undefined;
  return pool
    .stream(options, ({ statusCode, headers }) => {
      status = statusCode;
      res.writeHead(statusCode, downstreamResponseHeaders(headers, { nodeId: hop.nodeId, requestId: rid }));
      return res;
    })
    .then(
      (): ForwardResult => ({ status, error: undefined }),
      (error: unknown): ForwardResult => {
        const code = res.destroyed && !res.writableFinished ? 'EDGE_CLIENT_ABORTED' : upstreamErrorCode(error);
        if (code !== 'EDGE_CLIENT_ABORTED') exchange.fail(code);
        else exchange.error = code;
        return { status: res.headersSent ? status : undefined, error: code };
      },
    )
    .finally(() => res.off('close', onClose));
}
