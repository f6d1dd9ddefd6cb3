/**
 * Authentication on a gateway: its consumers and credentials (API keys, JWT), and each route's `auth`.
 * Extend, never rename (ARCHITECTURE.md): the shape is in issue 10.
 */
import type { z } from 'zod';
import type { GatewayShape } from './shape.ts';

/** The gateway's own fields: `consumers`, `credentials`. */
export const GatewayAuthFields = {};

/** A route's fields: `auth: required | optional | none`, and who may pass. */
export const RouteAuthFields = {};

/** Checks across the gateway (a route's consumers exist, a JWT config has a key...). */
export function checkGatewayAuth(_gateway: GatewayShape, _ctx: z.RefinementCtx): void {}
