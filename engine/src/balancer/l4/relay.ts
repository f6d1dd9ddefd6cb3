/**
 * One connection through an l4 balancer: dial the picked target, then copy bytes both ways until
 * either side closes, as HAProxy's `mode tcp` does. Nothing is parsed: the relay never knows where a
 * request starts. A connect that is refused or times out cuts the client's connection with a TCP reset
 * (there is no HTTP to answer with), so an HTTP client in front sees `EDGE_UPSTREAM_RESET`.
 */
import { connect, type Socket } from 'node:net';
import type { EdgeErrorCode } from '../../errors.ts';
import { registerEngineConnection, senderOf } from '../../pipeline/engine-connections.ts';
import { upstreamErrorCode } from '../../pipeline/failures.ts';

export interface RelayOutcome {
  /** Set when the connection ended badly: the connect failed, or a side was reset. */
  error: EdgeErrorCode | undefined;
  /** The target was reached. */
  connected: boolean;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
}

export interface RelayHooks {
  /** The target accepted: bytes flow from now on. */
  connected(upstream: Socket): void;
  /** Both sides are closed; called once. */
  closed(outcome: RelayOutcome): void;
}

export function relay(client: Socket, target: { host: string; port: number }, connectTimeoutMs: number, hooks: RelayHooks): void {
  const startedAt = performance.now();
  const upstream = connect({ host: target.host, port: target.port });
  let connected = false;
  let error: EdgeErrorCode | undefined;
  let open = 2;

  const timer = setTimeout(() => {
    error = 'EDGE_UPSTREAM_CONNECT_TIMEOUT';
    upstream.destroy();
  }, connectTimeoutMs);

  upstream.once('connect', () => {
    clearTimeout(timer);
    connected = true;
    // The bytes are the client's own: they are a node's requests only when the client is that node's connection.
    registerEngineConnection(upstream, senderOf(client));
    hooks.connected(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', (failure) => {
    error ??= connected ? 'EDGE_UPSTREAM_RESET' : upstreamErrorCode(failure);
  });
  // A client that goes away takes the target connection with it, and the other way round; before
  // the target answered the connect, the client gets a reset: nothing can be relayed.
  client.on('error', () => upstream.destroy());
  const closed = () => {
    if (--open > 0) return;
    hooks.closed({
      error,
      connected,
      bytesUp: upstream.bytesWritten,
      bytesDown: client.bytesWritten,
      durationMs: performance.now() - startedAt,
    });
  };
  client.once('close', () => {
    upstream.destroy();
    closed();
  });
  upstream.once('close', () => {
    clearTimeout(timer);
    if (!connected && !client.destroyed) client.resetAndDestroy();
    else client.end();
    closed();
  });
}
