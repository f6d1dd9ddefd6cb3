/**
 * The header edits a compressed (or compressible) response needs, on the lowercase headers the
 * forwarder builds: Vary merged with an existing one (RFC 9110 section 12.5.5), a strong ETag made weak
 * (section 8.8.3: the encoded bytes are not the origin's bytes, so a strong validator would lie), and
 * the Cache-Control directives and lengths the decision reads.
 */
import type { OutgoingHttpHeaders } from 'node:http';

/**
 * Add `Accept-Encoding` to Vary: appended once to an existing list, never beside `*` (which already
 * says the response varies on everything), never twice (tokens compare case-insensitively).
 */
export function varyOnAcceptEncoding(headers: OutgoingHttpHeaders): void {
  const vary = headers.vary;
  if (vary === undefined || vary === '') {
    headers.vary = 'Accept-Encoding';
    return;
  }
  const value = Array.isArray(vary) ? vary.join(', ') : String(vary);
  if (hasToken(value, '*') || hasToken(value, 'accept-encoding')) return;
  headers.vary = `${value}, Accept-Encoding`;
}

/**
 * Make a strong ETag weak (`"x"` -> `W/"x"`), as nginx's gzip filter does, so conditional requests
 * still match by weak comparison. A value that is not an entity-tag is dropped (nginx does the same).
 * Envoy drops strong ETags instead, which loses revalidation of compressed responses.
 */
export function weakenEtag(headers: OutgoingHttpHeaders): void {
  const etag = headers.etag;
  if (etag === undefined) return;
  const value = String(etag);
  if (value.startsWith('W/')) return;
  if (value.startsWith('"')) headers.etag = `W/${value}`;
  else delete headers.etag;
}

/** Whether Cache-Control carries `no-transform` (RFC 9110 section 7.7: a proxy must not change the content). */
export function forbidsTransform(headers: OutgoingHttpHeaders): boolean {
  const cacheControl = headers['cache-control'];
  if (cacheControl === undefined) return false;
  const value = Array.isArray(cacheControl) ? cacheControl.join(',') : String(cacheControl);
  return hasToken(value, 'no-transform');
}

/** The Content-Length as a number, or undefined when absent or not a valid length. */
export function contentLengthOf(headers: OutgoingHttpHeaders): number | undefined {
  const length = headers['content-length'];
  if (length === undefined) return undefined;
  const value = typeof length === 'number' ? length : Number(length);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Whether a comma-separated list holds `token` (lowercase) as a whole member, ignoring case and `=value`. */
function hasToken(list: string, token: string): boolean {
  const lower = list.toLowerCase();
  let from = 0;
  for (;;) {
    const at = lower.indexOf(token, from);
    if (at < 0) return false;
    const before = lower.slice(0, at).trimEnd();
    const after = lower.slice(at + token.length).trimStart();
    if ((before === '' || before.endsWith(',')) && (after === '' || after.startsWith(',') || after.startsWith('='))) return true;
    from = at + 1;
  }
}
