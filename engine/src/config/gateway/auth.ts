/**
 * Authentication on a gateway: its consumers and credentials (API keys, JWT), each route's `auth` and
 * who may pass it, and a traffic flow's `auth` (send as these consumers). Extend, never rename
 * (ARCHITECTURE.md): the shape is in issue 10. gateway/auth/ compiles what this checks.
 *
 * A route's `auth` defaults to `required` when the gateway has credentials and to `none` when it has
 * none: declaring credentials protects every route, and an open route (a health check) says `auth: none`.
 */
import { z } from 'zod';
import { isHmac, JWT_ALGORITHM_IDS, JWT_ALGORITHMS, keyMismatch, type JwtAlgorithm } from '../../gateway/auth/algorithms.ts';
import { keySetVerifies, parsePublicKey, readKeySetFile } from '../../gateway/auth/keys.ts';
import { Duration } from '../duration.ts';
import { limitedArray, limitedString } from '../fields.ts';
import { LIMITS } from '../limits.ts';
import { NODE_ID } from '../upstream.ts';
import type { GatewayShape } from './shape.ts';

/** Consumer and group names travel in events, logs, metrics and token claims: no spaces, quotes or commas. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:+|-]*$/;
const NAME_MESSAGE = 'expected letters, digits and . _ @ : + | - (starting with a letter or digit)';
const ConsumerName = limitedString(LIMITS.nameLength).regex(NAME, NAME_MESSAGE);
const GroupName = limitedString(LIMITS.nameLength).regex(NAME, NAME_MESSAGE);
/** An API key is sent in a header or a query parameter: visible ASCII, no spaces. */
const ApiKey = limitedString(LIMITS.headerLength).regex(/^[\x21-\x7e]+$/, 'expected visible ASCII characters without spaces');
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const Consumer = z.strictObject({
  name: ConsumerName.meta({ description: `the consumer's name, which routes and limits use (${NAME_MESSAGE.replace('expected ', '')})` }),
  apiKeys: limitedArray(ApiKey, LIMITS.listItems).min(1).optional().meta({
    description: 'keys that identify this consumer (sent where credentials.apiKey says); each key names one consumer',
  }),
  groups: limitedArray(GroupName, LIMITS.listItems).optional().meta({ description: 'groups a route may admit by name' }),
});

const ApiKeyLocation = z
  .strictObject({
    header: limitedString(LIMITS.nameLength).regex(HEADER_NAME, 'expected a header name').optional(),
    query: limitedString(LIMITS.nameLength)
      .regex(/^[A-Za-z0-9._~-]+$/, 'expected a query parameter name (letters, digits and . _ ~ -)')
      .optional(),
  })
  .refine((at) => (at.header === undefined) !== (at.query === undefined), { message: 'give header or query (one of them)' })
  .meta({ description: 'where a request carries its API key: { header: x-api-key } or { query: api_key }' });

const StringOrList = z.union([limitedString(LIMITS.pathLength), limitedArray(limitedString(LIMITS.pathLength), LIMITS.listItems).min(1)]);

/** Defaults of a remote key set (gateway/auth/jwt-keys.ts reads them). */
/** A PEM block (a public key, a certificate): what a key-confusion config pastes where an HMAC secret goes. */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;

export const JWKS_URL_DEFAULTS = { timeoutMs: 1_000, maxAgeMs: 600_000 } as const;

