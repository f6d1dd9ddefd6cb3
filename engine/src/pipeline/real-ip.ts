/**
 * The client address behind trusted proxies, as nginx's realip module does with
 * `real_ip_header X-Forwarded-For; real_ip_recursive on;`: when the socket peer is trusted, walk the
 * X-Forwarded-For list from the right, skipping trusted addresses; the first untrusted one is the
 * client. An untrusted peer is the client, whatever the header claims (it could be forged).
 */
import { BlockList, isIP } from 'node:net';
import type { Exchange } from './exchange.ts';

export type ClientAddressReader = (peer: string, forwardedFor: string | string[] | undefined) => string;

/** `trusted`: addresses or CIDR blocks (`127.0.0.1`, `10.0.0.0/8`, `::1`). Throws on a malformed entry. */
export function clientAddressReader(trusted: readonly string[]): ClientAddressReader {
  if (trusted.length === 0) return (peer) => peer;
  const isTrusted = peerTrust(trusted);
  return (peer, forwardedFor) => {
    if (!isTrusted(peer) || forwardedFor === undefined) return peer;
    const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let client = peer;
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = chain[i].trim();
      if (isIP(address) === 0) break;
      client = address;
      if (!isTrusted(address)) break;
    }
    return client;
  };
}

/** Whether an address is one of `trusted` (addresses or CIDR blocks); never true for an empty list. */
export function peerTrust(trusted: readonly string[]): (address: string) => boolean {
  if (trusted.length === 0) return never;
  // A BlockList check builds a SocketAddress (~4 µs): single IPv4 addresses, the common entries, are a
  // set lookup instead (a socket's IPv4 address is always in this one dotted form).
  const exact = new Set(trusted.filter((entry) => isIP(entry) === 4));
  const ranges = trusted.filter((entry) => !exact.has(entry));
  if (ranges.length === 0) return (address) => exact.has(address);
  const list = trustList(ranges);
  return (address) => {
    if (exact.has(address)) return true;
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

function never(): boolean {
  return false;
}

export function isTrustEntry(entry: string): boolean {
  try {
    trustList([entry]);
    return true;
  } catch {
    return false;
  }
}

function trustList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw new Error(`"${entry}": expected an IP address or a CIDR block`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) throw new Error(`"${entry}": bad prefix length /${bits}`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** `::ffff:127.0.0.1` is the IPv4 client `127.0.0.1`, as nginx's `$remote_addr` prints it. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Engine nodes forward from 127.0.0.1 and append the client to X-Forwarded-For: behind one, that is the client. */
const behindEngineHop = clientAddressReader(['127.0.0.1']);

/**
 * The client a request came from, as a filter or a limit keyed by address sees it: the peer, or, when
 * the request came through another node of the engine, the client that node names.
 */
export function clientOf(exchange: Exchange<unknown>): string {
  const { req } = exchange;
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  return exchange.trustedHop ? behindEngineHop(peer, req.headers['x-forwarded-for']) : peer;
}
