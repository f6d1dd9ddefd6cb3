/**
 * Compression on a proxy node (issue 11 section 3). Extend, never rename (ARCHITECTURE.md):
 *
 *   compression: true                                   # the defaults below
 *   compression: { minSize: 1kb, types: [text/*, application/json], algorithms: [br, gzip], level: { br: 4, gzip: 6 } }
 *
 * `algorithms` is the server's preference order: it breaks ties between codings the client weighs
 * alike. `types` replaces the default list (proxy/compression/media-types.ts). The levels trade CPU
 * for bytes on live traffic; the defaults and why are in proxy/compression/encoder.ts.
 */
import { z } from 'zod';
import { CONTENT_CODINGS } from '../../proxy/compression/codings.ts';
import { DEFAULT_COMPRESSIBLE_TYPES, MEDIA_TYPE_PATTERN } from '../../proxy/compression/media-types.ts';
import { MAX_RESPONSE_SIZE } from '../../service/service-body.ts';
import { byteSize, limitedArray } from '../fields.ts';
import { LIMITS } from '../limits.ts';

/** Responses smaller than this go as is by default: under ~1 KB the coding's framing eats most of the gain. */
export const DEFAULT_MIN_SIZE = 1024;

const MinSize = byteSize({
  max: MAX_RESPONSE_SIZE,
  like: '1kb or 512b',
  bound: 'at most 64mb',
  description: 'bytes, or a string with a unit: 512b, 1kb, 1.5mb (1kb = 1024 bytes), at most 64mb; default 1kb',
});

const MediaTypePattern = z
  .string()
  .max(255, 'at most 255 characters: type and subtype are 127 each at most (RFC 6838 section 4.2)')
  .regex(MEDIA_TYPE_PATTERN, 'expected a media type (application/json), a top-level type (text/*) or a suffix (application/*+json)');

const Algorithms = z
  .array(z.enum(CONTENT_CODINGS))
  .min(1, 'name at least one coding (or set compression: false)')
  .max(CONTENT_CODINGS.length)
  .refine((codings) => new Set(codings).size === codings.length, { message: 'each coding at most once' })
  .meta({ description: 'the codings offered, most preferred first (ties in Accept-Encoding go to the first); default [br, gzip]' });

const Level = z.strictObject({
  br: z.number().int().min(0).max(11).optional().meta({ description: 'brotli quality 0-11 (default 4; 11 is for files built ahead, far too slow for live traffic)' }),
  gzip: z.number().int().min(1).max(9).optional().meta({ description: 'gzip level 1-9 (default 6, zlib\'s own default)' }),
});

export const CompressionSettings = z.strictObject({
  minSize: MinSize.optional(),
  types: limitedArray(MediaTypePattern, LIMITS.listItems)
    .min(1, 'name at least one type (or set compression: false)')
    .optional()
    .meta({ description: `media types to compress, replacing the defaults (${DEFAULT_COMPRESSIBLE_TYPES.slice(0, 4).join(', ')}, ...)` }),
  algorithms: Algorithms.optional(),
  level: Level.optional(),
});

/** The proxy's fields: `compression`. */
export const ProxyCompressionFields = {
  compression: z
    .union([z.boolean(), CompressionSettings])
    .optional()
    .meta({ description: 'gzip and brotli negotiated from Accept-Encoding: true for the defaults, or { minSize, types, algorithms, level }' }),
};

export type CompressionSettingsConfig = z.output<typeof CompressionSettings>;
/** `compression` as a parsed config holds it. */
export type CompressionConfig = boolean | CompressionSettingsConfig | undefined;
