/**
 * Proxy header rules, applied at every hop in both directions (RFC 9110 section 7.6, RFC 7239):
 * hop-by-hop fields go (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
 * Transfer-Encoding, Upgrade, and the credentials of this hop: Proxy-Authorization, Proxy-Authenticate,
 * Proxy-Authentication-Info, RFC 9110 section 11.7), Via gains this hop, X-Forwarded-For gains the
 * peer, X-Forwarded-Proto and X-Forwarded-Host are set from what this hop received unless the sender
 * is another engine node, and the request id is created once at the first node and propagated
 * unchanged after that.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

export const REQUEST_ID_HEADER = 'x-request-id';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-authentication-info',
]);
const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * A copy of `headers` without hop-by-hop fields or the fields `Connection` names (but Host: it carries
 * the target URI's authority, which every hop must send, RFC 9112 section 3.2), nor `skip` (one more
 * field to leave out, cheaper than `delete` afterwards, which turns the copy into a slow dictionary),
 * nor HTTP/2's pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`: the next hop speaks
 * HTTP/1.1, where they are the request line and Host, RFC 9113 section 8.3).
 */
export function endToEndHeaders(headers: IncomingHttpHeaders, skip?: string): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection as string | string[] | undefined);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === skip || HOP_BY_HOP.has(name) || (named !== undefined && named.has(name) && name !== 'host')) continue;
    if (name.charCodeAt(0) === 58 /* : */) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Set a field as an own property, even one named `__proto__` (a plain assignment would hand it to the
 * prototype setter, and the field would be lost).
 */
export function setField(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, configurable: true, writable: true });
  else target[name] = value;
}

/**
 * A field's value when the message carries it: an own property only, so that a name a config gives
 * (`constructor`, `__proto__`, `toString`: all valid field names) never reads Object.prototype (Node's
 * header objects have it), which made every request without that field fail (500) or match.
 */
export function ownField<V>(fields: Readonly<Record<string, V>>, name: string): V | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/**
 * A copy of a field object, to add fields to. Neither a spread (`{ ...headers }`: fields added to its
 * copy take V8's slow path, about 2.5 µs for a cached answer's few, measured on a cache HIT) nor
 * `Object.assign` (it would lose a field named `__proto__`, see setField).
 */
export function copyFields<T extends Record<string, unknown>>(headers: T): T {
  const out: Record<string, unknown> = {};
  for (const name in headers) if (Object.hasOwn(headers, name)) setField(out, name, headers[name]);
  return out as T;
}

/** What `Connection: keep-alive` names (nearly every hop sends it): a header already dropped anyway. */
const KEEP_ALIVE_ONLY: ReadonlySet<string> = new Set(['keep-alive']);

/** The field names `Connection` lists; it may come as several fields (a list, RFC 9110 section 5.3). */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (!value) return undefined;
  if (value === 'keep-alive' || value === 'Keep-Alive') return KEEP_ALIVE_ONLY;
  const tokens = new Set<string>();
  for (const token of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = token.trim().toLowerCase();
    if (name) tokens.add(name);
  }
  return tokens;
}

/** Whether a request carries a body: chunked, or a Content-Length other than 0. */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** An HTTP/2 request through Node's compatibility API: it has the stream it came on (an HTTP/1.1 `HTTP/2.0` request line has none). */
export function isHttp2Request(req: IncomingMessage): boolean {
  return (req as { stream?: unknown }).stream !== undefined;
}

/**
 * Whether an HTTP/2 request carries a body its headers may not announce: HTTP/2 frames the body
 * itself, so neither Content-Length nor Transfer-Encoding need be there (RFC 9113 section 8.1); a
 * stream that ended with its headers has none. False for every HTTP/1.x request (its headers tell).
 */
export function hasHttp2Body(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2 && (req as unknown as Partial<Http2ServerRequest>).stream?.endAfterHeaders === false;
}

/** The incoming request id when it is a sane token, else a new one. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const incoming = headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** `Via` with this hop appended: `1.1 edge` (RFC 9110 section 7.6.3; the node id is our pseudonym). */
export function appendVia(existing: string | string[] | undefined, httpVersion: string, nodeId: string): string {
  const hop = `${httpVersion} ${nodeId}`;
  if (existing === undefined || existing === '') return hop;
  return `${Array.isArray(existing) ? existing.join(', ') : existing}, ${hop}`;
}

