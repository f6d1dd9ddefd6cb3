/**
 * `edgelab token`: mints a test JWT for a consumer, with the claims a gateway of a config expects
 * (its consumer claim, issuer, audience) or the ones the flags give. HMAC tokens are signed with the
 * configured secret (or `--secret`); RS*, PS* and ES* need the private key (`--key private.pem`),
 * since a config holds only the public key. Against a key set file, the kid is the one of the key set's
 * key that matches the private key, unless `--kid` says otherwise.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { JwtConfig } from '../config/gateway/auth.ts';
import type { EdgeConfigParsed, GatewayConfig } from '../config/schema.ts';
import { isHmac, isJwtAlgorithm, JWT_ALGORITHM_IDS, JWT_ALGORITHMS, keyMismatch, type JwtAlgorithm } from '../gateway/auth/algorithms.ts';
import { readSmallFile } from '../gateway/auth/keys.ts';
import { signToken, tokenClaims } from '../gateway/auth/mint.ts';

export interface TokenFlags {
  gateway?: string;
  consumer?: string;
  expires: string;
  notBefore?: string;
  key?: string;
  alg?: string;
  kid?: string;
  secret?: string;
  issuer?: string;
  audience?: string;
  claim?: string;
}

/** A flag that cannot be used as given: the command exits 2 with the message and the usage. */
export class FlagError extends Error {}

const LIFETIME = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: longer is a typo, not a test token. */
const MAX_LIFETIME_MS = 3_650 * UNIT_MS.d;

/** A token lifetime: whole seconds, minutes, hours or days (`90s`, `30m`, `1h`, `7d`). */
export function parseLifetime(text: string): number | undefined {
  const match = LIFETIME.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_LIFETIME_MS ? ms : undefined;
}

export interface MintedToken {
  token: string;
  /** What was minted, for stderr: `consumer mobile of gateway api, HS256, expires 2025-01-01T01:00:00.000Z`. */
  summary: string;
}

/** The token `flags` ask for, under the JWT settings of a gateway of `config` when one is given. */
export async function mintTestToken(flags: TokenFlags, config: EdgeConfigParsed | undefined, nowMs: number): Promise<MintedToken> {
  if (flags.consumer === undefined) throw new FlagError('--consumer: required: the consumer the token names');
  const lifetimeMs = parseLifetime(flags.expires);
  if (lifetimeMs === undefined || lifetimeMs === 0)
    throw new FlagError(`--expires: expected a lifetime like 90s, 30m, 1h or 7d, got "${flags.expires}"`);
  const notBeforeMs = flags.notBefore === undefined ? undefined : parseLifetime(flags.notBefore);
  if (flags.notBefore !== undefined && notBeforeMs === undefined)
    throw new FlagError(`--not-before: expected a delay like 0s, 30s or 5m, got "${flags.notBefore}"`);
  const gateway = config ? jwtGateway(config, flags.gateway) : undefined;
  const jwt = gateway?.credentials?.jwt;
  if (gateway && !gateway.consumers?.some((c) => c.name === flags.consumer)) {
    const names = (gateway.consumers ?? []).map((c) => c.name).join(', ');
    throw new FlagError(`--consumer: gateway ${gateway.id} lists no consumer "${flags.consumer}" (consumers: ${names})`);
  }
  const settings = {
    consumerClaim: flags.claim ?? jwt?.consumerClaim ?? 'sub',
    issuer: flags.issuer ?? jwt?.issuer,
    audience: flags.audience ?? jwt?.audience,
  };
  const { algorithm, key, kid } = flags.key !== undefined ? privateKeySigner(flags, flags.key, jwt) : secretSigner(flags, jwt, gateway?.id);
  const claims = tokenClaims(settings, { consumer: flags.consumer, nowMs, lifetimeMs, notBeforeMs });
  const token = await signToken(claims, algorithm, key, kid);
  const of = gateway ? ` of gateway ${gateway.id}` : '';
  return {
    token,
    summary: `consumer ${flags.consumer}${of}, ${algorithm}${kid ? ` (kid ${kid})` : ''}, expires ${new Date((claims.exp as number) * 1000).toISOString()}`,
  };
}

