/**
 * The gateway's authenticator: compiled once from its consumers, credentials and routes, it decides
 * per request who the caller is and whether the matched route admits it.
 *
 * - A request's API key is looked at first (synchronous), then its bearer token; one that carries both
 *   is judged on its key. Only a token that reaches the signature check makes the answer a Promise.
 * - `auth: required`: no credential is 401 `missing`; `optional`: no credential passes as anonymous,
 *   but an invalid one is still 401 (Envoy's `allow_missing`: a client that sent a broken credential
 *   is told so); `none`: credentials are not read.
 * - A known consumer the route does not admit is 403 `forbidden`.
 *
 * Outcomes that do not depend on the request (a pass per consumer, anonymous, missing) are built once.
 */
import type { GatewayAuthConfig } from '../../config/gateway/auth.ts';
import { ApiKeyTable } from './api-keys.ts';
import { Challenges } from './challenge.ts';
import { JwtVerifier } from './jwt-verifier.ts';
import type { AuthAnonymous, AuthConsumer, AuthOutcome, AuthRefusal, Consumer, CredentialCheck } from './outcome.ts';
import type { AuthRequest } from './request.ts';
import { compileRoutePolicies, type RoutePolicy } from './route-policy.ts';

export interface AuthenticatorOptions {
  /** Epoch milliseconds, the clock token expiry is checked against (default Date.now). */
  now?: () => number;
  /** The gateway's route policies when its caller has compiled them already (the gateway node shares one copy). */
  policies?: readonly RoutePolicy[];
}

export interface Authenticator {
  /** One compiled policy per route, in the order of the gateway's `routes`. */
  readonly policies: readonly RoutePolicy[];
  /** Whether API keys come in the query: the caller must then pass `request.query`. */
  readonly readsQuery: boolean;
  /** Who the request is, under the matched route's policy. Never throws; a Promise only while a JWT signature is checked. */
  authenticate(request: AuthRequest, policy: RoutePolicy): AuthOutcome | Promise<AuthOutcome>;
}

const NOT_READ: AuthAnonymous = { kind: 'anonymous', reason: 'auth: credentials are not read on this route (auth: none) -> pass' };
const ANONYMOUS: AuthAnonymous = {
  kind: 'anonymous',
  reason: 'auth: no credential, and this route takes none (auth: optional) -> pass as anonymous',
};

export function createAuthenticator(gateway: GatewayAuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  return new GatewayAuthenticator(gateway, options.now ?? Date.now, options.policies ?? compileRoutePolicies(gateway));
}

class GatewayAuthenticator implements Authenticator {
  readonly policies: readonly RoutePolicy[];
  readonly #apiKeys: ApiKeyTable | undefined;
  readonly #jwt: JwtVerifier | undefined;
  readonly #challenges: Challenges;
  readonly #missing: AuthRefusal;
  readonly #passes = new Map<CredentialCheck, AuthConsumer>();

  constructor(gateway: GatewayAuthConfig, now: () => number, policies: readonly RoutePolicy[]) {
    const consumers = gateway.consumers ?? [];
    const identities = new Map<string, Consumer>(
      consumers.map((c) => [c.name, Object.freeze({ name: c.name, groups: Object.freeze(c.groups ?? []) })]),
    );
    const { apiKey, jwt } = gateway.credentials ?? {};
    this.#apiKeys = apiKey ? new ApiKeyTable(consumers, identities, apiKey) : undefined;
    this.#jwt = jwt ? new JwtVerifier(jwt, identities, now) : undefined;
    this.#challenges = new Challenges(gateway.credentials);
    this.policies = policies;
    const expected = [
      jwt && 'Authorization: Bearer <JWT>',
      apiKey && (apiKey.header ? `header ${apiKey.header}` : `query parameter ${apiKey.query}`),
    ];
    this.#missing = {
      kind: 'refused',
      status: 401,
      code: 'EDGE_UNAUTHORIZED',
      detail: 'missing',
      reason: `auth: no credential (expected ${expected.filter(Boolean).join(' or ')}) -> 401`,
      wwwAuthenticate: this.#challenges.missing,
    };
  }

  get readsQuery(): boolean {
    return this.#apiKeys?.readsQuery ?? false;
  }

  authenticate(request: AuthRequest, policy: RoutePolicy): AuthOutcome | Promise<AuthOutcome> {
    if (policy.auth === 'none') return NOT_READ;
    const check = this.#apiKeys?.check(request) ?? this.#jwt?.check(request);
    if (check === undefined) return policy.auth === 'optional' ? ANONYMOUS : this.#missing;
    if (check instanceof Promise) return check.then((settled) => this.#decide(settled, policy));
    return this.#decide(check, policy);
  }

  #decide(check: CredentialCheck, policy: RoutePolicy): AuthOutcome {
    if (!check.ok) {
      // RFC 6750 section 3.1: a request that is otherwise malformed (two credentials) is 400 invalid_request.
      const bad = check.failure === 'ambiguous';
      return {
        kind: 'refused',
        status: bad ? 400 : 401,
        code: bad ? 'EDGE_BAD_REQUEST' : 'EDGE_UNAUTHORIZED',
        detail: check.failure,
        reason: `auth: ${check.found} -> ${bad ? 400 : 401}`,
        wwwAuthenticate: this.#challenges.refused(check.credential, check.found, bad ? 'bad-request' : 'invalid'),
      };
    }
    const { consumer } = check;
    if (policy.admits !== undefined && !policy.admits.has(consumer.name)) {
      const why = `consumer ${consumer.name} may not use this route (it admits ${policy.admitted})`;
      return {
        kind: 'refused',
        status: 403,
        code: 'EDGE_FORBIDDEN',
        detail: 'forbidden',
        reason: `auth: ${why} -> 403`,
        wwwAuthenticate: this.#challenges.refused(check.credential, why, 'forbidden'),
        consumer,
      };
    }
    let pass = this.#passes.get(check);
    if (pass === undefined) {
      pass = { kind: 'consumer', consumer, credential: check.credential, reason: `auth: ${check.found} -> pass` };
      this.#passes.set(check, pass);
    }
    return pass;
  }
}
