/**
 * Freshness and age of a stored response, as RFC 9111 section 4.2 computes them, in seconds.
 * Lifetime: s-maxage (a shared cache) > max-age > Expires - Date > a heuristic of 10% of the time since
 * Last-Modified for heuristically cacheable statuses or `public` (section 4.2.2). Age: the corrected
 * initial age at storage (section 4.2.3) plus the time resident. Computed here rather than by
 * http-cache-semantics, whose age ignores the apparent age (response time - Date) and whose lifetime is
 * 0 under proxy-revalidate, which only forbids serving stale.
 */
import { deltaSeconds, type Directives } from './directives.ts';
import { headerText, type Headers } from './types.ts';

/** RFC 9110 section 15.1: statuses a cache may store with a heuristic lifetime. */
export const HEURISTICALLY_CACHEABLE = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
const HEURISTIC_FRACTION = 0.1;
const AGE = /^\d+$/;

/** How long a response is fresh from its Date, and what said so (for the trace). */
export interface Lifetime {
  readonly seconds: number;
  /** `s-maxage=60`, `max-age=60`, `Expires - Date = 60 s`, `heuristic: 10% of 3600 s since Last-Modified`, `no explicit freshness`. */
  readonly source: string;
}

/** RFC 9111 section 4.2.1. `Date` is the stored one (the cache adds it at storage when the origin sent none). */
export function freshnessLifetime(status: number, headers: Headers, directives: Directives): Lifetime {
  const sMaxAge = deltaSeconds(directives, 's-maxage');
  if (sMaxAge !== undefined) return { seconds: sMaxAge, source: `s-maxage=${sMaxAge}` };
  const maxAge = deltaSeconds(directives, 'max-age');
  if (maxAge !== undefined) return { seconds: maxAge, source: `max-age=${maxAge}` };
  const date = httpDate(headers.date);
  const expiresText = headerText(headers.expires);
  if (expiresText !== undefined) {
    // An invalid Expires (such as "0") means already expired (RFC 9111 section 5.3).
    const expires = httpDate(expiresText);
    const seconds = expires === undefined || date === undefined ? 0 : Math.max(0, (expires - date) / 1000);
    return { seconds, source: `Expires - Date = ${Math.round(seconds)} s` };
  }
  const lastModified = httpDate(headers['last-modified']);
  if (
    (HEURISTICALLY_CACHEABLE.has(status) || directives.has('public')) &&
    lastModified !== undefined &&
    date !== undefined &&
    date > lastModified
  ) {
    const since = (date - lastModified) / 1000;
    return { seconds: Math.floor(since * HEURISTIC_FRACTION), source: `heuristic: 10% of ${Math.round(since)} s since Last-Modified` };
  }
  return { seconds: 0, source: 'no explicit freshness' };
}

/**
 * RFC 9111 section 4.2.3's corrected_initial_age in seconds (fractional; the Age field sent is its
 * floor): the larger of the apparent age (response time - Date) and the Age header plus the response delay.
 */
export function initialAge(headers: Headers, requestTime: number, responseTime: number): number {
  const date = httpDate(headers.date);
  const apparent = date === undefined ? 0 : Math.max(0, (responseTime - date) / 1000);
  const ageText = headerText(headers.age)?.trim();
  const ageValue = ageText !== undefined && AGE.test(ageText) ? Number(ageText) : 0;
  const corrected = ageValue + Math.max(0, responseTime - requestTime) / 1000;
  return Math.max(apparent, corrected);
}

/** current_age: the initial age plus the time since the response arrived (section 4.2.3), in seconds. */
export function currentAge(initial: number, responseTime: number, now: number): number {
  return initial + Math.max(0, now - responseTime) / 1000;
}

/** An HTTP-date in ms, or undefined when absent or unreadable. */
export function httpDate(value: string | string[] | undefined): number | undefined {
  const text = headerText(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
