/**
 * The `WWW-Authenticate` value of a refusal (RFC 9110 section 11.6.1), built from the schemes the
 * gateway takes:
 *
 * - JWT: `Bearer` as RFC 6750 section 3 writes it. Without a credential, only the realm (no error
 *   code, section 3.1); a refused token adds `error="invalid_token"` and an `error_description`; a
 *   consumer the route does not admit gets `error="insufficient_scope"` with its 403; a request that
 *   carries two Authorization fields `error="invalid_request"` with its 400.
 * - API key: there is no registered scheme, so EdgeLab sends `ApiKey realm="edgelab", header="x-api-key"`
 *   (or `query="api_key"`), saying where the key goes, and on a refused key `error="invalid_key"` and
 *   an `error_description`, shaped like Bearer's (`error="invalid_request"` with the 400 of a key given
 *   twice). A 403 for an API key carries no challenge.
 *
 * A gateway that takes both lists both challenges in one field value, Bearer first.
 */
import type { CredentialsConfig } from '../../config/gateway/auth.ts';
import type { CredentialKind } from './outcome.ts';

export const REALM = 'edgelab';

/** RFC 6750 section 3: error_description holds %x20-21 / %x23-5B / %x5D-7E only (a quote becomes ', the rest ?). */
const NOT_DESCRIPTION = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
/** The JSON escapes of quoted values in a reason (`"[\\"a\\"]"`, quoted twice), dropped before the quotes become '. */
const JSON_ESCAPE = /\\+(["\\])/g;

/** Why a credential was refused, as the challenge's `error`: RFC 6750 section 3.1. */
export type RefusalKind = 'invalid' | 'forbidden' | 'bad-request';
const BEARER_ERROR: Record<RefusalKind, string> = {
  invalid: 'invalid_token',
  forbidden: 'insufficient_scope',
  'bad-request': 'invalid_request',
};

export class Challenges {
  /** Every scheme the gateway takes, without an error: for a request that carried no credential. */
  readonly missing: string | undefined;
  readonly #bearer: string | undefined;
  readonly #apiKey: string | undefined;

  constructor(credentials: CredentialsConfig | undefined) {
    this.#bearer = credentials?.jwt ? `Bearer realm="${REALM}"` : undefined;
    const at = credentials?.apiKey;
    this.#apiKey = at ? `ApiKey realm="${REALM}", ${at.header !== undefined ? `header="${at.header}"` : `query="${at.query}"`}` : undefined;
    this.missing = [this.#bearer, this.#apiKey].filter((c) => c !== undefined).join(', ') || undefined;
  }

  /** A refused credential of `credential`'s kind: `forbidden` for a known consumer the route does not admit. */
  refused(credential: CredentialKind, description: string, kind: RefusalKind = 'invalid'): string | undefined {
    const text = description.replace(JSON_ESCAPE, '$1').replace(NOT_DESCRIPTION, (char) => (char === '"' ? "'" : '?'));
    if (credential === 'jwt') return `${this.#bearer}, error="${BEARER_ERROR[kind]}", error_description="${text}"`;
    if (kind === 'forbidden') return undefined;
    return `${this.#apiKey}, error="${kind === 'bad-request' ? 'invalid_request' : 'invalid_key'}", error_description="${text}"`;
  }
}
