/**
 * The connections l4 balancers have open to their targets, found by socket pair. An l4 balancer only
 * relays bytes, so it can never say which requests rode a connection; the node that receives them can,
 * by looking up its socket here, and names the balancer hop in its `request.received` (`via`). That is
 * the lab watching the wire, not the balancer learning anything: its decisions stay per connection.
 *
 * Everything is on 127.0.0.1, so a connection is told apart by its two ports: the balancer's local
 * port (the target's remote port) and the target's port. Lookups cost nothing while no l4 balancer
 * has a connection open.
 */
import type { Socket } from 'node:net';

export interface L4Link {
  node: string;
  connection: string;
  /** Requests the target has received on this connection. */
  requests: number;
}

export class L4Links {
  readonly #byPorts = new Map<number, L4Link>();

  get size(): number {
    return this.#byPorts.size;
  }

  /** Register a balancer's upstream socket once it is connected; returns the removal (a closed socket forgets its ports). */
  add(upstream: Socket, link: L4Link): () => void {
    const key = pairKey(upstream.localPort, upstream.remotePort);
    this.#byPorts.set(key, link);
    return () => {
      if (this.#byPorts.get(key) === link) this.#byPorts.delete(key);
    };
  }

  /** The link a receiving node's socket belongs to: its remote port is the balancer's local port. */
  find(received: Socket): L4Link | undefined {
    return this.#byPorts.get(pairKey(received.remotePort, received.localPort));
  }
}

function pairKey(balancerPort: number | undefined, targetPort: number | undefined): number {
  return (balancerPort ?? 0) * 65_536 + (targetPort ?? 0);
}
