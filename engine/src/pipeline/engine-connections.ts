/**
 * The connections this process's engine nodes opened themselves (their upstream pools, their l4
 * relays, a balancer's health probes), found by their addresses and ports, with the node that writes
 * the requests on each. A node that receives a request can then tell a hop of the engine from a client,
 * and which node sent it (the event's `from`, the edge a fault on `a->b` acts on), without trusting
 * anything the client writes and without a field of our own on every hop: a header can be forged, a
 * connection's 4-tuple cannot be taken while the engine holds it. It keeps the X-Forwarded-Proto and
 * X-Forwarded-Host another node set, as it overwrites a client's.
 *
 * An l4 relay copies its client's bytes unchanged, so its connection carries the requests of whoever
 * its own client was: a node's (that node is the sender), or a client's. One registry for the
 * process, not per engine: a connection from another engine in the same process is the same code. A
 * node looks a connection up once and keeps the answer on the socket (node-server.ts).
 */
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

const connections = new Map<string, { sender: string | undefined }>();

/**
 * Remember an outgoing connection until it closes; `sender`: the node whose requests it carries, or
 * undefined when they are a client's (an l4 relay's client that is no node).
 */
export function registerEngineConnection(socket: Socket, sender: string | undefined): void {
  const key = connectionKey(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort);
  const entry = { sender };
  connections.set(key, entry);
  socket.once('close', () => {
    if (connections.get(key) === entry) connections.delete(key);
  });
}

/** The node whose requests a connection a node accepted carries, or undefined: a client's. */
export function senderOf(received: Socket): string | undefined {
  if (connections.size === 0) return undefined;
  return connections.get(connectionKey(received.remoteAddress, received.remotePort, received.localAddress, received.localPort))?.sender;
}

/** Whether a connection a node accepted is one an engine node opened with requests it wrote. */
export function isEngineConnection(received: Socket): boolean {
  return senderOf(received) !== undefined;
}

function connectionKey(from: string | undefined, fromPort: number | undefined, to: string | undefined, toPort: number | undefined): string {
  return `${from}:${fromPort}>${to}:${toPort}`;
}

/** `connect`, registering each connection it opens as `sender`'s before anything is written on it. */
export function registeringConnector(connect: buildConnector.connector, sender: string): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...outcome) => {
      if (outcome[1]) registerEngineConnection(outcome[1] as Socket, sender);
      callback(...outcome);
    });
}
