/**
 * A query string as a deny pattern should see it: `+` as a space and every valid `%XX` decoded, the
 * bytes read as UTF-8, so `?q=%3Cscript` is `q=<script`. A broken escape (`%G1`, a lone `%`) stays as it
 * was rather than making the whole decode fail, which would let the rest of the query hide encoded.
 * A query without `%` or `+` (the usual case) is returned as the same string.
 */

/** The decoded form of `query` (the part after `?`). */
export function decodeQuery(query: string): string {
  if (query.indexOf('%') === -1 && query.indexOf('+') === -1) return query;
  const bytes = Buffer.allocUnsafe(query.length * 3);
  let length = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === PERCENT) {
      const high = hexDigit(query.charCodeAt(i + 1));
      const low = hexDigit(query.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        bytes[length++] = (high << 4) | low;
        i += 2;
        continue;
      }
    }
    if (c === PLUS) bytes[length++] = SPACE;
    else length += bytes.write(query[i], length, 'utf8');
  }
  return bytes.toString('utf8', 0, length);
}

const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
