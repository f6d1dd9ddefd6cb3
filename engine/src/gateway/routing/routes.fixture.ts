/** Gateway routes for the routing tests, parsed by the real config schema (so tests see what the engine sees). */
import { formatErrors, validateConfig } from '../../config/validate.ts';
import type { RouteConfig } from './compile-route.ts';

/** A gateway with `routes` (each `to` defaulting to the service `s`), validated; throws when invalid. */
export function parseRoutes(routes: ReadonlyArray<Record<string, unknown>>): RouteConfig[] {
  const result = validateConfig({
    version: 1,
    nodes: [
      { id: 'api', kind: 'gateway', routes: routes.map((route) => ({ to: 's', ...route })) },
      { id: 's', kind: 'service' },
      { id: 't', kind: 'service' },
      { id: 'u', kind: 'service' },
    ],
  });
  if (!result.ok) throw new Error(formatErrors(result.errors));
  const gateway = result.config.nodes[0];
  if (gateway.kind !== 'gateway') throw new Error('expected the gateway first');
  return gateway.routes;
}
