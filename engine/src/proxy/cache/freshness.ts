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
  // RFC 9111 section 5.1: of a list, the first member; a value that is not a non-negative integer is ignored.
  const ageText = headerText(headers.age)?.split(',', 1)[0].trim();
  const ageValue = ageText !== undefined && AGE.test(ageText) ? Number(ageText) : 0;
  const corrected = ageValue + Math.max(0, responseTime - requestTime) / 1000;
  return Math.max(apparent, corrected);
}

/** current_age: the initial age plus the time since the response arrived (section 4.2.3), in seconds. */
export function currentAge(initial: number, responseTime: number, now: number): number {
  return initial + Math.max(0, now - responseTime) / 1000;
}

/**
 * The last IMF-fixdate read and its value: an origin's Date is the same text for every response of a
 * second, and a cache reads it on each (its age, whether it is valid). The other two forms are rare,
 * and an RFC 850 year depends on the year now: they are read each time.
 */
let lastFixdate = { text: '', ms: undefined as number | undefined };

/** An HTTP-date in ms, or undefined when absent or not an HTTP-date (RFC 9110 section 5.6.7). */
export function httpDate(value: string | string[] | undefined): number | undefined {
  const text = headerText(value);
  if (text === undefined) return undefined;
  if (text === lastFixdate.text) return lastFixdate.ms;
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) {
    const ms = utc(match[4], match[3], match[2], match[5], match[6], match[7]);
    lastFixdate = { text, ms };
    return ms;
  }
  match = RFC850_DATE.exec(text);
  if (match !== null) return utc(rfc850Year(Number(match[4])), match[3], match[2], match[5], match[6], match[7]);
  match = ASCTIME_DATE.exec(text);
  if (match !== null) return utc(match[7], match[2], match[3], match[4], match[5], match[6]);
  return undefined;
}

/*
 * The three forms a recipient must accept, matched case-insensitively as section 4.2 of RFC 9111 asks of a
 * cache; anything else (Date.parse would take "0", "UTC", a two-digit year, dashes, one-digit hours) is no
 * date, so an Expires written so is already past (section 5.3).
 */
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const IMF_FIXDATE = new RegExp(`^(mon|tue|wed|thu|fri|sat|sun), (\\d{2}) (${MONTHS}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) gmt$`, 'i');
const RFC850_DATE = new RegExp(
  `^(monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{2})-(${MONTHS})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) gmt$`,
  'i',
);
const ASCTIME_DATE = new RegExp(`^(mon|tue|wed|thu|fri|sat|sun) (${MONTHS}) ( \\d|\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$`, 'i');
const MONTH_INDEX = new Map(MONTHS.split('|').map((month, i) => [month, i]));

function utc(year: string | number, month: string, day: string, hour: string, minute: string, second: string): number | undefined {
  const d = Number(day);
  const h = Number(hour);
  const m = Number(minute);
  const s = Number(second);
  if (d < 1 || d > 31 || h > 23 || m > 59 || s > 60) return undefined;
  return Date.UTC(Number(year), MONTH_INDEX.get(month.toLowerCase()) as number, d, h, m, s);
}

/** RFC 9110 section 5.6.7: a two-digit year more than 50 years ahead is the latest past year ending so. */
function rfc850Year(twoDigits: number): number {
  const now = new Date().getUTCFullYear();
  const year = now - (now % 100) + twoDigits;
  return year > now + 50 ? year - 100 : year;
}
