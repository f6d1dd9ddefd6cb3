/**
 * A route's auth policy, compiled once: its mode (with the default applied) and the set of consumers it
 * admits. A route naming `consumers` and `groups` admits a consumer that is named or in one of the
 * groups (either suffices, as Kong's ACL `allow` list does for groups); the set is resolved from the
 * gateway's consumers here, so a request costs one Set lookup.
 */
import { routeAuthMode, type GatewayAuthConfig, type RouteAuthMode } from '../../config/gateway/auth.ts';
import type { ConsumerName } from './outcome.ts';

export interface RoutePolicy {
  readonly auth: RouteAuthMode;
  /** The consumers this route admits; undefined admits every consumer. */
  readonly admits: ReadonlySet<ConsumerName> | undefined;
  /** What it admits, for a 403's reason: `consumers mobile; groups apps`. */
  readonly admitted: string;
}

/** One policy per route, in the order of `gateway.routes`. */
export function compileRoutePolicies(gateway: GatewayAuthConfig): RoutePolicy[] {
  return gateway.routes.map((route) => {
    const auth = routeAuthMode(route, gateway);
    if (route.consumers === undefined && route.groups === undefined) return { auth, admits: undefined, admitted: 'every consumer' };
    const groups = new Set(route.groups ?? []);
    const admits = new Set<ConsumerName>(route.consumers ?? []);
    for (const consumer of gateway.consumers ?? []) {
      if (consumer.groups?.some((group) => groups.has(group))) admits.add(consumer.name);
    }
    const admitted = [route.consumers && `consumers ${route.consumers.join(', ')}`, route.groups && `groups ${route.groups.join(', ')}`];
    return { auth, admits, admitted: admitted.filter(Boolean).join('; ') };
  });
}
