/**
 * The HTTP/1.1 rules every node applies to a request before its kind sees it, where Node's parser
 * (llhttp) lets the request through but RFC 9110/9112 or a careful proxy would not: no more header
 * fields than Node keeps, one valid Host
 * (RFC 9112 section 3.2), absolute-form targets turned into origin-form (section 3.2.2), a WebSocket upgrade
 * (no node tunnels one), `OPTIONS *`
 * and `Max-Forwards` on OPTIONS and TRACE (RFC 9110 section 7.6.2), versions other than HTTP/1.x, transfer codings
 * other than chunked (RFC 9112 section 6.1), and forwarding loops seen in `Via` (RFC 9110 section 7.6.3).
 * An HTTP/2 request (a TLS proxy's) passes the same rules once its `:authority` is its Host.
 *
 * A well-formed request costs a few comparisons: a walk over the raw header names for a second Host,
 * the Host compared with the last valid one, the first character of the target, the version, the
 * method, and whether Transfer-Encoding and Via are there at all. Everything else runs only when
 * one of those says it must.
 */
import { maxHeaderSize, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { PARSER_HEADER_COUNT } from '../config/proxy/filter.ts';
import type { EdgeErrorCode } from '../errors.ts';
import { isHttp2Request } from '../pipeline/headers.ts';

/**
 * The methods a node takes, as `Allow` lists them (OPTIONS, 405): every method but CONNECT, which would
 * open a tunnel: a reverse proxy opens none (nginx answers 405 as well). TRACE is taken as RFC 9110
 * section 9.3.8 asks: forwarded while Max-Forwards allows, reflected by the hop where it reaches 0 or
 * by the service at the end, without the fields that carry credentials (`reflectTrace`).
 */
export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE';

/**
 * The header fields a listener keeps of a request (Node's `maxHeadersCount`): one more than a node
 * takes, so a request that carries more is seen to and refused (431), rather than passed on without
 * the fields Node dropped (its Host, its Content-Length while the parser read the body by it).
 */
export const LISTENER_HEADER_COUNT = PARSER_HEADER_COUNT + 1;

/** What a node does with a request after these rules: hand it to its kind, answer OPTIONS or TRACE itself, or refuse it. */
export type EdgeOutcome = undefined | 'options' | 'trace' | EdgeErrorCode;

/** The per-node state of the rules: who the node is, and the last Host found valid (nearly every request repeats it). */
export class EdgeRules {
  #knownHost: string | undefined;

  constructor(
    readonly nodeId: string,
    /** Whether the node forwards requests (a service never does, so it never loops). */
    readonly forwards: boolean,
  ) {}

  /**
   * The outcome for `req`. A request it lets through may have changed: an absolute-form target is
   * now origin-form with its authority as Host, and Max-Forwards on OPTIONS is one less.
   */
  check(req: IncomingMessage): EdgeOutcome {
    const { headers } = req;
    if (req.rawHeaders.length > 2 * PARSER_HEADER_COUNT) return 'EDGE_HEADERS_TOO_LARGE';
    if (req.httpVersionMajor !== 1) {
      // HTTP/2.0 and HTTP/0.9 request lines get this far (llhttp refuses other versions itself); a
      // request that came over HTTP/2 itself is taken.
      if (req.httpVersionMajor !== 2 || !isHttp2Request(req)) return 'EDGE_VERSION_NOT_SUPPORTED';
      if (headerListSize(req.rawHeaders) > maxHeaderSize) return 'EDGE_HEADERS_TOO_LARGE';
      const refusal = authorityAsHost(headers);
      if (refusal !== undefined) return refusal;
    }
    const host = headers.host;
    if (hostFieldCount(req.rawHeaders) > 1) return 'EDGE_INVALID_HOST';
    if (host !== this.#knownHost) {
      // HTTP/1.0 may leave Host out; HTTP/1.1 must send one.
      if (host === undefined ? req.httpVersionMinor !== 0 : !isValidHost(host)) return 'EDGE_INVALID_HOST';
      if (host !== undefined) this.#knownHost = host;
    }
    const target = req.url ?? '/';
    const method = req.method;
    if (target.charCodeAt(0) !== SLASH) {
      const outcome = toOriginForm(req, target);
      if (outcome !== undefined) return outcome;
    }
    const upgrade = headers.upgrade;
    if (upgrade !== undefined && asksForWebSocket(upgrade)) return 'EDGE_UPGRADE_NOT_SUPPORTED';
    const codings = headers['transfer-encoding'];
    if (codings !== undefined && (codings !== 'chunked' || req.httpVersionMinor === 0)) {
      const refusal = transferCodingRefusal(codings, req.httpVersionMinor);
      if (refusal !== undefined) return refusal;
    }
    if (method === 'OPTIONS' || method === 'TRACE') {
      const outcome = this.#lastHop(req, method);
      if (outcome !== undefined) return outcome;
    }
    const via = headers.via;
    if (via !== undefined && this.forwards && viaNames(via, this.nodeId)) return 'EDGE_LOOP_DETECTED';
    return undefined;
  }

  /**
   * OPTIONS and TRACE (RFC 9110 section 7.6.2): `OPTIONS *` is for this node; with `Max-Forwards: 0`
   * this node is the last recipient and answers; with more, the next hop gets one less. A service is
   * always the last recipient of a TRACE. A TRACE must carry no content (section 9.3.8).
   */
  #lastHop(req: IncomingMessage, method: 'OPTIONS' | 'TRACE'): EdgeOutcome {
    const answer = method === 'OPTIONS' ? 'options' : 'trace';
    if (method === 'OPTIONS' && req.url === '*') return answer;
    const { headers } = req;
    if (method === 'TRACE' && (headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0')) {
      return 'EDGE_BAD_REQUEST';
    }
    const left = headers['max-forwards'];
    const hops = typeof left === 'string' ? maxForwards(left) : undefined;
    if (hops === 0 || (method === 'TRACE' && !this.forwards)) return answer;
    if (hops !== undefined) headers['max-forwards'] = String(hops - 1);
    return undefined;
  }
}

/** Fields a reflected TRACE leaves out: they carry credentials (RFC 9110 section 9.3.8, cross-site tracing). */
const NOT_REFLECTED = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The body of a TRACE answer (`message/http`): the request line and header fields as this hop received
 * them, minus the credentials, so a learner sees what every hop before it added (Via, X-Forwarded-For...).
 * Only header fields are echoed: an HTTP/2 request's pseudo-headers (`:method`, `:path`...) are not fields
 * (RFC 9113 section 8.3) and are already in the request line, and its `:authority` shows as the Host the
 * edge rules made of it.
 */
export function reflectTrace(req: IncomingMessage): string {
  let message = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  if (req.headers[':authority'] !== undefined && req.headers.host !== undefined && hostFieldCount(raw) === 0) message += `host: ${req.headers.host}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name.charCodeAt(0) === COLON || NOT_REFLECTED.has(name)) continue;
    // Max-Forwards and Host as the rules left them (decremented; the authority of an absolute-form target).
    const value = name === 'max-forwards' || name === 'host' ? req.headers[name] : raw[i + 1];
    message += `${raw[i]}: ${value}\r\n`;
  }
  return `${message}\r\n`;
}

const SLASH = 47;
const COLON = 58;

/**
 * The size of an HTTP/2 request's header list as an HTTP/1.1 head would carry it (`name: value` and CRLF
 * per field), its pseudo-headers too. Node's HTTP/2 side takes up to 64 KB of fields (and resets the
 * stream without a word past it), while its HTTP/1.1 parser answers a head past `maxHeaderSize` (16 KB)
 * with 431: an h2 request is held to the same size, with the same answer, rather than carried to an
 * HTTP/1.1 upstream that refuses it.
 */
function headerListSize(raw: string[]): number {
  let size = 2 * raw.length;
  for (const part of raw) size += part.length;
  return size;
}

/**
 * An HTTP/2 request names its authority in `:authority` (RFC 9113 section 8.3.1); the hop behind
 * speaks HTTP/1.1, which needs Host, and an intermediary makes Host from it. A Host field that names
 * another authority makes the request malformed (as the same section advises), and one with neither
 * has no authority to route on. Then the Host rules below apply to it as to any other.
 */
function authorityAsHost(headers: IncomingHttpHeaders): EdgeOutcome {
  const authority = headers[':authority'];
  if (typeof authority !== 'string') return headers.host === undefined ? 'EDGE_INVALID_HOST' : undefined;
  if (headers.host !== undefined && headers.host !== authority) return 'EDGE_INVALID_HOST';
  headers.host = authority;
  return undefined;
}

/** How many Host fields a request carried: Node keeps only the first in `headers`. */
export function hostFieldCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) count++;
  }
  return count;
}

/**
 * Whether `value` is a `uri-host [ ":" port ]` (RFC 9110 section 7.2, RFC 3986 section 3.2.2): a
 * bracketed IPv6 address, or a non-empty reg-name (unreserved, sub-delims, percent-encoded octets),
 * then an optional port of at most 65535. An empty Host is refused, as nginx refuses it: every http
 * URI has an authority.
 */
export function isValidHost(value: string): boolean {
  let end = value.length;
  let hostEnd: number;
  if (value.charCodeAt(0) === 91 /* [ */) {
    hostEnd = value.indexOf(']');
    if (hostEnd === -1 || isIP(value.slice(1, hostEnd)) !== 6) return false;
    hostEnd++;
  } else {
    const colon = value.lastIndexOf(':');
    hostEnd = colon === -1 ? end : colon;
    if (hostEnd === 0 || !isRegName(value, hostEnd)) return false;
  }
  if (hostEnd === end) return true;
  if (value.charCodeAt(hostEnd) !== 58 /* : */) return false;
  const port = value.slice(hostEnd + 1);
  end = port.length;
  if (end > 5) return false;
  for (let i = 0; i < end; i++) {
    const c = port.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return end === 0 || Number(port) <= 65_535;
}

/** `value[0, end)` is a reg-name: unreserved / pct-encoded / sub-delims (an IPv4 address is one too). */
function isRegName(value: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 /* % */) {
      if (i + 2 >= end || !isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!REG_NAME[c]) return false;
  }
  return true;
}

const REG_NAME: boolean[] = [];
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=") REG_NAME[c.charCodeAt(0)] = true;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * A target that is not origin-form. `*` is for OPTIONS alone (RFC 9112 section 3.2.4). An absolute-form
 * `http(s)://authority/path?query` becomes `/path?query` with the authority as Host, replacing the Host
 * field (section 3.2.2), so routes, hash keys, events and the next hop all see the path; OPTIONS of an
 * empty path is `OPTIONS *`. Undefined: carry on with the rewritten request.
 */
function toOriginForm(req: IncomingMessage, target: string): EdgeOutcome {
  if (target === '*') return req.method === 'OPTIONS' ? undefined : 'EDGE_BAD_REQUEST';
  const parts = splitAbsoluteForm(target);
  if (parts === undefined) return 'EDGE_BAD_REQUEST';
  if (!isValidHost(parts.authority)) return 'EDGE_INVALID_HOST';
  req.headers.host = parts.authority;
  req.url = parts.path !== '' ? parts.path : req.method === 'OPTIONS' ? '*' : '/';
  return undefined;
}

/** `http://a.test:8080/p?q` as its authority and the rest (`/p?q`; `?q` becomes `/?q`), or undefined for another scheme. */
export function splitAbsoluteForm(target: string): { authority: string; path: string } | undefined {
  const separator = target.indexOf('://');
  if (separator === -1) return undefined;
  const scheme = target.slice(0, separator).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const start = separator + 3;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
  const rest = target.slice(end);
  return { authority: target.slice(start, end), path: rest.startsWith('?') ? `/${rest}` : rest };
}

/**
 * The refusal a Transfer-Encoding earns, if any. HTTP/1.0 has none: its framing is faulty (RFC 9112
 * section 6.1, 400). Chunked must come last and once (section 6.3, 400); llhttp refuses most of those
 * already. Another coding before it (`gzip, chunked`) is one no node implements: 501, as section 6.1
 * asks, rather than passing the body on as if it were not encoded.
 */
export function transferCodingRefusal(value: string, httpVersionMinor: number): EdgeErrorCode | undefined {
  if (httpVersionMinor === 0) return 'EDGE_BAD_REQUEST';
  const codings = value.split(',').map((c) => c.split(';')[0].trim().toLowerCase());
  const last = codings.length - 1;
  if (codings[last] !== 'chunked' || codings.indexOf('chunked') !== last || codings.includes('')) return 'EDGE_BAD_REQUEST';
  return last > 0 ? 'EDGE_UNSUPPORTED_TRANSFER_CODING' : undefined;
}

/**
 * Whether an Upgrade field offers WebSocket (`websocket`, any case, with or without a version, among
 * other protocols: RFC 9110 section 7.8). Other upgrades (`h2c` from `curl --http2`) are ignored, as
 * the section lets a server do: the request goes on as HTTP/1.1 without its Upgrade.
 */
export function asksForWebSocket(upgrade: string): boolean {
  return /(?:^|,)[ \t]*websocket(?:\/[^,]*)?[ \t]*(?:,|$)/i.test(upgrade);
}

/** Max-Forwards as a number, or undefined when it is not `1*DIGIT` (or too large to count down: then passed on as it came). */
export function maxForwards(value: string): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Whether a Via field names `id` as a hop that received the request: an element `1.1 id` (any
 * protocol, comments ignored), matched exactly, so `users` is not `users-1`. A cheap substring test
 * first: a Via without the id at all (nearly every one) is never split.
 */
export function viaNames(field: string | string[], id: string): boolean {
  const via = typeof field === 'string' ? field : field.join(', ');
  if (!via.includes(id)) return false;
  for (const element of via.replace(/\([^)]*\)/g, '').split(',')) {
    const fields = element.trim().split(/[ \t]+/);
    if (fields[1] === id) return true;
  }
  return false;
}

/**
 * The edge error for a request Node's parser refused (or timed out) before the node saw it: 408 for
 * the headers timeout, 501 for a well-formed request line with a method the parser does not know (RFC
 * 9110 section 9.1), 414 for a request line past the parser's 16 KB (RFC 9112 section 3: a target
 * longer than the server parses MUST get 414, as nginx answers), 431 for headers too large, 505 for a well-formed version the node does not
 * speak (`HTTP/1.2`, `HTTP/3.0`, the HTTP/2 preface `PRI * HTTP/2.0`), else 400 (`HTTP/3` is no
 * HTTP-version at all, RFC 9112 section 2.3). `requestLineOpen`: the head had not ended its request
 * line by the read before the one the error came with (request-line-watch.ts), so a line the last read
 * holds no start of is still the request line.
 */
export function clientErrorCode(error: NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number }, requestLineOpen = false): EdgeErrorCode {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'EDGE_REQUEST_TIMEOUT';
    case 'HPE_HEADER_OVERFLOW': {
      const at = error.bytesParsed ?? 0;
      const inRequestLine =
        REQUEST_LINE_SO_FAR.test(stoppedLine(error.rawPacket, at).trimEnd()) || (requestLineOpen && !lineStartsIn(error.rawPacket, at));
      return inRequestLine ? 'EDGE_URI_TOO_LONG' : 'EDGE_HEADERS_TOO_LARGE';
    }
    case 'HPE_PAUSED_H2_UPGRADE':
      return 'EDGE_VERSION_NOT_SUPPORTED';
    case 'HPE_INVALID_METHOD':
      return REQUEST_LINE.test(requestLine(error.rawPacket, error.bytesParsed ?? 0)) ? 'EDGE_METHOD_NOT_IMPLEMENTED' : 'EDGE_BAD_REQUEST';
    case 'HPE_INVALID_VERSION':
      return /^HTTP\/\d\.\d$/.test(requestLineVersion(error.rawPacket, error.bytesParsed ?? 0))
        ? 'EDGE_VERSION_NOT_SUPPORTED'
        : 'EDGE_BAD_REQUEST';
    default:
      return 'EDGE_BAD_REQUEST';
  }
}