/** The gateway whose JWT settings apply: the one `--gateway` names, or the config's only gateway with JWT credentials. */
function jwtGateway(config: EdgeConfigParsed, id: string | undefined): GatewayConfig {
  const gateways = config.nodes.filter((n): n is GatewayConfig => n.kind === 'gateway' && n.credentials?.jwt !== undefined);
  if (id !== undefined) {
    const node = config.nodes.find((n) => n.id === id);
    if (!node) throw new FlagError(`--gateway: the config has no node "${id}"`);
    if (node.kind !== 'gateway' || !node.credentials?.jwt) {
      throw new FlagError(
        `--gateway: "${id}" is not a gateway with JWT credentials${gateways.length ? ` (those are: ${gateways.map((g) => g.id).join(', ')})` : ''}`,
      );
    }
    return node;
  }
  if (gateways.length === 1) return gateways[0];
  if (gateways.length === 0) throw new FlagError('the config has no gateway with JWT credentials (credentials.jwt)');
  throw new FlagError(
    `--gateway: the config has several gateways with JWT credentials (${gateways.map((g) => g.id).join(', ')}): name one`,
  );
}

interface Signer {
  algorithm: JwtAlgorithm;
  key: Uint8Array | KeyObject;
  kid: string | undefined;
}

function secretSigner(flags: TokenFlags, jwt: JwtConfig | undefined, gateway: string | undefined): Signer {
  const allowed = jwt?.algorithms ?? JWT_ALGORITHM_IDS;
  const algorithm = flags.alg === undefined ? allowed.find(isHmac) : checkedAlg(flags.alg, allowed, gateway);
  const secret = flags.secret ?? jwt?.secret;
  if (algorithm === undefined) {
    throw new FlagError(
      `--key: gateway ${gateway} verifies ${allowed.join(', ')} with a public key; sign with its private key: --key private.pem`,
    );
  }
  if (!isHmac(algorithm)) throw new FlagError(`--key: ${algorithm} signs with a private key: give --key private.pem`);
  if (secret === undefined)
    throw new FlagError(
      `--secret: ${algorithm} signs with a shared secret: give a config file whose gateway has one, --secret, or --key for RS*, PS*, ES*`,
    );
  const min = JWT_ALGORITHMS[algorithm as 'HS256'].minSecretBytes;
  if (Buffer.byteLength(secret) < min)
    throw new FlagError(`--secret: ${algorithm} needs a secret of at least ${min} bytes (RFC 7518 section 3.2)`);
  return { algorithm, key: new TextEncoder().encode(secret), kid: flags.kid };
}

/** A private key in PEM is a few KB; a file far larger is not one. */
const MAX_KEY_FILE_BYTES = 1_048_576;

function privateKeySigner(flags: TokenFlags, file: string, jwt: JwtConfig | undefined): Signer {
  const pem = readSmallFile(file, MAX_KEY_FILE_BYTES, 'a private key');
  if (!pem.ok) throw new FlagError(`--key: ${pem.problem}`);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem.value);
  } catch {
    throw new FlagError(`--key: ${file} is not a PEM private key`);
  }
  const allowed = (jwt?.algorithms ?? JWT_ALGORITHM_IDS).filter((a) => !isHmac(a));
  let algorithm: JwtAlgorithm | undefined;
  if (flags.alg !== undefined) {
    algorithm = checkedAlg(flags.alg, jwt?.algorithms ?? JWT_ALGORITHM_IDS, undefined);
    const mismatch = keyMismatch(key, algorithm);
    if (mismatch) throw new FlagError(`--alg: ${mismatch}`);
  } else {
    algorithm = allowed.find((a) => keyMismatch(key, a) === undefined);
    if (algorithm === undefined)
      throw new FlagError(`--key: the key fits none of ${allowed.join(', ') || 'the algorithms the gateway allows'}`);
  }
  const keySet = jwt?.jwks?.keySet;
  return { algorithm, key, kid: flags.kid ?? (keySet ? kidOf(key, keySet) : undefined) };
}

function checkedAlg(alg: string, allowed: readonly JwtAlgorithm[], gateway: string | undefined): JwtAlgorithm {
  if (!isJwtAlgorithm(alg)) throw new FlagError(`--alg: expected one of ${JWT_ALGORITHM_IDS.join(', ')}, got "${alg}"`);
  if (!allowed.includes(alg))
    throw new FlagError(`--alg: the gateway${gateway ? ` ${gateway}` : ''} does not allow ${alg} (allowed: ${allowed.join(', ')})`);
  return alg;
}

/** The kid of the key set's entry that is this private key's public half. */
function kidOf(privateKey: KeyObject, keySet: JSONWebKeySet): string | undefined {
  const publicKey = createPublicKey(privateKey);
  return keySet.keys.find((jwk) => createPublicKey({ key: jwk as never, format: 'jwk' }).equals(publicKey))?.kid;
}
