/**
 * A traffic flow's `conditional`: its clients revalidate what they already have, as a browser's own cache
 * does. Each client remembers the validators (ETag, Last-Modified) of the last answer it got per path and
 * sends them back (If-None-Match, If-Modified-Since) on its next GET or HEAD of that path, so the edge's
 * cache or the origin can answer 304 Not Modified without the body (traffic/conditional.ts).
 *
 *   conditional: true     # every request for a path the client has validators for
 *   conditional: 0.3      # that share of them (drawn per request); the rest are sent plain
 */
import { z } from 'zod';

export const TrafficConditional = z
  .union([z.boolean(), z.number().min(0).max(1)])
  .transform((value) => (value === true ? 1 : value === false ? 0 : value))
  .meta({
    description:
      'clients send back the ETag / Last-Modified they last got for a path (If-None-Match, If-Modified-Since): true, or the share 0..1 of such requests sent conditional',
  });

/** The flow's field: the share of revalidations, 0 (none, the default) to 1. */
export const TrafficConditionalFields = {
  conditional: TrafficConditional.optional(),
};
