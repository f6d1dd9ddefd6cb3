/**
 * The `WWW-Authenticate` value of a refusal (RFC 9110 section 11.6.1), built from the schemes the
 * gateway takes:
 *
 * - JWT: `Bearer` as RFC 6750 section 3 writes it. Without a credential, only the realm (no error
 *   code, section 3.1); a refused token adds `error="invalid_token"` and an `error_description`; a
 *   consumer the route does not admit gets `error="insufficient_scope"` with its 403.
 * - API key: there is no registered scheme, so EdgeLab sends `ApiKey realm="edgelab", header="x-api-key"`
 *   (or `query="api_key"`), saying where the key goes, and on a refused key `error="invalid_key"` and
 *   an `error_description`, shaped like Bearer's. A 403 for an API key carries no challenge.
 *
 * A gateway that takes both lists both challenges in one field value, Bearer first.
 */
import type { CredentialsConfig } from '../../config/gateway/auth.ts';
import type { CredentialKind } from './outcome.ts';

export const REALM = 'edgelab';

/** RFC 6750 section 3: error_description holds %x20-21 / %x23-5B / %x5D-7E only (a quote becomes ', the rest ?). */
const NOT_DESCRIPTION = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

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

  /** A refused credential of `credential`'s kind; `forbidden` for a known consumer the route does not admit. */
  refused(credential: CredentialKind, description: string, forbidden = false): string | undefined {
    const text = description.replace(NOT_DESCRIPTION, (char) => (char === '"' ? "'" : '?'));
    if (credential === 'jwt')
      return `${this.#bearer}, error="${forbidden ? 'insufficient_scope' : 'invalid_token'}", error_description="${text}"`;
    return forbidden ? undefined : `${this.#apiKey}, error="invalid_key", error_description="${text}"`;
  }
}
