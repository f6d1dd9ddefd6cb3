/**
 * Which responses are worth compressing, by media type (RFC 9110 section 8.3.1: the type and subtype
 * of Content-Type, compared case-insensitively, parameters ignored). A pattern is a media type
 * (`application/json`), a whole top-level type (`text/*`) or a structured-syntax suffix
 * (`application/*+json`, RFC 6838 section 4.2.8). Compiled once per config into sets.
 */

/**
 * The defaults: nginx's `gzip_types` (text/html) and Envoy's compressor list (text/html, text/plain,
 * text/css, text/xml, the JavaScript types, application/json, application/xml, image/svg+xml,
 * application/xhtml+xml), widened to every text type and every +json and +xml type, plus the binary
 * formats that are not compressed already (WebAssembly, TrueType and OpenType fonts, icons).
 * Images, video, audio, archives and woff/woff2 fonts are compressed already and are left out.
 */
export const DEFAULT_COMPRESSIBLE_TYPES: readonly string[] = [
  'text/*',
  'application/json',
  'application/*+json',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/xml',
  'application/*+xml',
  'image/svg+xml',
  'application/wasm',
  'application/vnd.ms-fontobject',
  'font/ttf',
  'font/otf',
  'image/x-icon',
];

/** An RFC 9110 token without `*`, which a pattern keeps for its wildcard. */
const TOKEN = "[!#$%&'+.^_`|~0-9A-Za-z-]+";
/** A pattern as a config writes it: `type/subtype`, `type/*` or `type/*+suffix`. */
export const MEDIA_TYPE_PATTERN = new RegExp(`^${TOKEN}/(\\*|\\*\\+${TOKEN}|${TOKEN})$`);

export class MediaTypeSet {
  readonly #exact = new Set<string>();
  /** `text/*` kept as `text/`. */
  readonly #topLevel = new Set<string>();
  /** `application/*+json` kept as `application/` + `+json`. */
  readonly #suffixes: Array<{ readonly top: string; readonly suffix: string }> = [];

  /** `patterns` follow MEDIA_TYPE_PATTERN (the config checked them). */
  constructor(patterns: readonly string[]) {
    for (const raw of patterns) {
      const pattern = raw.toLowerCase();
      const slash = pattern.indexOf('/');
      const subtype = pattern.slice(slash + 1);
      if (subtype === '*') this.#topLevel.add(pattern.slice(0, slash + 1));
      else if (subtype.startsWith('*+')) this.#suffixes.push({ top: pattern.slice(0, slash + 1), suffix: subtype.slice(1) });
      else this.#exact.add(pattern);
    }
  }

  /** Whether a media type (lowercase, as `mediaTypeOf` gives it) is one of the set. */
  has(mediaType: string): boolean {
    if (this.#exact.has(mediaType)) return true;
    const slash = mediaType.indexOf('/');
    if (slash < 0) return false;
    if (this.#topLevel.size > 0 && this.#topLevel.has(mediaType.slice(0, slash + 1))) return true;
    for (const { top, suffix } of this.#suffixes) {
      if (mediaType.startsWith(top) && mediaType.endsWith(suffix) && mediaType.length > top.length + suffix.length) return true;
    }
    return false;
  }
}

/** The media type of a Content-Type value, lowercase and without parameters; undefined when there is none. */
export function mediaTypeOf(contentType: string | number | readonly string[] | undefined): string | undefined {
  if (typeof contentType !== 'string') return undefined;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
  return type.length > 0 && type.includes('/') ? type.toLowerCase() : undefined;
}
