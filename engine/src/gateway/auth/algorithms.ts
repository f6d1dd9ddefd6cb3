/**
 * The JWT signature algorithms a gateway may allow (RFC 7518 section 3), and which key verifies each:
 * HMAC takes a shared secret, the others a public key of one type. The config checks and the verifier
 * both read this table, so an algorithm is always paired with its own kind of key (a public key used
 * as an HMAC secret is the key-confusion attack, refused at config time). These are the algorithms
 * jose verifies with WebCrypto in Node 20; EdDSA is left out (jose names it twice: EdDSA and Ed25519).
 */
import type { KeyObject } from 'node:crypto';

export type KeyFamily = 'hmac' | 'rsa' | 'ec';

interface AlgorithmSpec {
  readonly family: KeyFamily;
  /** HMAC: the shortest secret allowed, in bytes (RFC 7518 section 3.2: at least the hash size). */
  readonly minSecretBytes?: number;
  /** ECDSA: the curve its key must be on (JOSE name). */
  readonly curve?: string;
}

export const JWT_ALGORITHMS = {
  HS256: { family: 'hmac', minSecretBytes: 32 },
  HS384: { family: 'hmac', minSecretBytes: 48 },
  HS512: { family: 'hmac', minSecretBytes: 64 },
  RS256: { family: 'rsa' },
  RS384: { family: 'rsa' },
  RS512: { family: 'rsa' },
  PS256: { family: 'rsa' },
  PS384: { family: 'rsa' },
  PS512: { family: 'rsa' },
  ES256: { family: 'ec', curve: 'P-256' },
  ES384: { family: 'ec', curve: 'P-384' },
  ES512: { family: 'ec', curve: 'P-521' },
} as const satisfies Record<string, AlgorithmSpec>;

export type JwtAlgorithm = keyof typeof JWT_ALGORITHMS;
export const JWT_ALGORITHM_IDS = Object.keys(JWT_ALGORITHMS) as [JwtAlgorithm, ...JwtAlgorithm[]];

/** jose (and RFC 8725 section 3.5's advice) refuse shorter RSA keys. */
export const MIN_RSA_BITS = 2048;

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && Object.hasOwn(JWT_ALGORITHMS, value);
}

export function isHmac(algorithm: JwtAlgorithm): boolean {
  return JWT_ALGORITHMS[algorithm].family === 'hmac';
}

/** Node's names of the JOSE curves. */
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A public key as a learner reads it: `an RSA key of 2048 bits`, `an EC P-256 key`. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `an RSA key of ${details.modulusLength} bits`;
  if (key.asymmetricKeyType === 'ec') return `an EC ${CURVES[details.namedCurve ?? ''] ?? details.namedCurve} key`;
  return `a ${key.asymmetricKeyType ?? key.type} key`;
}

/** Why `key` (a public or private key) cannot sign or verify `algorithm`, or undefined when it can. */
export function keyMismatch(key: KeyObject, algorithm: JwtAlgorithm): string | undefined {
  const spec: AlgorithmSpec = JWT_ALGORITHMS[algorithm];
  const details = key.asymmetricKeyDetails ?? {};
  if (spec.family === 'hmac') return `${algorithm} takes a shared secret, not ${describeKey(key)} (that would be key confusion)`;
  if (spec.family === 'rsa') {
    if (key.asymmetricKeyType !== 'rsa') return `${algorithm} needs an RSA key; this is ${describeKey(key)}`;
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS)
      return `${algorithm} needs an RSA key of at least ${MIN_RSA_BITS} bits; this is ${describeKey(key)}`;
    return undefined;
  }
  if (key.asymmetricKeyType !== 'ec' || CURVES[details.namedCurve ?? ''] !== spec.curve) {
    return `${algorithm} needs an EC ${spec.curve} key; this is ${describeKey(key)}`;
  }
  return undefined;
}