/** What a request the parser refused shows as in its events, where its request line cannot be read. */
const UNREAD = { method: '-', target: '-' } as const;
/** A method (a token) and the start of a target, at the start of a request line. */
const LINE_START = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) ([^\s]+)/;
/** The longest target an event carries of a refused request (a 414's is over 16 KB). */
const SHOWN_TARGET = 200;

/**
 * The method and target a request the parser refused shows in its events, read from its request line as
 * nginx logs the line of a request it answers 400; `-` where the line cannot be read (the head began in
 * an earlier read, or the parser never got a packet, a timeout). `firstRead`: the packet is all the
 * connection has sent, so a head at its start is the connection's first. A target over 200 characters is
 * cut, with `...` after it.
 */
export function refusedRequestLine(error: { rawPacket?: Buffer; bytesParsed?: number }, firstRead: boolean): { method: string; target: string } {
  const packet = error.rawPacket;
  if (packet === undefined) return UNREAD;
  const text = packet.toString('latin1', 0, Math.min(packet.length, (error.bytesParsed ?? 0) + 1 + SHOWN_TARGET + 40));
  // The head begins after the last message that ended before the error (pipelined), or at the packet's start.
  const ended = text.lastIndexOf('\r\n\r\n', error.bytesParsed ?? 0);
  if (ended === -1 && !firstRead) return UNREAD;
  const line = LINE_START.exec(text.slice(ended === -1 ? 0 : ended + 4));
  if (line === null) return UNREAD;
  const target = line[2].length > SHOWN_TARGET ? `${line[2].slice(0, SHOWN_TARGET)}...` : line[2];
  return { method: line[1], target };
}

