/**
 * Bearer JWTs (RFC 6750, RFC 7519): reads `Authorization: Bearer <token>`, refuses what is plainly
 * wrong before any cryptography (too long, not three base64url parts, a header that is not JSON,
 * `alg: none`, an algorithm not on the allow-list), then verifies with jose's jwtVerify: the
 * signature with the explicit allow-list, then iss, aud, exp and nbf with the configured clock skew.
 * The checks before the signature answer synchronously; only a signature check returns a Promise.
 * A valid token must name a listed consumer in its consumer claim (default `sub`).
 *
 * Verified tokens are remembered, as Envoy's jwt_authn does (`jwt_cache_config`): the same token seen
 * again passes without a signature check (synchronously) until its exp plus the clock skew, so a
 * client that reuses its token costs a digest and a lookup. The cache is bounded (least recently used
 * out) and keyed by the token's SHA-256 digest, so its memory does not grow with token size. As in
 * Envoy, a remembered token stays valid until it expires even if its key leaves a remote key set.
 */
import { hash } from 'node:crypto';
import { jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JwtConfig } from '../../config/gateway/auth.ts';
import { isHmac, isJwtAlgorithm } from './algorithms.ts';
import { jwtFailure } from './jwt-failures.ts';
import { jwtKeyFunction, type RemoteKeySet } from './jwt-keys.ts';
import { failed, quote, type Consumer, type CredentialCheck } from './outcome.ts';
import { fieldLines, headerValue, MAX_CREDENTIAL_LENGTH, type AuthRequest } from './request.ts';

/** A compact JWS: base64url header, payload and signature (empty for an unsigned token, refused as alg-none). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = 'bearer';
/** Verified tokens remembered: Envoy's jwt_cache_config defaults to 100; a lab has at most a few per consumer alive. */
export const VERIFIED_TOKENS = 1_000;

const NO_TOKEN = failed('jwt', 'malformed', 'Authorization: Bearer without a token');
const NOT_JWS = failed('jwt', 'malformed', 'malformed JWT: expected three base64url parts separated by dots');
const BAD_HEADER = failed('jwt', 'malformed', 'malformed JWT: its header is not a base64url-encoded JSON object');
const NO_ALG = failed('jwt', 'malformed', 'malformed JWT: its header names no alg');
const UNSIGNED = failed('jwt', 'alg-none', 'unsigned JWT (alg none)');
/**
 * What a token may mark critical: only `b64` (RFC 7797), which jose reads and, false, refuses in a JWT.
 * The header parameters of RFC 7515 itself are not extensions: a crit naming them is malformed, as is
 * an empty crit, and jose says so.
 */
const UNDERSTOOD_CRITICAL = new Set(['b64', 'alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit']);

export class JwtVerifier {
  readonly #jwt: JwtConfig;
  readonly #consumers: ReadonlyMap<string, Consumer>;
  readonly #now: () => number;
  readonly #allowed: ReadonlySet<string>;
  readonly #asymmetricOnly: boolean;
  readonly #getKey: JWTVerifyGetKey;
  readonly #remote: RemoteKeySet | undefined;
  readonly #passed = new Map<string, CredentialCheck>();
  /** By token digest: the pass, and the exp (epoch seconds) it holds until, if any. */
  readonly #verified = new LRUCache<string, { check: CredentialCheck; exp: number | undefined }>({ max: VERIFIED_TOKENS });

