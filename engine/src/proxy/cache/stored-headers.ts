/**
 * The header section a cache keeps (RFC 9111 section 3.1): without hop-by-hop fields and those the
 * Connection field names, without Age (recomputed whenever the response is served), with a Date when
 * the origin sent none (RFC 9110 section 6.6.1). And the update a 304 makes (section 3.2): each of its
 * fields replaces or joins the stored ones, except Content-Length (and the hop-by-hop ones, never stored).
 */
import { headerText, type HeaderValue, type Headers } from './types.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'age']);
/** RFC 9111 section 3.2: a 304's Content-Length describes no body, so it never replaces the stored one. */
const NOT_UPDATED = new Set(['content-length']);
const LIST_SPLIT = /\s*,\s*/;

export function storedHeaders(headers: Headers, responseTime: number): Headers {
  const named = headerText(headers.connection)?.toLowerCase().split(LIST_SPLIT);
  const kept: Headers = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.includes(name)) continue;
    kept[name] = value;
  }
  if (kept.date === undefined) kept.date = new Date(responseTime).toUTCString();
  return kept;
}

/** The stored fields updated by a 304's (both already as storedHeaders makes them). */
export function mergeNotModified(stored: Headers, notModified: Headers): Headers {
  const merged: Headers = { ...stored };
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