/** A method and a target with no space after it: the parser stopped in the request line's target. */
const REQUEST_LINE_SO_FAR = /^[A-Z]+ \S+$/;

/** A whole request line of HTTP/1.x whose method is a token (RFC 9110 section 5.6.2), whatever the method. */
const REQUEST_LINE = /^[-!#$%&'*+.^_`|~0-9A-Za-z]+ \S+ HTTP\/1\.[01]$/;

/** The whole line the parser stopped in (`at` in `packet`), or as much of it as the packet holds. */
function requestLine(packet: Buffer | undefined, at: number): string {
  if (packet === undefined) return '';
  const text = packet.toString('latin1');
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const end = text.indexOf('\r\n', start);
  return text.slice(start, end === -1 ? text.length : end);
}

/** Whether the line the parser stopped in (`at` in `packet`) starts in `packet`, rather than in an earlier read. */
function lineStartsIn(packet: Buffer | undefined, at: number): boolean {
  return packet !== undefined && at > 0 && packet.lastIndexOf(0x0a, at - 1) !== -1;
}

/** The line the parser stopped in, up to where it stopped (`at` in `packet`). */
function stoppedLine(packet: Buffer | undefined, at: number): string {
  if (packet === undefined) return '';
  const text = packet.toString('latin1', 0, Math.min(packet.length, at + 1));
  const start = text.lastIndexOf('\n', at - 1) + 1;
  return text.slice(start).split(/[\r\n]/)[0];
}

/** The last word of the request line the parser stopped in (`at` is where it stopped in `packet`). */
function requestLineVersion(packet: Buffer | undefined, at: number): string {
  const line = stoppedLine(packet, at);
  return line.slice(line.lastIndexOf(' ') + 1);
}
