/** Gateway routes for the routing tests, parsed by the real config schema (so tests see what the engine sees). */
import { formatErrors, validateConfig, type ConfigWarning } from '../../config/validate.ts';
import type { RouteConfig } from './compile-route.ts';

/** A gateway with `routes` (`to` defaults to the service `s`; each `to` named is a service), validated; throws when invalid. */
export function parseRoutes(routes: ReadonlyArray<Record<string, unknown>>): RouteConfig[] {
  return parseGateway(routes).routes;
}

/** The same, with the config's warnings. */
export function parseGateway(routes: ReadonlyArray<Record<string, unknown>>): { routes: RouteConfig[]; warnings: ConfigWarning[] } {
  const withTo = routes.map((route) => ({ to: 's', ...route }));
  const services = [...new Set(withTo.map((route) => route.to as string))].map((id) => ({ id, kind: 'service' }));
  const result = validateConfig({ version: 1, nodes: [{ id: 'api', kind: 'gateway', routes: withTo }, ...services] });
  if (!result.ok) throw new Error(formatErrors(result.errors));
  const gateway = result.config.nodes[0];
  if (gateway.kind !== 'gateway') throw new Error('expected the gateway first');
  return { routes: gateway.routes, warnings: result.warnings };
}
