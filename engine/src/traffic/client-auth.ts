/**
 * A flow's `auth`: its clients send as the gateway's consumers, client i as consumer i mod n (as the
 * flow's `apiKeys` and `cookies` spread theirs). Each consumer's credential is resolved once, when the
 * flow starts, from the gateway's config: its first API key (in the gateway's header or query
 * parameter), or a JWT the generator mints itself with the gateway's HMAC secret, short-lived and
 * re-minted before it expires. RS*, PS* and ES* gateways hold no private key, so their tokens come from
 * `edgelab token` and go in `headers`.
 */
import type { CredentialsConfig, TrafficAuthConfig } from '../config/gateway/auth.ts';
import type { EdgeConfigParsed, GatewayConfig, TrafficConfig } from '../config/schema.ts';
import { isHmac } from '../gateway/auth/algorithms.ts';
import { signHmacToken, tokenClaims } from '../gateway/auth/mint.ts';
import type { DrawnRequest } from './mix.ts';

/** A minted token lives 5 minutes and is replaced 1 minute before it expires, so one in flight never expires on the way. */
export const TOKEN_LIFETIME_MS = 300_000;
const RENEW_BEFORE_MS = 60_000;

type Jwt = NonNullable<CredentialsConfig['jwt']>;

/** What one consumer sends. */
export type ClientCredential =
  | { kind: 'header'; consumer: string; name: string; value: string }
  | { kind: 'query'; consumer: string; name: string; value: string }
  | { kind: 'jwt'; consumer: string; jwt: Jwt; algorithm: 'HS256' | 'HS384' | 'HS512'; secret: string };

export interface FlowAuthProblem {
  /** Under the flow: `auth.consumers[1]`. */
  path: string;
  message: string;
}

type Flow = Pick<TrafficConfig, 'headers' | 'apiKeys'> & { auth?: TrafficAuthConfig };
type Resolved = { ok: true; credentials: ClientCredential[] } | { ok: false; errors: FlowAuthProblem[] };

/** Each consumer's credential under the gateway the flow names (or the one that lists them all). */
export function resolveFlowAuth(flow: Flow & { auth: TrafficAuthConfig }, gateways: readonly GatewayConfig[]): Resolved {
  const { auth } = flow;
  const found = flowGateway(auth, gateways);
  if ('error' in found) return { ok: false, errors: [found.error] };
  const { gateway } = found;
  const errors: FlowAuthProblem[] = [];
  const credentials: ClientCredential[] = [];
  auth.consumers.forEach((name, i) => {
    const credential = consumerCredential(gateway, name, auth.credential);
    if (typeof credential === 'string') errors.push({ path: `auth.consumers[${i}]`, message: credential });
    else credentials.push(credential);
  });
  errors.push(...headerClashes(flow, credentials));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, credentials };
}

function flowGateway(auth: TrafficAuthConfig, gateways: readonly GatewayConfig[]): { gateway: GatewayConfig } | { error: FlowAuthProblem } {
  const ids = gateways.map((g) => g.id).join(', ') || 'none';
  if (auth.gateway !== undefined) {
    const gateway = gateways.find((g) => g.id === auth.gateway);
    return gateway ? { gateway } : { error: { path: 'auth.gateway', message: `no gateway "${auth.gateway}" (gateways: ${ids})` } };
  }
  const listing = gateways.filter((g) => auth.consumers.every((name) => g.consumers?.some((c) => c.name === name)));
  if (listing.length === 1) return { gateway: listing[0] };
  if (listing.length === 0) {
    return { error: { path: 'auth.consumers', message: `no gateway lists every one of ${auth.consumers.join(', ')} (gateways: ${ids})` } };
  }
  return {
    error: { path: 'auth.gateway', message: `several gateways list these consumers (${listing.map((g) => g.id).join(', ')}): name one` },
  };
}

/** The credential consumer `name` sends at `gateway`, or why it has none. */
function consumerCredential(gateway: GatewayConfig, name: string, wanted: TrafficAuthConfig['credential']): ClientCredential | string {
  const consumer = gateway.consumers?.find((c) => c.name === name);
  if (!consumer)
    return `gateway ${gateway.id} lists no consumer "${name}" (consumers: ${(gateway.consumers ?? []).map((c) => c.name).join(', ') || 'none'})`;
  const { apiKey, jwt } = gateway.credentials ?? {};
  const key = consumer.apiKeys?.[0];
  const credential = wanted ?? (apiKey && key !== undefined ? 'api-key' : 'jwt');
  if (credential === 'api-key') {
    if (!apiKey) return `gateway ${gateway.id} reads no API keys`;
    if (key === undefined) return `consumer ${name} has no API key on gateway ${gateway.id}`;
    return apiKey.header !== undefined
      ? { kind: 'header', consumer: name, name: apiKey.header.toLowerCase(), value: key }
      : { kind: 'query', consumer: name, name: apiKey.query!, value: key };
  }
  if (!jwt) return `gateway ${gateway.id} takes no JWTs${apiKey ? ` and consumer ${name} has no API key` : ''}`;
  const algorithm = jwt.algorithms.find(isHmac);
  if (algorithm === undefined || jwt.secret === undefined) {
    return `gateway ${gateway.id} verifies ${jwt.algorithms.join(', ')} with a public key, so the generator cannot mint its tokens (mint them with edgelab token and send them in headers)`;
  }
  return { kind: 'jwt', consumer: name, jwt, algorithm: algorithm as 'HS256', secret: jwt.secret };
}