const Jwks = z
  .strictObject({
    file: limitedString(LIMITS.pathLength).min(1).optional().meta({
      description: 'a JSON Web Key Set file, read when the config is read (relative to the working directory, or absolute)',
    }),
    url: limitedString(LIMITS.pathLength)
      .optional()
      .meta({ description: 'an http:// or https:// URL, fetched on the first token and cached' }),
    timeout: Duration.optional().meta({
      description: 'url: a fetch not answered in this time fails the token with 401 no-key (default 1s)',
    }),
    maxAge: Duration.optional().meta({ description: 'url: how long a fetched key set is used before it is fetched again (default 10m)' }),
  })
  .superRefine((jwks, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((jwks.file === undefined) === (jwks.url === undefined)) ctx.addIssue({ code: 'custom', message: 'give file or url (one of them)' });
    if (jwks.url !== undefined && !isHttpUrl(jwks.url)) issue('url', 'expected an http:// or https:// URL');
    if (jwks.file !== undefined && jwks.timeout !== undefined) issue('timeout', 'only a url is fetched: a file is read with the config');
    if (jwks.file !== undefined && jwks.maxAge !== undefined) issue('maxAge', 'only a url is fetched: a file is read with the config');
    if (jwks.timeout !== undefined && jwks.timeout < 1) issue('timeout', 'must be at least 1ms');
  })
  .transform((jwks, ctx) => {
    if (jwks.file === undefined) return { ...jwks, keySet: undefined };
    const read = readKeySetFile(jwks.file);
    if (!read.ok) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: read.problem });
      return z.NEVER;
    }
    return { ...jwks, keySet: read.value };
  })
  .meta({ description: 'a JSON Web Key Set: { file: keys.json } or { url: https://issuer/.well-known/jwks.json }' });

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const JwtSettings = z
  .strictObject({
    algorithms: limitedArray(z.enum(JWT_ALGORITHM_IDS), LIMITS.listItems).min(1).meta({
      description: 'the algorithms a token may be signed with (an explicit allow-list; alg none is never allowed)',
    }),
    secret: limitedString(LIMITS.headerLength).optional().meta({
      description: 'the shared secret of HS256/HS384/HS512 (at least 32/48/64 bytes, RFC 7518 section 3.2)',
    }),
    publicKey: limitedString(LIMITS.headerLength).optional().meta({
      description: 'a PEM public key for RS*, PS* or ES* (-----BEGIN PUBLIC KEY-----)',
    }),
    jwks: Jwks.optional(),
    issuer: StringOrList.optional().meta({ description: 'the iss a token must carry (one, or a list of accepted ones)' }),
    audience: StringOrList.optional().meta({ description: 'an aud a token must carry (one, or a list of accepted ones)' }),
    clockSkew: Duration.default(30_000).meta({ description: 'leeway on exp and nbf for clocks that disagree (default 30s)' }),
    consumerClaim: limitedString(LIMITS.nameLength).min(1).default('sub').meta({
      description: 'the claim that names the consumer (default sub); it must name a listed consumer',
    }),
  })
  .meta({ description: 'JWT bearer tokens (Authorization: Bearer ...), verified with jose' });

const Credentials = z
  .strictObject({ apiKey: ApiKeyLocation.optional(), jwt: JwtSettings.optional() })
  .refine((credentials) => credentials.apiKey !== undefined || credentials.jwt !== undefined, {
    message: 'give apiKey, jwt or both',
  });

/** The gateway's own fields: `consumers`, `credentials`. */
export const GatewayAuthFields = {
  consumers: limitedArray(Consumer, LIMITS.consumers).optional().meta({
    description: 'who may call: [{ name: mobile, apiKeys: [k-1], groups: [apps] }]; the name is what limits, logs and metrics use',
  }),
  credentials: Credentials.optional().meta({
    description: 'what identifies a consumer: { apiKey: { header: x-api-key }, jwt: { algorithms: [HS256], secret: ... } }',
  }),
};

export const ROUTE_AUTH_MODES = ['required', 'optional', 'none'] as const;

/** A route's fields: `auth: required | optional | none`, and who may pass. */
export const RouteAuthFields = {
  auth: z.enum(ROUTE_AUTH_MODES).optional().meta({
    description:
      'required: a valid credential (401 without); optional: none passes as anonymous, an invalid one is 401; none: credentials are not read. Default: required when the gateway has credentials, else none',
  }),
  consumers: limitedArray(ConsumerName, LIMITS.listItems).min(1).optional().meta({
    description: 'only these consumers (or those of `groups`) may pass; others get 403',
  }),
  groups: limitedArray(GroupName, LIMITS.listItems).min(1).optional().meta({
    description: 'only consumers in one of these groups (or named in `consumers`) may pass; others get 403',
  }),
};

export const TRAFFIC_CREDENTIALS = ['api-key', 'jwt'] as const;

/** A traffic flow's `auth`: its clients send as these consumers (client i as consumer i mod n). */
export const TrafficAuth = z
  .strictObject({
    consumers: limitedArray(ConsumerName, LIMITS.listItems).min(1).meta({ description: 'client i sends as consumer number i mod n' }),
    gateway: limitedString(LIMITS.idLength)
      .regex(NODE_ID, 'expected a node id')
      .optional()
      .meta({ description: 'the gateway whose consumers these are (default: the one gateway that lists them all)' }),
    credential: z.enum(TRAFFIC_CREDENTIALS).optional().meta({
      description:
        "api-key: the consumer's first API key; jwt: a short-lived token minted with the gateway's HS secret. Default: api-key when the gateway reads keys and the consumer has one, else jwt",
    }),
  })
  .meta({ description: "send each client's credential: { consumers: [mobile, web] } (client i as consumer i mod n)" });

