/**
 * Transformation and aggregation on a gateway route: request and response transforms (headers, path
 * and query, JSON body fields) and `aggregate` (several upstreams merged into one answer).
 */
import type { z } from 'zod';
import type { GatewayShape } from './shape.ts';

/** A route's fields: `transform`, `aggregate`. */
export const RouteTransformFields = {};

/** Checks across the gateway's routes. */
export function checkGatewayTransforms(_gateway: GatewayShape, _ctx: z.RefinementCtx): void {}
