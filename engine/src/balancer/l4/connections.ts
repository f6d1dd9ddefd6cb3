/**
 * An l4 balancer's connections (HAProxy's `mode tcp`): one pick per connection, through the same
 * target set, picker and health as l7, then bytes relayed both ways (relay.ts). It never sees a
 * request, so every request on a connection goes where the connection went; in-flight counts are
 * open connections, which is what least-connections balances at layer 4.
 */
import type { Socket } from 'node:net';
import type { NodeContext } from '../../nodes/node-server.ts';
import type { L4Link } from '../../nodes/l4-links.ts';
import { KEYED_PICKERS } from '../pickers/index.ts';
import type { PickContext } from '../picker.ts';
import { plainAddress } from '../../pipeline/real-ip.ts';
import type { TargetSet } from '../target-set.ts';
import { relay } from './relay.ts';

/** One open connection of an l4 balancer, as the inspector lists it. */
export interface L4ConnectionView {
  id: string;
  /** The client's `address:port`. */
  peer: string;
  to: string;
  /** How long it has been open, in ms. */
  ageMs: number;
  /** Requests the target has received on it so far. */
  requests: number;
  /** The one decision this connection made, when it opened. */
  reason: string;
}

interface L4Connection {
  peer: string;
  to: string;
  openedAt: number;
  link: L4Link;
  reason: string;
  client: Socket;
}

/** How long a gracefully stopping l4 balancer lets open connections run before it cuts them (it cannot tell idle from busy). */
const L4_STOP_GRACE_MS = 1_000;

export class L4Connections {
  /** The open connections by id, and how many were ever opened. */
  readonly #open = new Map<string, L4Connection>();
  #opened = 0;
  readonly #pick: PickContext;

  constructor(
    readonly node: string,
    readonly ctx: NodeContext,
    readonly targets: TargetSet,
  ) {
    this.#pick = { now: () => performance.now(), rng: ctx.rng, key: undefined };
  }

  /** One pick for the connection's whole life, then relay bytes to the target until either side closes. */
  accept(client: Socket, algorithm: string, connectTimeoutMs: number): void {
    const id = `c${++this.#opened}`;
    const address = plainAddress(client.remoteAddress ?? '');
    const peer = `${address}:${client.remotePort ?? 0}`;
    const { bus } = this.ctx;
    const hashing = algorithm === 'ip-hash' || KEYED_PICKERS.includes(algorithm as (typeof KEYED_PICKERS)[number]);
    this.#pick.key = hashing ? address : undefined;
    const choice = this.targets.choose(this.#pick, []);
    const origin = choice.target === null ? undefined : this.ctx.resolve(choice.target.id);
    if (choice.target === null || origin === undefined) {
      let { decision } = choice;
      if (choice.target !== null) {
        // Picked, but the node has no address yet: nothing to connect to.
        this.targets.settle(choice.target, choice.trial, { status: undefined, error: 'EDGE_NO_TARGET', durationMs: 0 }, this.#pick);
        decision = { ...decision, reason: `${decision.reason}; ${choice.target.id} has no address (not listening)` };
      }
      bus.emit({ type: 'connection.opened', node: this.node, connection: id, peer, decision });
      client.resetAndDestroy();
      bus.emit({
        type: 'connection.closed',
        node: this.node,
        connection: id,
        durationMs: 0,
        bytesUp: 0,
        bytesDown: 0,
        requests: 0,
        error: 'EDGE_NO_TARGET',
      });
      return;
    }
    const { target, trial, decision } = choice;
    bus.emit({ type: 'connection.opened', node: this.node, connection: id, peer, to: target.id, decision });
    const connection: L4Connection = {
      peer,
      to: target.id,
      openedAt: performance.now(),
      link: { node: this.node, connection: id, requests: 0 },
      reason: decision.reason,
      client,
    };
    this.#open.set(id, connection);
    let unlink: (() => void) | undefined;
    relay(client, socketAddressOf(origin), connectTimeoutMs, {
      connected: (upstream) => {
        unlink = this.ctx.l4Links.add(upstream, connection.link);
      },
      closed: (outcome) => {
        unlink?.();
        this.#open.delete(id);
        this.targets.settle(target, trial, { status: undefined, error: outcome.error, durationMs: outcome.durationMs }, this.#pick);
        bus.emit({
          type: 'connection.closed',
          node: this.node,
          connection: id,
          to: target.id,
          durationMs: outcome.durationMs,
          bytesUp: outcome.bytesUp,
          bytesDown: outcome.bytesDown,
          requests: connection.link.requests,
          ...(outcome.error ? { error: outcome.error } : {}),
        });
      },
    });
  }

  /** A graceful stop: idle and busy look the same at layer 4, so open connections get a grace period, then are cut (HAProxy's hard-stop-after). */
  closeAfterGrace(): void {
    const open = [...this.#open.values()].map((c) => c.client);
    if (open.length > 0) setTimeout(() => open.forEach((client) => client.destroy()), L4_STOP_GRACE_MS).unref();
  }

  /** The open connections, oldest first. */
  views(): L4ConnectionView[] {
    const now = performance.now();
    return [...this.#open.entries()].map(([id, c]) => ({
      id,
      peer: c.peer,
      to: c.to,
      ageMs: Math.round(now - c.openedAt),
      requests: c.link.requests,
      reason: c.reason,
    }));
  }
}

/**
 * Where an l4 relay connects for an origin: a URL leaves out its scheme's default port (`https://app`
 * is port 443) and brackets an IPv6 host, which a socket takes bare.
 */
export function socketAddressOf(origin: string): { host: string; port: number } {
  const { hostname, port, protocol } = new URL(origin);
  return { host: hostname.replace(/^\[|\]$/g, ''), port: port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port) };
}
