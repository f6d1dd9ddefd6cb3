/**
 * Test helpers for authentication: gateway configs parsed by the real schema (so defaults and checks
 * apply), a fixed clock, requests carrying a key or a token, and tokens signed with jose.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayNode, type GatewayConfig } from '../../config/schema.ts';
import { validateConfig } from '../../config/validate.ts';
import type { JwtAlgorithm } from './algorithms.ts';
import { createAuthenticator, type Authenticator } from './authenticator.ts';
import { signToken } from './mint.ts';
import type { AuthOutcome } from './outcome.ts';
import type { AuthRequest } from './request.ts';

/** The fixed clock of auth tests, in epoch milliseconds (2025-01-01T00:00:00Z). */
export const NOW = Date.UTC(2025, 0, 1);
export const NOW_S = NOW / 1000;
/** 40 bytes: enough for HS256 (32), not for HS384 (48). */
export const SECRET = 'edgelab-test-secret-of-forty-bytes-long!';

export const CONSUMERS = [
  { name: 'mobile', apiKeys: ['k-1'], groups: ['apps'] },
  { name: 'web', apiKeys: ['k-2', 'k-3'], groups: ['apps', 'browsers'] },
  { name: 'ops', apiKeys: ['k-ops'], groups: ['staff'] },
];
/** The same consumers for a gateway that takes only JWTs (a key on a gateway that reads none is a config error). */
export const JWT_CONSUMERS = CONSUMERS.map(({ name, groups }) => ({ name, groups }));

/** A gateway parsed by the schema: `fields` on the gateway, one route per entry of `routes` (path /*). */
export function gatewayConfig(fields: Record<string, unknown>, routes: Array<Record<string, unknown>> = [{}]): GatewayConfig {
  return GatewayNode.parse({
    id: 'api',
    kind: 'gateway',
    routes: routes.map((r) => ({ match: { path: '/*' }, to: 'svc', ...r })),
    ...fields,
  });
}

/** The errors a gateway's fields get, as `path: message` with the gateway at nodes[0]. */
export function gatewayErrors(fields: Record<string, unknown>, routes: Array<Record<string, unknown>> = [{}]): string[] {
  const result = validateConfig({
    version: 1,
    nodes: [
      { id: 'api', kind: 'gateway', routes: routes.map((r) => ({ match: { path: '/*' }, to: 'svc', ...r })), ...fields },
      { id: 'svc', kind: 'service' },
    ],
  });
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

/** An authenticator on the fixed clock, for the gateway's first route unless told. */
export function authenticatorFor(fields: Record<string, unknown>, routes?: Array<Record<string, unknown>>): Authenticator {
  return createAuthenticator(gatewayConfig(fields, routes), { now: () => NOW });
}

export async function outcome(auth: Authenticator, headers: IncomingHttpHeaders, route = 0, query?: string): Promise<AuthOutcome> {
  const request: AuthRequest = { headers, query };
  return auth.authenticate(request, auth.policies[route]);
}

export const bearer = (token: string): IncomingHttpHeaders => ({ authorization: `Bearer ${token}` });

/** Claims of a token for consumer mobile issued now, expiring in 60 s. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'mobile', iat: NOW_S, exp: NOW_S + 60, ...overrides };
}

export function hsToken(
  overrides: Record<string, unknown> = {},
  secret = SECRET,
  alg: JwtAlgorithm = 'HS256',
  kid?: string,
): Promise<string> {
  return signToken(claims(overrides), alg, new TextEncoder().encode(secret), kid);
}

/** A token with any header and payload and the given signature part (for unsigned and broken tokens). */
export function rawToken(header: object, payload: object, signature = ''): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