  /** `now`: epoch milliseconds, the clock exp and nbf are checked against. */
  constructor(jwt: JwtConfig, consumers: ReadonlyMap<string, Consumer>, now: () => number) {
    this.#jwt = jwt;
    this.#consumers = consumers;
    this.#now = now;
    this.#allowed = new Set(jwt.algorithms);
    this.#asymmetricOnly = !jwt.algorithms.some(isHmac);
    ({ getKey: this.#getKey, remote: this.#remote } = jwtKeyFunction(jwt));
  }

  /** The request's bearer token checked, or undefined when it carries none (no Authorization, or another scheme). */
  check(request: AuthRequest): CredentialCheck | Promise<CredentialCheck> | undefined {
    const authorization = headerValue(request.headers, 'authorization');
    if (authorization === undefined) return undefined;
    const fields = request.rawHeaders === undefined ? 1 : fieldLines(request.rawHeaders, 'authorization');
    if (fields > 1) {
      return failed(
        'jwt',
        'ambiguous',
        `the request carries ${fields} Authorization fields; one credential is read, so which is meant is ambiguous`,
      );
    }
    if (authorization.length > MAX_CREDENTIAL_LENGTH) {
      return failed('jwt', 'too-large', `Authorization of ${authorization.length} characters, over the ${MAX_CREDENTIAL_LENGTH} read`);
    }
    const space = authorization.indexOf(' ');
    const scheme = space === -1 ? authorization : authorization.slice(0, space);
    if (scheme.length !== BEARER.length || scheme.toLowerCase() !== BEARER) return undefined;
    const token = space === -1 ? '' : authorization.slice(space + 1).trim();
    if (token === '') return NO_TOKEN;
    if (!COMPACT_JWS.test(token)) return NOT_JWS;
    const digest = hash('sha256', token, 'base64');
    const known = this.#verified.get(digest);
    if (known && (known.exp === undefined || this.#now() < known.exp * 1000 + this.#jwt.clockSkew)) return known.check;
    let header: { alg?: unknown; kid?: unknown; crit?: unknown };
    try {
      header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    } catch {
      return BAD_HEADER;
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return BAD_HEADER;
    const { alg, kid } = header;
    if (typeof alg !== 'string') return NO_ALG;
    if (alg.toLowerCase() === 'none') return UNSIGNED;
    if (!this.#allowed.has(alg)) return this.#notAllowed(alg);
    const critical = Array.isArray(header.crit)
      ? header.crit.find((name) => typeof name === 'string' && !UNDERSTOOD_CRITICAL.has(name))
      : undefined;
    if (critical !== undefined) {
      return failed(
        'jwt',
        'unsupported-crit',
        `JWT marks header parameter ${quote(critical)} critical (crit), which this gateway does not understand`,
      );
    }
    return this.#verify(token, digest, alg, kid);
  }

  async #verify(token: string, digest: string, alg: string, kid: unknown): Promise<CredentialCheck> {
    const nowMs = this.#now();
    const options: JWTVerifyOptions = {
      algorithms: this.#jwt.algorithms,
      issuer: this.#jwt.issuer,
      audience: this.#jwt.audience,
      clockTolerance: this.#jwt.clockSkew / 1000,
      currentDate: new Date(nowMs),
    };
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#getKey, options));
    } catch (error) {
      return jwtFailure(error, { jwt: this.#jwt, consumers: this.#consumers, alg, kid, nowMs, remote: this.#remote });
    }
    const claim = this.#jwt.consumerClaim;
    const name = payload[claim];
    if (typeof name !== 'string') return failed('jwt', 'unknown-consumer', `JWT has no ${claim} claim naming its consumer`);
    const consumer = this.#consumers.get(name);
    if (!consumer)
      return failed('jwt', 'unknown-consumer', `JWT names consumer ${quote(name)} (claim ${claim}), which the gateway does not list`);
    const passed = this.#pass(consumer, alg);
    this.#verified.set(digest, { check: passed, exp: typeof payload.exp === 'number' ? payload.exp : undefined });
    return passed;
  }

  /** A pass per consumer and algorithm, built once. */
  #pass(consumer: Consumer, alg: string): CredentialCheck {
    const key = `${alg} ${consumer.name}`;
    let passed = this.#passed.get(key);
    if (passed === undefined) {
      passed = { ok: true, consumer, credential: 'jwt', found: `JWT (${alg}) for consumer ${consumer.name}` };
      this.#passed.set(key, passed);
    }
    return passed;
  }

  #notAllowed(alg: string): CredentialCheck {
    const confusion =
      this.#asymmetricOnly && isJwtAlgorithm(alg) && isHmac(alg) ? ': an HMAC token at a public-key gateway is key confusion' : '';
    return failed(
      'jwt',
      'alg-not-allowed',
      `JWT signed with ${quote(alg)}, which this gateway does not allow (allowed: ${this.#jwt.algorithms.join(', ')})${confusion}`,
    );
  }
}
