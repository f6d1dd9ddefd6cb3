/**
 * jose's verification errors as the stable detail codes and the sentences a learner reads. Claims in a
 * sentence come from a token whose signature jose has checked (claims are validated after it), or are
 * quoted and cut to 40 characters; every error maps to an answer, none is rethrown.
 */
import { errors, type JWTPayload } from 'jose';
import type { JwtConfig } from '../../config/gateway/auth.ts';
import { KeySetTooLarge, type RemoteKeySet } from './jwt-keys.ts';
import { failed, quote, type Consumer, type CredentialCheck } from './outcome.ts';

export interface FailureContext {
  readonly jwt: JwtConfig;
  readonly consumers: ReadonlyMap<string, Consumer>;
  readonly alg: string;
  readonly kid: unknown;
  readonly nowMs: number;
  readonly remote: RemoteKeySet | undefined;
}

export function jwtFailure(error: unknown, context: FailureContext): CredentialCheck {
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) return claimFailure(error, context);
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return failed('jwt', 'bad-signature', `JWT signature does not verify (${context.alg})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return failed('jwt', 'alg-not-allowed', `JWT signed with ${quote(context.alg)}, which this gateway does not allow`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return context.kid === undefined
      ? failed('jwt', 'no-key', `no key of the key set verifies ${context.alg}`)
      : failed('jwt', 'unknown-kid', `JWT names key id ${quote(context.kid)}, which the key set does not hold`);
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return failed(
      'jwt',
      'unknown-kid',
      'JWT names no key id (kid), and several keys of the key set could be meant (OpenID Connect Core 10.1: with several keys, a token names its kid)',
    );
  }
  if (context.remote && isKeySetFetchError(error)) return failed('jwt', 'no-key', fetchFailure(error, context.remote));
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return failed('jwt', 'malformed', `malformed JWT: ${error.message}`);
  }
  return failed('jwt', 'malformed', `JWT could not be verified: ${(error as Error)?.message ?? String(error)}`);
}

function claimFailure(error: errors.JWTClaimValidationFailed | errors.JWTExpired, context: FailureContext): CredentialCheck {
  const { payload, claim } = error;
  const nowS = context.nowMs / 1000;
  const named = payload[context.jwt.consumerClaim];
  const who = typeof named === 'string' && context.consumers.has(named) ? ` for consumer ${named}` : '';
  if (error.reason === 'invalid') return failed('jwt', 'malformed', `JWT claim ${claim}: ${error.message}`);
  switch (claim) {
    case 'exp':
      return failed('jwt', 'expired', `JWT${who} expired ${seconds(nowS - (payload.exp as number))} ago`);
    case 'nbf':
      return failed('jwt', 'not-yet-valid', `JWT${who} is not valid for another ${seconds((payload.nbf as number) - nowS)}`);
    case 'iss':
      return failed('jwt', 'wrong-issuer', `JWT ${issued(payload, 'iss')}, expected ${expected(context.jwt.issuer)}`);
    case 'aud':
      return failed('jwt', 'wrong-audience', `JWT ${issued(payload, 'aud')}, expected ${expected(context.jwt.audience)}`);
    default:
      return failed('jwt', 'malformed', `JWT claim ${claim}: ${error.message}`);
  }
}

/** `42 s`: whole seconds, rounded up (a token 0.2 s past its expiry expired 1 s ago). */
function seconds(value: number): string {
  return `${Math.max(1, Math.ceil(value))} s`;
}

function issued(payload: JWTPayload, claim: 'iss' | 'aud'): string {
  const label = claim === 'iss' ? 'issued by' : 'for audience';
  return payload[claim] === undefined ? `without ${claim}` : `${label} ${quote(payload[claim])}`;
}

function expected(value: string | string[] | undefined): string {
  return Array.isArray(value) ? `one of ${value.map((v) => quote(v)).join(', ')}` : quote(value);
}

/** Errors of fetching a remote key set: a timeout, a network failure (fetch's TypeError), a bad answer. */
function isKeySetFetchError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error instanceof TypeError ||
    error instanceof KeySetTooLarge ||
    (error instanceof errors.JOSEError && error.code === errors.JOSEError.code)
  );
}

function fetchFailure(error: unknown, remote: RemoteKeySet): string {
  const at = `the key set at ${remote.url}`;
  if (error instanceof errors.JWKSTimeout) return `${at} did not answer within ${remote.timeoutMs} ms`;
  if (error instanceof errors.JWKSInvalid) return `${at} answered something other than a JSON Web Key Set`;
  if (error instanceof KeySetTooLarge) return `${at} ${error.message}`;
  if (error instanceof TypeError) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${at} could not be fetched (${cause?.code ?? cause?.message ?? error.message})`;
  }
  return `${at} could not be used: ${(error as Error).message}`;
}