export type ConsumerConfig = z.output<typeof Consumer>;
export type JwtConfig = z.output<typeof JwtSettings>;
export type CredentialsConfig = z.output<typeof Credentials>;
export type RouteAuthMode = (typeof ROUTE_AUTH_MODES)[number];
export type TrafficAuthConfig = z.output<typeof TrafficAuth>;

/** The gateway as the auth checks and gateway/auth/ read it. */
export interface GatewayAuthConfig {
  consumers?: ConsumerConfig[];
  credentials?: CredentialsConfig;
  routes: Array<{ auth?: RouteAuthMode; consumers?: string[]; groups?: string[] }>;
}

/** A route's mode once its default is applied (see the opening comment). */
export function routeAuthMode(route: { auth?: RouteAuthMode }, gateway: Pick<GatewayAuthConfig, 'credentials'>): RouteAuthMode {
  return route.auth ?? (gateway.credentials ? 'required' : 'none');
}

type Issue = (path: Array<string | number>, message: string) => void;

/** Checks across the gateway: consumers and keys unique, every key usable, routes naming known consumers and groups. */
export function checkGatewayAuth(shape: GatewayShape, ctx: z.RefinementCtx): void {
  const gateway = shape as unknown as GatewayAuthConfig;
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const consumers = gateway.consumers ?? [];
  checkConsumers(consumers, gateway.credentials, issue);
  if (gateway.credentials?.jwt) checkJwt(gateway.credentials.jwt, issue);
  if (gateway.credentials?.jwt && consumers.length === 0) {
    issue(
      ['consumers'],
      `required by credentials.jwt: a token names its consumer in claim ${gateway.credentials.jwt.consumerClaim}, and only listed consumers pass`,
    );
  }
  const apiKey = gateway.credentials?.apiKey;
  if (apiKey && !consumers.some((c) => c.apiKeys))
    issue(['credentials', 'apiKey'], 'no consumer has apiKeys, so every key would be refused');
  if (apiKey?.header?.toLowerCase() === 'authorization' && gateway.credentials?.jwt) {
    issue(['credentials', 'apiKey', 'header'], 'Authorization carries the JWT; read the API key from another header');
  }
  checkRoutes(gateway, issue);
}

function checkConsumers(consumers: ConsumerConfig[], credentials: CredentialsConfig | undefined, issue: Issue): void {
  const names = new Map<string, number>();
  const keys = new Map<string, string>();
  consumers.forEach((consumer, i) => {
    const first = names.get(consumer.name);
    if (first !== undefined) issue(['consumers', i, 'name'], `duplicate consumer "${consumer.name}" (also consumers[${first}])`);
    else names.set(consumer.name, i);
    if (consumer.apiKeys && !credentials?.apiKey) {
      issue(['consumers', i, 'apiKeys'], 'the gateway reads no API keys: add credentials: { apiKey: { header: x-api-key } }');
    }
    consumer.apiKeys?.forEach((key, k) => {
      // The key itself is never echoed: error messages are shown and logged.
      const earlier = keys.get(key);
      if (earlier !== undefined) issue(['consumers', i, 'apiKeys', k], `the same key as ${earlier}: each key must name one consumer`);
      else keys.set(key, `consumers[${i}].apiKeys[${k}]`);
    });
  });
}

