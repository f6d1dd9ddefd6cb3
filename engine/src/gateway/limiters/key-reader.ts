/**
 * Whose requests count together under one limit: the limit's `key` (ip, consumer, header:NAME, route,
 * global) compiled once into a reader of the request's key string, and a describer that turns a key
 * back into words for the reason a learner reads. Without a consumer (or without the header), a
 * `consumer` (or `header:NAME`) limit counts the client address instead, as Kong's rate limiting falls
 * back to the IP, and the words say so: `ip 127.0.0.5 (no consumer)`.
 *
 * Keys are what a limiter's store holds, so they are bounded: a header value longer than
 * MAX_KEY_LENGTH is replaced by its SHA-256 (a flood of 8 KB values costs 8 KB a key otherwise).
 * A fallback key starts with NUL, which no header value carries (HTTP refuses it), so a client address
 * never shares a count with a header value or a consumer that reads the same.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LIMIT_KEY, LIMIT_KEY_FORMS } from '../../config/gateway/rate-limit.ts';
import { ownField } from '../../pipeline/headers.ts';

export interface KeyReader {
  /** The key string for a request; `consumer` is the authenticated consumer's name, if any. */
  read(clientAddress: string, consumer: string | undefined, headers: IncomingHttpHeaders, routeIndex: number): string;
  /** A key as words: `consumer mobile`, `ip 127.0.0.5 (no consumer)`, `x-api-key k-1`, `route 2`, `everyone`. */
  describe(key: string): string;
  /**
   * When `read` looks at the client address, so that the caller finds it (X-Forwarded-For parsed
   * behind an engine hop) only then: always, only for a request without a consumer, or never.
   */
  readonly readsClient: ClientUse;
}

export type ClientUse = 'always' | 'without-consumer' | 'never';

/** Longer header values are hashed before they become keys. */
export const MAX_KEY_LENGTH = 128;
const FALLBACK = '\u0000';
const HASHED = 'sha256:';

export function keyReader(spec: string): KeyReader {
  const match = LIMIT_KEY.exec(spec);
  if (!match) throw new Error(`rate limit key "${spec}": expected one of ${LIMIT_KEY_FORMS.join(', ')}`);
  const [, kind, headerName] = match;
  switch (kind) {
    case 'ip':
      return { read: (client) => client, describe: (key) => `ip ${key}`, readsClient: 'always' };
    case 'consumer':
      return {
        read: (client, consumer) => consumer ?? FALLBACK + client,
        describe: (key) => (key.startsWith(FALLBACK) ? `ip ${key.slice(1)} (no consumer)` : `consumer ${key}`),
        readsClient: 'without-consumer',
      };
    case 'route': {
      const names: string[] = [];
      return {
        read: (_client, _consumer, _headers, routeIndex) => (names[routeIndex] ??= `${routeIndex}`),
        describe: (key) => `route ${key}`,
        readsClient: 'never',
      };
    }
    case 'global':
      return { read: () => 'global', describe: () => 'everyone', readsClient: 'never' };
    default: {
      const name = headerName.toLowerCase();
      return {
        // The address is the fallback for a request without the header.
        readsClient: 'always',
        read(client, _consumer, headers) {
          const raw = ownField(headers, name);
          const value = Array.isArray(raw) ? raw.join(', ') : raw;
          if (value === undefined || value === '') return FALLBACK + client;
          return value.length > MAX_KEY_LENGTH ? HASHED + createHash('sha256').update(value).digest('base64url') : value;
        },
        describe(key) {
          if (key.startsWith(FALLBACK)) return `ip ${key.slice(1)} (no ${name} header)`;
          return key.startsWith(HASHED) ? `${name} ${key.slice(0, 20)}… (a long value, hashed)` : `${name} ${key}`;
        },
      };
    }
  }
}