/** Whether a TE field lists `trailers` (any case, RFC 9110 section 10.1.4). */
function acceptsTrailers(te: string | string[]): boolean {
  for (const member of (Array.isArray(te) ? te.join(',') : te).split(',')) if (member.split(';')[0]!.trim().toLowerCase() === 'trailers') return true;
  return false;
}

/** `X-Forwarded-For` with the peer appended to the incoming list, as one field. */
export function appendForwardedFor(existing: string | string[] | undefined, peer: string): string {
  if (existing === undefined || existing === '') return peer;
  return `${Array.isArray(existing) ? existing.join(', ') : existing}, ${peer}`;
}

/**
 * One RFC 7239 `Forwarded` element for this hop, appended to the incoming list. `by` is this node's
 * address already as a node name (`forwardedNode`): it is the same on every request of a hop. An
 * incoming field that is no list of elements (an unterminated quoted string, a pair without a value,
 * a bare `[::1]`) is replaced, not appended to: a reader could not tell where its elements end, and an
 * open quote would take this hop's element into it (RFC 7239 section 4 leaves such a field to the recipient).
 */
function appendForwarded(existing: string | string[] | undefined, peer: string, by: string, host: string | undefined, proto: string): string {
  let element = `for=${forwardedNode(peer)};by=${by};proto=${proto}`;
  if (host) {
    // A token as it is; any other Host quoted (a port's colon, a sub-delim), unless no quoted-string can hold it.
    if (FORWARDED_TOKEN.test(host)) element += `;host=${host}`;
    else if (QUOTABLE.test(host)) element += `;host="${host}"`;
  }
  if (existing === undefined || existing === '') return element;
  const list = Array.isArray(existing) ? existing.join(', ') : existing;
  return isForwardedList(list) ? `${list}, ${element}` : element;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const FORWARDED_TOKEN = new RegExp(`^${TOKEN}$`);
/** What a quoted-string holds without escapes (RFC 9110 section 5.6.4 qdtext). */
const QUOTABLE = /^[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]*$/;
/** `forwarded-pair = token "=" value`, value a token or a quoted-string (RFC 7239 section 4), at `lastIndex`. */
const PAIR_AT = new RegExp(`${TOKEN}=(?:${TOKEN}|"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*")`, 'y');

/**
 * Whether `list` is `1#forwarded-element` (RFC 7239 section 4) with at least one pair: pairs split by
 * `;`, elements by `,`; empty pairs and elements allowed, as the list rules allow them (RFC 9110 section
 * 5.6.1), and spaces around the separators, which senders write though the grammar has none. One pass,
 * so no field, however long, costs more than its length.
 */
function isForwardedList(list: string): boolean {
  let pairs = 0;
  let separated = true;
  for (let i = 0; i < list.length; ) {
    const c = list.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if (c === 44 /* , */ || c === 59 /* ; */) {
      separated = true;
      i++;
    } else {
      PAIR_AT.lastIndex = i;
      if (!separated || !PAIR_AT.test(list)) return false;
      i = PAIR_AT.lastIndex;
      separated = false;
      pairs++;
    }
  }
  return pairs > 0;
}

/**
 * An address as an RFC 7239 node name (section 6): IPv4 bare; IPv6 bracketed; quoted when it has a
 * colon (IPv6, or a port: `"192.0.2.43:47011"`, `"[2001:db8:cafe::17]:4711"`); one already bracketed
 * or quoted kept as it is; none (a peer whose socket is gone) `unknown`.
 */
export function forwardedNode(address: string): string {
  if (address === '') return 'unknown';
  if (!address.includes(':') || address.startsWith('"')) return address;
  return isIP(address) === 6 ? `"[${address}]"` : `"${address}"`;
}

/**
 * Request headers for the next hop. `trustedHop`: the request came from another node of the engine
 * (engine-connections.ts) or a trusted proxy, whose X-Forwarded-Proto and X-Forwarded-Host stand; a client's are
 * overwritten with what this hop saw (`http`, or `https` when it came over TLS: `secure`; the Host it
 * received), as X-Forwarded-For is never taken from a client as it is but appended to.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  hop: { nodeId: string; httpVersion: string; peer: string; forwardedBy: string; requestId: string; trustedHop: boolean; secure?: boolean },
): Record<string, string | string[]> {
  // This hop already answered `Expect: 100-continue` (Node sends the 100); the next hop gets the body.
  const headers = endToEndHeaders(incoming, 'expect');
  // The body goes on without its trailer section (undici sends none): nothing is left for Trailer to announce.
  if (headers.trailer !== undefined) delete headers.trailer;
  // TE is this hop's, but a client's `trailers` speaks for every hop behind it too (RFC 9110 section 10.1.4),
  // and the engine passes trailers on (forwarder.ts) to an HTTP/1.1 client only: an HTTP/1.0 one takes none,
  // and an HTTP/2 one gets its answer without them. undici writes its own Connection, so TE goes without `Connection: TE`.
  if (incoming.te !== undefined && hop.httpVersion === '1.1' && acceptsTrailers(incoming.te)) headers.te = 'trailers';
  headers.via = appendVia(incoming.via, hop.httpVersion, hop.nodeId);
  headers['x-forwarded-for'] = appendForwardedFor(incoming['x-forwarded-for'], hop.peer);
  const proto = hop.secure === true ? 'https' : 'http';
  headers.forwarded = appendForwarded(incoming.forwarded, hop.peer, hop.forwardedBy, incoming.host, proto);
  const trusted = hop.trustedHop;
  if (!trusted || incoming['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = proto;
  if (!trusted || incoming['x-forwarded-host'] === undefined) {
    if (incoming.host !== undefined) headers['x-forwarded-host'] = incoming.host;
    // An HTTP/1.0 client without Host: nothing to say, and nothing of the client's to pass on (rare, so `delete` is fine).
    else if (headers['x-forwarded-host'] !== undefined) delete headers['x-forwarded-host'];
  }
  headers[REQUEST_ID_HEADER] = hop.requestId;
  return headers;
}

/**
 * `downstreamResponseHeaders` straight from the upstream's raw field list (undici's `[name, value, ...]`
 * Buffers, names as sent): one pass, without first building the parsed object and then copying it,
 * which showed as a chain hop's largest undici cost in profiles. Repeated fields become a list, as undici parses them.
 */
export function downstreamResponseHeadersFromRaw(raw: readonly Buffer[], hop: { nodeId: string; requestId: string }, status: number): OutgoingHttpHeaders {
  const headers = endToEndFieldsFromRaw(raw, status);
  headers.via = appendVia(headers.via, '1.1', hop.nodeId);
  if (headers[REQUEST_ID_HEADER] === undefined) headers[REQUEST_ID_HEADER] = hop.requestId;
  return headers;
}

/** The end-to-end fields of a raw field list (an answer's, final or interim), names in lower case; a 204 loses its Content-Length. */
export function endToEndFieldsFromRaw(raw: readonly Buffer[], status: number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  let connection: string | string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') connection = connection === undefined ? value : [connection, value].flat();
      continue;
    }
    if (status === 204 && name === 'content-length') continue;
    // Own fields only: a name like `constructor` or `toString` must not find what the prototype has.
    if (!Object.hasOwn(headers, name)) {
      setField(headers, name, value);
      continue;
    }
    const prev = headers[name]!;
    if (typeof prev === 'string') headers[name] = [prev, value];
    else prev.push(value);
  }
  const named = connectionTokens(connection);
  if (named !== undefined && named !== KEEP_ALIVE_ONLY) for (const name of named) delete headers[name];
  return headers;
}

/**
 * Response headers for the previous hop, of an answer read whole (a cache's background refresh): end-to-end
 * fields but Trailer, our Via, the request id. A 204 loses any Content-Length an upstream sent with it
 * (RFC 9110 section 8.6: a server must not send one).
 */
export function downstreamResponseHeaders(
  upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  hop: { nodeId: string; requestId: string },
  status: number,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = endToEndHeaders(upstream as IncomingHttpHeaders, status === 204 ? 'content-length' : undefined);
  // The answer is read whole and sent with its length: no trailer section follows it (Node would refuse the head).
  if (headers.trailer !== undefined) delete headers.trailer;
  headers.via = appendVia(upstream.via, '1.1', hop.nodeId);
  if (headers[REQUEST_ID_HEADER] === undefined) headers[REQUEST_ID_HEADER] = hop.requestId;
  return headers;
}
