/**
 * The gateway's auth stage: who sent the request (an API key or a JWT, gateway/auth/), and whether
 * the route admits them. The consumer found is kept on the exchange for the stages after (a rate
 * limit keyed by consumer, a transform's `{consumer.name}`) and for the trace and metrics. Refusals
 * are 401 with `WWW-Authenticate` (no valid credential) or 403 (a known consumer the route does not
 * admit). A gateway where no route asks for a consumer has no auth stage.
 */
import type { GatewayConfig } from '../../config/schema.ts';
import type { Exchange } from '../../pipeline/exchange.ts';
import { SKIP, type Stage, type Verdict } from '../../pipeline/verdict.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import type { AuthOutcome } from '../auth/outcome.ts';
import type { RoutePolicy } from '../auth/route-policy.ts';
import type { GatewayRequest } from '../request.ts';

/** The auth stage for the route policies compiled from `config`, or undefined when every route's `auth` is `none`. */
export function createAuthStage(config: GatewayConfig, policies: readonly RoutePolicy[]): Stage<GatewayRequest> | undefined {
  if (policies.every((p) => p.auth === 'none')) return undefined;
  const authenticator = createAuthenticator(config, { policies });
  const { readsQuery } = authenticator;
  return {
    name: 'auth',
    run(exchange) {
      const policy = policies[exchange.local!.hit.route];
      if (policy.auth === 'none') return SKIP;
      const { req } = exchange;
      const target = req.url ?? '/';
      const q = readsQuery ? target.indexOf('?') : -1;
      const outcome = authenticator.authenticate(
        { headers: req.headers, rawHeaders: req.rawHeaders, query: q === -1 ? undefined : target.slice(q + 1) },
        policy,
      );
      return outcome instanceof Promise ? outcome.then((o) => verdictOf(exchange, o)) : verdictOf(exchange, outcome);
    },
  };
}

function verdictOf(exchange: Exchange<GatewayRequest>, outcome: AuthOutcome): Verdict {
  switch (outcome.kind) {
    case 'consumer':
      exchange.consumer = outcome.consumer;
      return { kind: 'continue', reason: outcome.reason };
    case 'anonymous':
      return { kind: 'continue', reason: outcome.reason };
    case 'refused':
      if (outcome.consumer !== undefined) exchange.consumer = outcome.consumer;
      return {
        kind: 'respond',
        error: outcome.code,
        ...(outcome.wwwAuthenticate === undefined ? {} : { headers: { 'www-authenticate': outcome.wwwAuthenticate } }),
        decision: { stage: 'auth', reason: outcome.reason },
      };
  }
}
