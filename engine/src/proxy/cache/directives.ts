/**
 * Cache-Control parsed once per stored response (RFC 9111 section 5.2): `token [ "=" ( token /
 * quoted-string ) ]`, names lower-cased. A directive given twice keeps its first value (RFC 9111 section
 * 4.2.1 allows "the first occurrence"); an unparseable list yields what could be read, never a throw.
 */
import type { HeaderValue } from './types.ts';

export type Directives = ReadonlyMap<string, string | true>;

/** No whitespace around "=" (section 5.2's grammar): `max-age =60` is no max-age. */
const DIRECTIVE = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:=(?:"((?:[^"\\]|\\.)*)"|([^,\s"]*)))?\s*(?:,|$)/y;
const QUOTED_PAIR = /\\(.)/g;
const DELTA_SECONDS = /^\d+$/;

/** What a message without Cache-Control says (most requests): one shared, read-only, empty map. */
const NONE: Directives = new Map();

export function parseDirectives(value: HeaderValue): Directives {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (!text) return NONE;
  const directives = new Map<string, string | true>();
  let at = 0;
  while (at < text.length) {
    DIRECTIVE.lastIndex = at;
    const match = DIRECTIVE.exec(text);
    if (!match) {
      // Skip what cannot be read up to the next comma (a quoted comma may cut a bad one short: no harm).
      const comma = text.indexOf(',', at);
      if (comma < 0) break;
      at = comma + 1;
      continue;
    }
    at = DIRECTIVE.lastIndex;
    const name = match[1].toLowerCase();
    if (directives.has(name)) continue;
    const argument = match[2] !== undefined ? match[2].replace(QUOTED_PAIR, '$1') : match[3];
    directives.set(name, argument === undefined ? true : argument);
  }
  return directives;
}

/**
 * A delta-seconds argument (RFC 9111 section 1.2.2), or undefined when the directive is absent.
 * A directive present with no valid number counts as 0: a freshness the cache cannot read is no freshness.
 */
export function deltaSeconds(directives: Directives, name: string): number | undefined {
  const value = directives.get(name);
  if (value === undefined) return undefined;
  if (value === true || !DELTA_SECONDS.test(value)) return 0;
  // RFC 9111 section 1.2.2: a value past 2^31 is sent as 2^31.
  return Math.min(Number(value), 2_147_483_648);
}
