/**
 * Test tokens for a consumer, as a gateway's JWT settings expect them: the consumer in its consumer
 * claim, its issuer and audience (the first, when it accepts several), iat and exp. `edgelab token`
 * signs with jose (any algorithm, a private key for RS/PS/ES); the traffic generator mints HMAC tokens
 * synchronously on its send path with `signHmacToken`, the same bytes jose produces (a test holds it so).
 */
import { createHmac } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { JwtConfig } from '../../config/gateway/auth.ts';
import type { JwtAlgorithm } from './algorithms.ts';

export interface TokenRequest {
  consumer: string;
  /** Epoch milliseconds: iat. */
  nowMs: number;
  /** exp is this long after iat (rounded up to a second). */
  lifetimeMs: number;
  /** nbf this long after iat, when given. */
  notBeforeMs?: number;
}

type ClaimSettings = Pick<JwtConfig, 'consumerClaim' | 'issuer' | 'audience'>;

export function tokenClaims(settings: ClaimSettings, request: TokenRequest): JWTPayload {
  const iat = Math.floor(request.nowMs / 1000);
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    [settings.consumerClaim]: request.consumer,
    ...(settings.issuer !== undefined ? { iss: first(settings.issuer) } : {}),
    ...(settings.audience !== undefined ? { aud: first(settings.audience) } : {}),
    iat,
    ...(request.notBeforeMs !== undefined ? { nbf: iat + Math.ceil(request.notBeforeMs / 1000) } : {}),
    exp: iat + Math.ceil(request.lifetimeMs / 1000),
  };
}

/** A signed JWT: `key` is the HMAC secret's bytes or a private key (a Node KeyObject or a WebCrypto key). */
export function signToken(claims: JWTPayload, algorithm: JwtAlgorithm, key: Parameters<SignJWT['sign']>[0], kid?: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: algorithm, typ: 'JWT', ...(kid !== undefined ? { kid } : {}) }).sign(key);
}

/** An HMAC-signed JWT, synchronously (RFC 7515 compact serialization: header.payload.signature, base64url). */
export function signHmacToken(claims: JWTPayload, algorithm: 'HS256' | 'HS384' | 'HS512', secret: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: algorithm, typ: 'JWT' })}.${encode(claims)}`;
  const signature = createHmac(`sha${algorithm.slice(2)}`, secret)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${signature}`;
}
