/**
 * The request path in normal form before any route looks at it (RFC 3986 section 6.2.2), so that two
 * spellings of one path cannot take two routes: percent-encoded unreserved characters are decoded
 * (`%7E` is `~`, `%2e` is `.`), other percent-encodings get upper-case hex, duplicate slashes are
 * merged (Envoy `merge_slashes`) and dot segments are resolved (`/a/./b`, `/a/../b`; section 5.2.4).
 *
 * Refused outright, as Envoy's `path_with_escaped_slashes_action: REJECT_REQUEST` does: an encoded
 * slash or backslash (`%2F`, `%5C`), since an upstream that decodes it would see a separator this
 * gateway never routed on (`/users/..%2fadmin` is `/admin` to it); a raw backslash (a separator to
 * some servers, not to RFC 3986); broken percent-encoding (`%`, `%G1`); an encoded NUL; and encoded
 * bytes that are not strict UTF-8, overlong forms included (`%C0%AE` is a `.` to a lax decoder).
 * Beyond Envoy: a fragment (`#`), which no client sends (RFC 9112 section 3.2; Envoy refuses it by
 * default too, `http_reject_path_with_fragment`), since dot segments after it would resolve across it; and
 * a dot segment with path parameters (`/users/..;/admin`): RFC 3986 makes `..;` a plain segment, kept
 * as Envoy keeps it, but Tomcat and Spring drop the parameters and read `..`, so an upstream of theirs
 * would climb out of the route that matched. Other parameters (`/users/1;v=2`) are matched and
 * forwarded as sent.
 *
 * A path already in normal form (the usual case) is returned as the same string, with no allocation.
 */

/** Why a path was refused (the request gets 400 `EDGE_BAD_REQUEST`). */
export interface PathRefusal {
  readonly refused: string;
}

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const SEMICOLON = ';';
/** Why a `#` is refused, here and in the query (route-table.ts). */
export const FRAGMENT_REFUSAL = 'a fragment (#) in the request target: clients never send one (RFC 9112 section 3.2)';
const HEX = '0123456789ABCDEF';

/** The normal form of `path` (a request target's path, without its query), or why it is refused. */
export function normalizePath(path: string): string | PathRefusal {
  if (path.charCodeAt(0) !== SLASH) return { refused: 'the path does not start with /' };
  if (isNormal(path)) return path;
  const decoded = decodeUnreserved(path);
  return typeof decoded === 'string' ? resolveSegments(decoded) : decoded;
}

export function isPathRefusal(value: string | PathRefusal): value is PathRefusal {
  return typeof value !== 'string';
}

/** True when nothing in `path` can change or be refused: no `%`, backslash or `#`, no `//`, no segment starting with a dot. */
function isNormal(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === BACKSLASH || c === HASH) return false;
    if (c === SLASH) {
      const next = path.charCodeAt(i + 1);
      if (next === SLASH || next === DOT) return false;
    }
  }
  return true;
}

/** Decode unreserved characters, upper-case the rest of the percent-encodings, refuse what is unsafe. */
function decodeUnreserved(path: string): string | PathRefusal {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const c = path.charCodeAt(i);
    if (c === BACKSLASH) return { refused: 'a backslash in the path' };
    if (c === HASH) return { refused: FRAGMENT_REFUSAL };
    if (c !== PERCENT) {
      out += path[i];
      i++;
      continue;
    }
    const byte = hexByte(path, i);
    if (byte < 0) return { refused: `invalid percent-encoding at "${path.slice(i, i + 3)}"` };
    if (byte === SLASH || byte === BACKSLASH)
      return { refused: `an encoded ${byte === SLASH ? 'slash' : 'backslash'} (${path.slice(i, i + 3)}) in the path` };
    if (byte === 0) return { refused: 'an encoded NUL (%00) in the path' };
    if (isUnreserved(byte)) {
      out += String.fromCharCode(byte);
      i += 3;
    } else if (byte < 0x80) {
      out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
      i += 3;
    } else {
      const length = utf8SequenceLength(path, i);
      if (length === 0) return { refused: `encoded bytes that are not UTF-8 (or an overlong form) at "${path.slice(i, i + 12)}"` };
      for (let k = 0; k < length; k++) {
        const b = hexByte(path, i + 3 * k);
        out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
      }
      i += 3 * length;
    }
  }
  return out;
}

/** Merge empty segments and resolve `.` and `..` (never above the root); a trailing slash stays. */
function resolveSegments(path: string): string | PathRefusal {
  const segments = path.split('/');
  const kept: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const dots = segment.charCodeAt(0) === DOT ? segment.indexOf(SEMICOLON) : -1;
    if (dots !== -1 && (dots === 1 || (dots === 2 && segment.charCodeAt(1) === DOT))) {
      const read = segment.slice(0, dots);
      return { refused: `a dot segment with parameters ("${segment.slice(0, 40)}") in the path: Tomcat and Spring read it as "${read}"` };
    }
    const last = i === segments.length - 1;
    if (segment === '..') kept.pop();
    else if (segment !== '' && segment !== '.') kept.push(segment);
    if (last) trailingSlash = segment === '' || segment === '.' || segment === '..';
  }
  if (kept.length === 0) return '/';
  return `/${kept.join('/')}${trailingSlash ? '/' : ''}`;
}

/** The byte of `%XY` at `at`, or -1 when it is not two hex digits. */
function hexByte(path: string, at: number): number {
  if (path.charCodeAt(at) !== PERCENT) return -1;
  const high = hexDigit(path.charCodeAt(at + 1));
  const low = hexDigit(path.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === DOT ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

/**
 * How many percent-encoded bytes starting at `at` form one well-formed UTF-8 character, or 0 when
 * they do not: the ranges of Unicode's Table 3-7, which leave out overlong forms (`%C0%AE`,
 * `%E0%80%AE`), surrogates and code points past U+10FFFF.
 */
function utf8SequenceLength(path: string, at: number): number {
  const lead = hexByte(path, at);
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const b = hexByte(path, at + 3 * k);
    if (b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return 0;
  }
  return length;
}
