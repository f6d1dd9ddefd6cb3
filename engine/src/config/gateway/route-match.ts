/**
 * A gateway route's `match`: method, path, headers and query, as gateways match them
 * (gateway/routing/ compiles it), and the checks on a gateway's route table as a whole.
 */
import { z } from 'zod';
import { MatchPairs, PathSpec } from '../fields.ts';
import type { GatewayShape } from './shape.ts';

export const RouteMatch = z
  .strictObject({
    path: PathSpec.optional().meta({ description: 'exact path, or a prefix ending in /*' }),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method')
      .optional(),
    headers: MatchPairs.optional(),
    query: MatchPairs.optional(),
  })
  .default({});

/** Checks across a gateway's routes (none yet). */
export function checkGatewayRoutes(_gateway: GatewayShape, _ctx: z.RefinementCtx): void {}