/** Every allowed algorithm has its own kind of key, and every key given serves some algorithm. */
function checkJwt(jwt: JwtConfig, issue: Issue): void {
  const at = (...path: Array<string | number>) => ['credentials', 'jwt', ...path];
  if (jwt.secret === undefined && jwt.publicKey === undefined && jwt.jwks === undefined) {
    issue(at(), 'needs a key: secret (HS*), publicKey (a PEM, for RS*, PS*, ES*) or jwks');
    return;
  }
  if (jwt.publicKey !== undefined && jwt.jwks !== undefined) issue(at('jwks'), 'give publicKey or jwks, not both');
  const hmac = jwt.algorithms.filter(isHmac);
  const asymmetric = jwt.algorithms.filter((a) => !isHmac(a));
  if (jwt.secret !== undefined && hmac.length === 0) {
    issue(
      at('secret'),
      `none of ${jwt.algorithms.join(', ')} takes a secret: ${jwt.algorithms.join(', ')} verify with a public key (publicKey or jwks)`,
    );
  }
  if (jwt.secret !== undefined && PEM_BLOCK.test(jwt.secret)) {
    issue(
      at('secret'),
      'this is a PEM block (a key or a certificate), not a shared secret: a public key as the HMAC secret lets anyone who has it sign HS tokens (key confusion); an HS secret is random bytes known only to the issuer and the gateway',
    );
  } else if (jwt.secret !== undefined) {
    const bytes = Buffer.byteLength(jwt.secret);
    for (const algorithm of hmac) {
      const min = JWT_ALGORITHMS[algorithm as 'HS256'].minSecretBytes;
      if (bytes < min) {
        issue(
          at('secret'),
          `${algorithm} needs a secret of at least ${min} bytes (${min * 8} bits, RFC 7518 section 3.2); this one has ${bytes}`,
        );
      }
    }
  }
  jwt.algorithms.forEach((algorithm, i) => {
    if (isHmac(algorithm) && jwt.secret === undefined) {
      issue(
        at('algorithms', i),
        `${algorithm} verifies with a shared secret: give secret (a public key used as an HMAC secret is key confusion)`,
      );
    }
    if (!isHmac(algorithm) && jwt.publicKey === undefined && jwt.jwks === undefined) {
      issue(at('algorithms', i), `${algorithm} verifies with a public key: give publicKey or jwks (a secret cannot verify it)`);
    }
  });
  if ((jwt.publicKey !== undefined || jwt.jwks !== undefined) && asymmetric.length === 0) {
    issue(
      at(jwt.publicKey !== undefined ? 'publicKey' : 'jwks'),
      `${hmac.join(', ')} take a shared secret: a public key used as an HMAC secret is the key-confusion attack`,
    );
    return;
  }
  if (jwt.publicKey !== undefined) checkPublicKey(jwt.publicKey, asymmetric, issue);
  const keySet = jwt.jwks?.keySet;
  if (keySet) {
    jwt.algorithms.forEach((algorithm, i) => {
      if (!isHmac(algorithm) && !keySetVerifies(keySet, algorithm))
        issue(at('algorithms', i), `no key of the jwks file verifies ${algorithm}`);
    });
  }
}

function checkPublicKey(pem: string, algorithms: JwtAlgorithm[], issue: Issue): void {
  const parsed = parsePublicKey(pem);
  if (!parsed.ok) return issue(['credentials', 'jwt', 'publicKey'], parsed.problem);
  for (const algorithm of algorithms) {
    const mismatch = keyMismatch(parsed.value, algorithm);
    if (mismatch)
      issue(['credentials', 'jwt', 'publicKey'], `${mismatch} (one publicKey verifies one kind of algorithm; use jwks for several)`);
  }
}

function checkRoutes(gateway: GatewayAuthConfig, issue: Issue): void {
  const consumers = new Set((gateway.consumers ?? []).map((c) => c.name));
  const groups = new Set((gateway.consumers ?? []).flatMap((c) => c.groups ?? []));
  gateway.routes.forEach((route, i) => {
    const mode = routeAuthMode(route, gateway);
    if (mode !== 'none' && !gateway.credentials) {
      issue(['routes', i, 'auth'], `${mode} needs credentials on the gateway: add credentials (apiKey or jwt) and consumers`);
    }
    const restricts = route.consumers !== undefined || route.groups !== undefined;
    if (restricts && mode !== 'required') {
      issue(
        ['routes', i, route.consumers ? 'consumers' : 'groups'],
        `restricting who may pass needs auth: required (this route's auth is ${mode})`,
      );
    }
    route.consumers?.forEach((name, k) => {
      if (!consumers.has(name)) issue(['routes', i, 'consumers', k], `unknown consumer "${name}"${listed('consumers', consumers)}`);
    });
    route.groups?.forEach((name, k) => {
      if (!groups.has(name)) issue(['routes', i, 'groups', k], `no consumer is in group "${name}"${listed('groups', groups)}`);
    });
  });
}

function listed(what: string, names: Set<string>): string {
  return names.size === 0 ? ` (the gateway has no ${what})` : ` (${what}: ${[...names].join(', ')})`;
}
