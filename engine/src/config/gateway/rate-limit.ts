/**
 * Throttling on a gateway: `rateLimit` on a route or on the whole gateway (one limit or a list), and
 * where limiter state lives (`store`). Extend, never rename (ARCHITECTURE.md): the shape is in issue 10.
 */
import type { z } from 'zod';
import type { GatewayShape } from './shape.ts';

/** The gateway's own fields: a gateway-wide `rateLimit`, the limiter `store`. */
export const GatewayLimitFields = {};

/** A route's fields: `rateLimit`. */
export const RouteLimitFields = {};

/** Checks across the gateway (a `consumer` key needs consumers...). */
export function checkGatewayLimits(_gateway: GatewayShape, _ctx: z.RefinementCtx): void {}
