/**
 * The connections this process's engine nodes opened themselves (their upstream pools, their l4
 * relays), found by their addresses and ports. A node that receives a request can then tell a hop of
 * the engine from a client without trusting anything the client writes (`x-edgelab-from` can be
 * forged; a connection's 4-tuple cannot be taken while the engine holds it), and keeps the
 * X-Forwarded-Proto and X-Forwarded-Host another node set, as it overwrites a client's.
 *
 * An l4 relay copies its client's bytes unchanged, so its connection carries engine requests only when
 * its own client was an engine connection. One registry for the process, not per engine: a connection
 * from another engine in the same process is the same code. A node looks a connection up once and
 * keeps the answer on the socket (node-server.ts).
 */
import type { Socket } from 'node:net';

const connections = new Map<string, { fromEngine: boolean }>();

/** Remember an outgoing connection until it closes; `fromEngine`: whether the requests on it were written by a node. */
export function registerEngineConnection(socket: Socket, fromEngine = true): void {
  const key = connectionKey(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort);
  const entry = { fromEngine };
  connections.set(key, entry);
  socket.once('close', () => {
    if (connections.get(key) === entry) connections.delete(key);
  });
}

/** Whether a connection a node accepted is one an engine node opened with requests it wrote. */
export function isEngineConnection(received: Socket): boolean {
  if (connections.size === 0) return false;
  return (
    connections.get(connectionKey(received.remoteAddress, received.remotePort, received.localAddress, received.localPort))?.fromEngine ===
    true
  );
}

function connectionKey(from: string | undefined, fromPort: number | undefined, to: string | undefined, toPort: number | undefined): string {
  return `${from}:${fromPort}>${to}:${toPort}`;
}
