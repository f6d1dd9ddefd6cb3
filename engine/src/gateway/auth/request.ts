/**
 * What the authenticator reads of a request, and the cap on what it reads. The cap applies before any
 * parsing, so a hostile credential costs a length check and nothing more.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ownField } from '../../pipeline/headers.ts';

/**
 * The longest API key or Authorization value read: 8 KB, nginx's default for one header line
 * (large_client_header_buffers 8k), so no credential that could pass nginx is refused, and a token
 * longer than any real one (a few hundred bytes to 2 KB) costs no base64 or JSON work. Longer ones get
 * 401 `too-large`. A constant, not a config limit: no lab needs to move it.
 */
export const MAX_CREDENTIAL_LENGTH = 8_192;

export interface AuthRequest {
  /** The request's headers as Node parsed them (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /**
   * The header lines as received (name, value, ...): Node keeps only the first of two Authorization
   * fields in `headers`, so the JWT check counts them here. Absent: not counted.
   */
  readonly rawHeaders?: readonly string[];
  /**
   * The query, after the `?` (undefined when the target has none); needed only when the gateway takes
   * API keys in the query (`Authenticator.readsQuery`).
   */
  readonly query?: string | undefined;
}

/** How many field lines named `name` (lower case) `rawHeaders` holds. */
export function fieldLines(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const field = rawHeaders[i];
    if (field.length === name.length && field.toLowerCase() === name) count++;
  }
  return count;
}

/** A header's one value (Node joins repeats of most headers with ", "; an array is taken as its first). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = ownField(headers, name);
  return Array.isArray(value) ? value[0] : value;
}
