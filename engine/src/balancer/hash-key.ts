/**
 * The request key a hash picker hashes, as the balancer's `hashKey` names it: the client address,
 * a header, a cookie, a query parameter or the path. Compiled once from the config; a request that
 * does not carry the key yields undefined, and the picker falls back (and says so).
 */
import type { IncomingMessage } from 'node:http';
import { ownField } from '../pipeline/headers.ts';

export type HashKeyReader = (req: IncomingMessage, clientAddress: string) => string | undefined;

export const HASH_KEY_FORMS = ['ip', 'path', 'header:NAME', 'cookie:NAME', 'query:NAME'] as const;
const HASH_KEY = /^(ip|path|(header|cookie|query):([!#$%&'*+.^_`|~0-9A-Za-z-]+))$/;

export function isHashKey(spec: string): boolean {
  return HASH_KEY.test(spec);
}

export function hashKeyReader(spec: string): HashKeyReader {
  const match = HASH_KEY.exec(spec);
  if (!match) throw new Error(`hashKey "${spec}": expected one of ${HASH_KEY_FORMS.join(', ')}`);
  const [, whole, source, name] = match;
  if (whole === 'ip') return (_req, client) => client;
  if (whole === 'path') return (req) => pathOf(req.url ?? '/');
  switch (source) {
    case 'header': {
      const header = name.toLowerCase();
      return (req) => {
        const value = ownField(req.headers, header);
        return Array.isArray(value) ? value.join(', ') : value;
      };
    }
    case 'cookie':
      return (req) => cookieValue(req.headers.cookie, name);
    default:
      return (req) => queryValue(req.url ?? '/', name);
  }
}

/**
 * The raw (still percent-encoded) value of the first `name=` parameter, as nginx's `$arg_NAME` finds
 * it (ngx_http_arg): the name matches without regard to ASCII case, and only where it is followed by `=`.
 */
export function queryValue(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const wanted = asciiLower(name);
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && asciiLower(pair.slice(0, eq)) === wanted) return pair.slice(eq + 1);
  }
  return undefined;
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The first cookie named `name` (RFC 6265 section 5.4 order), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
