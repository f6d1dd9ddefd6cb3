/**
 * What authenticating a request decides, as plain data the auth stage turns into a verdict and an
 * event: a consumer, anonymous, or a refusal (401 or 403) with a stable detail code, the
 * `WWW-Authenticate` value to send, and a one-sentence reason a learner reads in the trace.
 */
import type { EDGE_ERRORS } from '../../errors.ts';

/**
 * Who a request is: the name rate limits (`key: consumer`), logs, traces and metrics use. It is a
 * consumer listed on the gateway, so the set of names is bounded by the config.
 */
export type ConsumerName = string;

export interface Consumer {
  readonly name: ConsumerName;
  readonly groups: readonly string[];
}

/** How the consumer proved who it is. */
export type CredentialKind = 'api-key' | 'jwt';

/** Why a request was refused: stable codes that tests, events and lessons assert on. */
export const AUTH_FAILURES = [
  /** No credential (or an Authorization header of another scheme). */
  'missing',
  /** Not a compact JWS (three base64url parts with a JSON header), or claims of the wrong type. */
  'malformed',
  /** Longer than MAX_CREDENTIAL_LENGTH: refused before it is parsed. */
  'too-large',
  /**
   * A credential given more than once (two Authorization fields, two API key fields, the API key query
   * parameter twice): one is read, so which is meant is ambiguous (400, RFC 6750 invalid_request).
   */
  'ambiguous',
  /** A header parameter marked critical (`crit`) that the gateway does not understand (RFC 7515 section 4.1.11). */
  'unsupported-crit',
  'expired',
  'not-yet-valid',
  'bad-signature',
  'wrong-issuer',
  'wrong-audience',
  /** An unsigned token (`alg: none`, in any case). */
  'alg-none',
  /** Signed with an algorithm the gateway does not allow (an HS256 token at an RS256 gateway: key confusion). */
  'alg-not-allowed',
  /** The token's `kid` is not in the key set, or it names none and several keys fit. */
  'unknown-kid',
  /** No key to verify with: the key set could not be fetched, or holds no key for the token's algorithm. */
  'no-key',
  /** An API key no consumer has. */
  'unknown-key',
  /** A valid token whose consumer claim is missing or names no listed consumer. */
  'unknown-consumer',
  /** A known consumer the route does not admit (403). */
  'forbidden',
] as const;

export type AuthFailure = (typeof AUTH_FAILURES)[number];

export type AuthOutcome = AuthConsumer | AuthAnonymous | AuthRefusal;

/** A consumer proved who it is and the route admits it: the stage continues with this identity. */
export interface AuthConsumer {
  readonly kind: 'consumer';
  readonly consumer: Consumer;
  readonly credential: CredentialKind;
  /** `auth: API key of consumer mobile -> pass` */
  readonly reason: string;
}

/** No identity, and none needed: `auth: optional` without a credential, or `auth: none`. The stage continues. */
export interface AuthAnonymous {
  readonly kind: 'anonymous';
  readonly reason: string;
}

/** The stage answers `status` with `code` in the error header and `wwwAuthenticate`, when set, as WWW-Authenticate. */
export interface AuthRefusal {
  readonly kind: 'refused';
  readonly status: 400 | 401 | 403;
  readonly code: Extract<keyof typeof EDGE_ERRORS, 'EDGE_BAD_REQUEST' | 'EDGE_UNAUTHORIZED' | 'EDGE_FORBIDDEN'>;
  readonly detail: AuthFailure;
  /** `auth: JWT for consumer mobile expired 42 s ago -> 401` */
  readonly reason: string;
  readonly wwwAuthenticate: string | undefined;
  /** The consumer refused by a 403 (it proved who it is). */
  readonly consumer?: Consumer;
}

/** What a credential check found, before the route's policy and HTTP are applied. */
export type CredentialCheck =
  | { readonly ok: true; readonly consumer: Consumer; readonly credential: CredentialKind; readonly found: string }
  | { readonly ok: false; readonly credential: CredentialKind; readonly failure: AuthFailure; readonly found: string };

/** A failed check: `found` is the middle of the reason (`JWT for consumer mobile expired 42 s ago`). */
export function failed(credential: CredentialKind, failure: AuthFailure, found: string): CredentialCheck {
  return { ok: false, credential, failure, found };
}

/** A value from a request or a token, safe to quote in a reason: at most 40 characters, JSON-quoted. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
