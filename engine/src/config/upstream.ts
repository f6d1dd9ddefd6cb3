/**
 * Upstreams: a node id, or the URL of an origin outside the topology. A URL is parsed once, here, the
 * way the forwarder uses it: the WHATWG URL's origin is what the undici Pool connects to, and the
 * request's own path is what it sends (a path in the URL would be ignored, so it is refused). The
 * config keeps that origin (`HTTP://Example.com:80/` is `http://example.com`), so the engine resolves
 * a URL upstream without parsing it again and cannot fail on one at request time.
 */
import { z } from 'zod';
import { LIMITS, limitMessage } from './limits.ts';

export const NODE_ID = /^[a-z][a-z0-9-]*$/;

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const HTTP_SCHEME = /^https?:\/\//i;
/** Whitespace and control characters, which a URL parser silently drops (`:80\n80` would become port 8080). */
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f]/;
/** The port as written: after the host (a bracketed IPv6 literal or a name) and before the path. */
const WRITTEN_PORT = /^https?:\/\/(?:[^@/?#]*@)?(?:\[[^\]/?#]*\]|[^:/?#[\]@]*):([^/?#@]*)/i;

export type CheckedUpstream = { origin: string; error?: undefined } | { origin?: undefined; error: string };

/** An absolute http(s) URL checked as an upstream origin: its normal form, or why it cannot be one. */
export function checkUpstreamUrl(text: string): CheckedUpstream {
  if (text.length > LIMITS.pathLength.max) return { error: limitMessage(LIMITS.pathLength) };
  if (INVISIBLE.test(text)) return { error: 'contains whitespace or a control character' };
  if (!HTTP_SCHEME.test(text)) {
    const scheme = SCHEME.exec(text)?.[0];
    if (scheme === undefined)
      return { error: 'expected a node id (lowercase letters, digits and dashes, starting with a letter) or an http:// or https:// URL' };
    if (/^https?:$/i.test(scheme)) return { error: `expected "//" and a host after "${scheme}"` };
    return { error: `"${scheme}" is not supported: an upstream URL is http:// or https://` };
  }
  // canParse, not a caught throw: a config of thousands of bad URLs must not cost a stack trace each.
  if (!URL.canParse(text)) return { error: whyNotAUrl(text) };
  const url = new URL(text);
  if (url.port === '0') return { error: 'port 0 is out of range: a port is 1 to 65535' };
  if (url.username !== '' || url.password !== '') return { error: 'credentials (user:password@) are not supported in an upstream URL' };
  if (text.includes('?') || text.includes('#')) {
    return {
      error: "a query or fragment has no place in an upstream: it is an origin, and each request's own path and query are sent to it",
    };
  }
  if (url.pathname !== '/') {
    return {
      error: `a path (${url.pathname}) is not supported in an upstream: it is an origin (scheme, host, port), and each request's own path is sent to it unchanged`,
    };
  }
  return { origin: url.origin };
}

/** Why the URL parser refused `text`: its port when that is what is wrong, else in general. */
function whyNotAUrl(text: string): string {
  const port = WRITTEN_PORT.exec(text)?.[1];
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) return `port "${port}" is not a number`;
    if (Number(port) > 65535) return `port ${Number(port)} is out of range: a port is 1 to 65535`;
  }
  return 'not a valid URL (check the host, and the brackets around an IPv6 address)';
}

/** A node id, or an absolute http(s) URL for an upstream outside the topology, kept as its origin. */
export const Upstream = z
  .string()
  .meta({
    description:
      'a node id, or the http:// or https:// URL of an origin outside the topology (scheme, host and port: no path, query or credentials)',
  })
  .transform((text, ctx) => {
    if (NODE_ID.test(text)) return text;
    const checked = checkUpstreamUrl(text);
    if (checked.error !== undefined) {
      ctx.addIssue({ code: 'custom', message: checked.error });
      return z.NEVER;
    }
    return checked.origin;
  });

/** Whether an upstream (as the config keeps it) is a URL rather than a node id. */
export function isExternalUrl(upstream: string): boolean {
  return upstream.startsWith('http://') || upstream.startsWith('https://');
}

/**
 * The hosts, as the WHATWG URL parser writes them, whose connections reach the nodes' listeners on
 * 127.0.0.1. The parser has already turned `127.1`, `0x7f.0.0.1`, `2130706433`, `0177.0.0.1` and
 * `127.0.0.1.` into `127.0.0.1`, `0` into `0.0.0.0`, and any IPv6 spelling into its compressed form.
 * `[::ffff:7f00:1]` and `[::ffff:0:0]` are IPv4-mapped 127.0.0.1 and 0.0.0.0, which a dual-stack socket
 * connects to over IPv4; 0.0.0.0 (and `[::]`) connect to the local host on Linux and macOS. `[::1]` and
 * `[::]` do not reach a listener on 127.0.0.1, but name this host all the same: a config that says its
 * own port there means itself.
 */
const THIS_HOST = new Set(['127.0.0.1', '0.0.0.0', '[::1]', '[::]', '[::ffff:7f00:1]', '[::ffff:0:0]']);

/**
 * Whether a URL's host (as the parser writes it) is this host: a loopback address above, or `localhost`
 * or a name under it (RFC 6761 section 6.3: they resolve to loopback), with or without the final dot of
 * a fully qualified name (`localhost.` resolves as `localhost` wherever the resolver follows that RFC).
 */
function isThisHost(hostname: string): boolean {
  if (THIS_HOST.has(hostname)) return true;
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The port a URL upstream (an origin) reaches on this host, or undefined when it goes elsewhere. */
export function localPortOf(origin: string): number | undefined {
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  if (!isThisHost(url.hostname)) return undefined;
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}
