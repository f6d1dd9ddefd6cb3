/**
 * Which key verifies a token, as jose's key function: an HMAC algorithm gets the shared secret, the
 * others the public key or the key set. jose checks the algorithm allow-list before it asks, so an HS256
 * token at a gateway that allows only RS256 never reaches the public key (no key confusion), and the
 * config has paired every allowed algorithm with its kind of key. Keys are imported once per algorithm
 * and kept, so a request pays for the signature check only.
 */
import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { JWKS_URL_DEFAULTS, type JwtConfig } from '../../config/gateway/auth.ts';
import { isHmac, isJwtAlgorithm } from './algorithms.ts';
import { readUpTo } from '../../http/bounded-read.ts';
import { MAX_KEY_SET_BYTES } from './keys.ts';

/** Where a remote key set comes from, for the reasons of its failures. */
export interface RemoteKeySet {
  url: string;
  timeoutMs: number;
}

export function jwtKeyFunction(jwt: JwtConfig): { getKey: JWTVerifyGetKey; remote: RemoteKeySet | undefined } {
  const secret = jwt.secret === undefined ? undefined : new TextEncoder().encode(jwt.secret);
  const publicJwk = jwt.publicKey === undefined ? undefined : (createPublicKey(jwt.publicKey).export({ format: 'jwk' }) as JWK);
  const url = jwt.jwks?.url;
  const timeoutMs = Math.ceil(jwt.jwks?.timeout ?? JWKS_URL_DEFAULTS.timeoutMs);
  const keySet = jwt.jwks?.keySet
    ? createLocalJWKSet(jwt.jwks.keySet)
    : url !== undefined
      ? createRemoteJWKSet(new URL(url), {
          timeoutDuration: timeoutMs,
          cacheMaxAge: jwt.jwks?.maxAge ?? JWKS_URL_DEFAULTS.maxAgeMs,
          [customFetch]: cappedFetch,
        })
      : undefined;
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  const once = (alg: string, load: () => Promise<CryptoKey | Uint8Array>) => {
    let key = imported.get(alg);
    if (key === undefined) imported.set(alg, (key = load()));
    return key;
  };
  const getKey: JWTVerifyGetKey = (header, token) => {
    const alg = header.alg ?? '';
    if (isJwtAlgorithm(alg) && isHmac(alg)) {
      const hmac = { name: 'HMAC', hash: `SHA-${alg.slice(2)}` };
      return once(alg, () => crypto.subtle.importKey('raw', secret!, hmac, false, ['verify']));
    }
    if (publicJwk) return once(alg, () => importJWK(publicJwk, alg));
    return keySet!(header, token);
  };
  return { getKey, remote: url === undefined ? undefined : { url, timeoutMs } };
}

/** Thrown when a key set URL answers more than MAX_KEY_SET_BYTES (jwt-failures.ts names it). */
export class KeySetTooLarge extends Error {
  constructor() {
    super(`answered more than ${MAX_KEY_SET_BYTES} bytes, the most a key set may hold`);
    this.name = 'KeySetTooLarge';
  }
}

/**
 * fetch for jose's remote key set, whose body it reads only up to MAX_KEY_SET_BYTES (the cap on a key
 * set file): jose reads the whole answer, so an endless or huge body would grow the heap until the
 * timeout. Past the cap the connection is dropped and the fetch fails with KeySetTooLarge.
 */
async function cappedFetch(url: string, init: RequestInit): Promise<Response> {
  const drop = new AbortController();
  const response = await fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, drop.signal]) : drop.signal });
  const declared = Number(response.headers.get('content-length') ?? 0);
  // Node's web streams are async iterables (the DOM types do not say so).
  const read =
    declared > MAX_KEY_SET_BYTES || response.body === null
      ? undefined
      : await readUpTo(response.body as unknown as AsyncIterable<Uint8Array>, MAX_KEY_SET_BYTES);
  if (read?.whole === undefined && response.body !== null) {
    drop.abort();
    throw new KeySetTooLarge();
  }
  return new Response(read?.whole === undefined ? null : new Uint8Array(read.whole), {
    status: response.status,
    headers: response.headers,
  });
}