/** A header the flow sets that its credentials would overwrite. */
function headerClashes(flow: Flow, credentials: ClientCredential[]): FlowAuthProblem[] {
  const sent = new Set(credentials.map((c) => (c.kind === 'jwt' ? 'authorization' : c.kind === 'header' ? c.name : '')));
  const problems: FlowAuthProblem[] = [];
  for (const name of Object.keys(flow.headers ?? {})) {
    if (sent.has(name.toLowerCase())) problems.push({ path: `headers.${name}`, message: 'auth sends this header: remove it here' });
  }
  if (flow.apiKeys && sent.has(flow.apiKeys.header.toLowerCase())) {
    problems.push({ path: 'apiKeys.header', message: `auth sends the consumers' keys in ${flow.apiKeys.header}: use another header here` });
  }
  return problems;
}

/** The `auth` of every flow of a config checked against its gateways, with paths from the config's root. */
export function trafficAuthErrors(config: EdgeConfigParsed): FlowAuthProblem[] {
  const gateways = config.nodes.filter((n): n is GatewayConfig => n.kind === 'gateway');
  return config.traffic.flatMap((flow, i) => {
    if (!flow.auth) return [];
    const resolved = resolveFlowAuth({ ...flow, auth: flow.auth }, gateways);
    return resolved.ok ? [] : resolved.errors.map((e) => ({ path: `traffic[${i}].${e.path}`, message: e.message }));
  });
}

/** The credentials of a running flow: what each client adds to the requests it sends. */
export class ClientCredentials {
  readonly #credentials: ClientCredential[];
  readonly #clock: () => number;
  /** Per consumer: its current token and when to replace it (jwt only). */
  readonly #tokens: Array<{ bearer: string; renewAt: number } | undefined>;
  readonly #queries: Array<string | undefined>;

  /** `clock`: epoch milliseconds, for the tokens' iat and exp (default Date.now). */
  constructor(credentials: ClientCredential[], clock: () => number = Date.now) {
    this.#credentials = credentials;
    this.#clock = clock;
    this.#tokens = credentials.map(() => undefined);
    this.#queries = credentials.map((c) =>
      c.kind === 'query' ? `${encodeURIComponent(c.name)}=${encodeURIComponent(c.value)}` : undefined,
    );
  }

  /** The header the client always sends (its API key, or its current token), for its identity. */
  headersFor(clientIndex: number): Record<string, string> | undefined {
    const index = clientIndex % this.#credentials.length;
    const credential = this.#credentials[index];
    if (credential.kind === 'header') return { [credential.name]: credential.value };
    if (credential.kind === 'jwt') return { authorization: this.#bearer(index) };
    return undefined;
  }

  /** Put the client's credential on a request about to be sent: the key in the query, or a token still far from expiry. */
  stamp(request: DrawnRequest, clientIndex: number): void {
    const index = clientIndex % this.#credentials.length;
    const query = this.#queries[index];
    if (query !== undefined) request.path += `${request.path.includes('?') ? '&' : '?'}${query}`;
    else if (this.#credentials[index].kind === 'jwt') request.headers!.authorization = this.#bearer(index);
  }

  #bearer(index: number): string {
    const now = this.#clock();
    let token = this.#tokens[index];
    if (token === undefined || now >= token.renewAt) {
      const credential = this.#credentials[index] as Extract<ClientCredential, { kind: 'jwt' }>;
      const claims = tokenClaims(credential.jwt, { consumer: credential.consumer, nowMs: now, lifetimeMs: TOKEN_LIFETIME_MS });
      token = {
        bearer: `Bearer ${signHmacToken(claims, credential.algorithm, credential.secret)}`,
        renewAt: now + TOKEN_LIFETIME_MS - RENEW_BEFORE_MS,
      };
      this.#tokens[index] = token;
    }
    return token.bearer;
  }
}
