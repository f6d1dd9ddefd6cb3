/**
 * The content codings the proxy can apply (RFC 9110 section 8.4.1): brotli (RFC 7932) and gzip
 * (RFC 1952). deflate is left out on purpose: its name means a zlib stream, yet some clients sent
 * raw deflate for years, so browsers and proxies that offer br and gzip gain nothing from it.
 */
export const CONTENT_CODINGS = ['br', 'gzip'] as const;
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

/** The server's preference when the config names none: brotli packs text ~15-25% smaller than gzip at a like cost. */
export const DEFAULT_CODINGS: readonly ContentCoding[] = ['br', 'gzip'];
