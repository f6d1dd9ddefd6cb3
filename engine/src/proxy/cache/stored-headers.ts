/**
 * The header section a cache keeps (RFC 9111 section 3.1): without hop-by-hop fields, those the
 * Connection field names and the proxy authentication ones; without Age (recomputed whenever the
 * response is served); repeated field lines joined into one list; with a Date when the origin sent none
 * or an invalid one (RFC 9110 section 6.6.1); and without the fields a qualified no-cache or private
 * names (sections 5.2.2.4, 5.2.2.7). And the update a 304 makes (section 3.2): each of its fields
 * replaces or joins the stored ones, except Content-Length (and those never stored).
 */
import { copyFields } from '../../pipeline/headers.ts';
import type { Directives } from './directives.ts';
import { httpDate } from './freshness.ts';
import { headerText, type HeaderValue, type Headers } from './types.ts';

/** Hop-by-hop fields, Age, and the proxy authentication fields a cache must not store (RFC 9111 section 3.1). */
const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'age',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
]);
/** RFC 9111 section 3.2: a 304's Content-Length describes no body, so it never replaces the stored one. */
const NOT_UPDATED = new Set(['content-length']);
const LIST_SPLIT = /\s*,\s*/;

export function storedHeaders(headers: Headers, responseTime: number): Headers {
  const named = headerText(headers.connection)?.toLowerCase().split(LIST_SPLIT);
  const kept: Headers = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_STORED.has(name) || named?.includes(name)) continue;
    // Field lines of one name are one comma list (RFC 9110 section 5.3); Set-Cookie alone stays lines.
    kept[name] = Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : value;
  }
  if (httpDate(kept.date) === undefined) kept.date = new Date(responseTime).toUTCString();
  return kept;
}

/**
 * The field names a qualified `no-cache="a, b"` or `private="a"` lists, lower-case: a shared cache keeps
 * the rest of the response and never serves these without revalidation, so it does not store them.
 */
export function unsharedFields(directives: Directives): string[] | undefined {
  const noCache = directives.get('no-cache');
  const privately = directives.get('private');
  if (typeof noCache !== 'string' && typeof privately !== 'string') return undefined;
  return [noCache, privately].flatMap((list) => (typeof list === 'string' ? list.trim().toLowerCase().split(LIST_SPLIT).filter(Boolean) : []));
}

/** `headers` without `names` (a copy), as stored. */
export function withoutFields(headers: Headers, names: readonly string[]): Headers {
  const kept: Headers = {};
  for (const name in headers) if (!names.includes(name)) kept[name] = headers[name];
  return kept;
}

/** The stored fields updated by a 304's (both already as storedHeaders makes them). */
export function mergeNotModified(stored: Headers, notModified: Headers): Headers {
  const merged = copyFields(stored);
  for (const name in notModified) {
    if (NOT_UPDATED.has(name)) continue;
    merged[name] = notModified[name];
  }
  return merged;
}

/** The field names a Vary value lists, lower-case, in order; ['*'] when it holds `*`. */
export function varyNames(value: HeaderValue): string[] {
  const text = headerText(value)?.trim();
  if (!text) return [];
  const names = text
    .toLowerCase()
    .split(LIST_SPLIT)
    .filter((name) => name !== '');
  return names.includes('*') ? ['*'] : names;
}
