/**
 * Field builders the config's schema files share (schema.ts and the gateway's fragments in
 * config/gateway/): lists, strings and paths bounded by their limits, with the limits' messages.
 */
import { z } from 'zod';
import { LIMITS, limitMessage, type Limit } from './limits.ts';
/** A list of at most `limit.max` items, with the limit's message. */
export function limitedArray<T extends z.ZodType>(item: T, limit: Limit) {
  return z.array(item).max(limit.max, limitMessage(limit));
}

/** A string of at most `limit.max` characters, with the limit's message. */
export function limitedString(limit: Limit) {
  return z.string().max(limit.max, limitMessage(limit));
}

/** A request path as a config writes it (a route's match, a health check's path): starts with `/`. */
export const PathSpec = limitedString(LIMITS.pathLength).startsWith('/');

