/**
 * API keys: the gateway's table of keys, built once from its consumers, and the check of a request's key.
 *
 * Constant time: a presented key is never compared with a stored one character by character (which
 * leaks, through timing, how long a prefix matched). The table is a Map from the SHA-256 digest of
 * each key to its consumer, and a request's key is digested and looked up. What timing may still
 * reveal is how a digest of the attacker's choosing compares with the stored digests, and SHA-256
 * being preimage-resistant, knowing a digest's prefix brings no key closer. The lookup costs the same
 * with 1 consumer or 1,000, and one digest (about 1 µs) per request.
 */
import { hash } from 'node:crypto';
import type { ConsumerConfig, CredentialsConfig } from '../../config/gateway/auth.ts';
import { queryValues } from '../../http/query-values.ts';
import { failed, type Consumer, type CredentialCheck } from './outcome.ts';
import { fieldLines, headerValue, MAX_CREDENTIAL_LENGTH, type AuthRequest } from './request.ts';

type ApiKeyLocation = NonNullable<CredentialsConfig['apiKey']>;

const digest = (key: string) => hash('sha256', key, 'base64');

const NONE: readonly string[] = [];
const UNKNOWN = failed('api-key', 'unknown-key', 'unknown API key');

export class ApiKeyTable {
  readonly #byDigest = new Map<string, CredentialCheck>();
  readonly #header: string | undefined;
  readonly #query: string | undefined;
  /** The refusal of a key given more than once, built once: its reason names where the key goes. */
  readonly #repeated: (times: number) => CredentialCheck;

  constructor(consumers: readonly ConsumerConfig[], identities: ReadonlyMap<string, Consumer>, at: ApiKeyLocation) {
    this.#header = at.header?.toLowerCase();
    this.#query = at.query;
    const where = at.header !== undefined ? `${at.header} fields` : `${at.query} query parameters`;
    this.#repeated = (times) =>
      failed('api-key', 'ambiguous', `the request carries ${times} ${where}; one API key is read, so which is meant is ambiguous`);
    for (const { name, apiKeys } of consumers) {
      const passed: CredentialCheck = {
        ok: true,
        consumer: identities.get(name)!,
        credential: 'api-key',
        found: `API key of consumer ${name}`,
      };
      for (const key of apiKeys ?? []) this.#byDigest.set(digest(key), passed);
    }
  }

  /** Whether keys come in the query (the caller must then parse it). */
  get readsQuery(): boolean {
    return this.#query !== undefined;
  }

  /**
   * The request's key checked, or undefined when it carries none (an empty value is none). A key given
   * twice (two header fields, which Node joins into one value "k-1, k-2", or the parameter twice in the
   * query) is neither copy: 400 `ambiguous`, as RFC 6750 section 3.1 answers a repeated parameter.
   */
  check(request: AuthRequest): CredentialCheck | undefined {
    let key: string | undefined;
    if (this.#header !== undefined) {
      key = headerValue(request.headers, this.#header);
      const fields = key === undefined || request.rawHeaders === undefined ? 1 : fieldLines(request.rawHeaders, this.#header);
      if (fields > 1) return this.#repeated(fields);
    } else {
      const all = request.query === undefined ? NONE : queryValues(request.query, this.#query!);
      if (all.length > 1) return this.#repeated(all.length);
      key = all[0];
    }
    if (key === undefined || key === '') return undefined;
    if (key.length > MAX_CREDENTIAL_LENGTH) {
      return failed('api-key', 'too-large', `API key of ${key.length} characters, over the ${MAX_CREDENTIAL_LENGTH} read`);
    }
    return this.#byDigest.get(digest(key)) ?? UNKNOWN;
  }
}
