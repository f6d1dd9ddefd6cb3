/**
 * Conditional requests from the generator's clients (the flow's `conditional`), as a browser's private
 * cache makes them: each client remembers the validators of the last answer it got per path (its strong
 * or weak ETag, its Last-Modified) and sends them back on its next GET or HEAD of that path as
 * If-None-Match and If-Modified-Since (RFC 9110 section 13.1), so the edge's cache or the origin can
 * answer 304 Not Modified without the body. A 200 replaces what the client remembers (one without
 * validators forgets it); a 304 keeps it, updated by any validator it carries (RFC 9111 section 4.3.4);
 * other answers leave it alone. A request whose flow already sets a conditional header is sent as it is.
 *
 * Memory is bounded: a client remembers at most MAX_PATHS paths, forgetting the least recently answered.
 */
import { copyFields } from '../pipeline/headers.ts';
import type { DrawnRequest } from './mix.ts';

/** Paths one client remembers validators for. */
export const MAX_PATHS = 10_000;

interface Validators {
  etag: string | undefined;
  lastModified: string | undefined;
}

/** Response headers as undici gives them. */
type ResponseHeaders = Record<string, string | string[] | undefined>;

export class ClientValidators {
  /** Per client: path -> validators, oldest answered first (a Map keeps insertion order). */
  readonly #clients: Array<Map<string, Validators>> = [];

  /** `share`: of the requests that could be conditional, the share sent so (0..1), drawn from `rng`. */
  constructor(
    readonly share: number,
    readonly rng: () => number,
  ) {}

  /** Put client `clientIndex`'s validators for the request's path on it; true when the request is now conditional. */
  stamp(request: DrawnRequest, clientIndex: number): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const known = this.#clients[clientIndex]?.get(request.path);
    if (known === undefined) return false;
    const headers = request.headers;
    if (headers !== undefined && ('if-none-match' in headers || 'if-modified-since' in headers)) return false;
    if (this.share < 1 && this.rng() >= this.share) return false;
    // A copy: the drawn headers may be the client's own object, shared by all its requests.
    const conditional: Record<string, string> = headers === undefined ? {} : copyFields(headers);
    if (known.etag !== undefined) conditional['if-none-match'] = known.etag;
    if (known.lastModified !== undefined) conditional['if-modified-since'] = known.lastModified;
    request.headers = conditional;
    return true;
  }

  /** Learn from the answer to a request of client `clientIndex`. */
  remember(clientIndex: number, method: string, path: string, status: number, headers: ResponseHeaders): void {
    if (method !== 'GET' && method !== 'HEAD') return;
    const paths = (this.#clients[clientIndex] ??= new Map());
    const etag = single(headers.etag);
    const lastModified = single(headers['last-modified']);
    if (status === 304) {
      const known = paths.get(path);
      if (known === undefined) return;
      paths.delete(path);
      paths.set(path, { etag: etag ?? known.etag, lastModified: lastModified ?? known.lastModified });
      return;
    }
    if (status !== 200) return;
    paths.delete(path);
    if (etag === undefined && lastModified === undefined) return;
    paths.set(path, { etag, lastModified });
    if (paths.size > MAX_PATHS) paths.delete(paths.keys().next().value!);
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
