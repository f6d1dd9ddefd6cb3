/**
 * A service's cache headers and conditional requests, so a proxy cache in front of it has real
 * validators to work with. Per path (first matching rule): `Cache-Control` (RFC 9111 section 5.2),
 * a strong `ETag` (RFC 9110 section 8.8.3) and `Last-Modified` (section 8.8.2), and the answer to a
 * conditional GET or HEAD (section 13): `If-None-Match` first, `If-Modified-Since` only without it,
 * 304 Not Modified when the client's copy is current.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceConfig } from '../config/schema.ts';
import { pathMatcher } from '../http/path-match.ts';
import type { PaddedBody } from './service-body.ts';

export type CacheRule = NonNullable<ServiceConfig['cache']>[number];

/** The rule for a path (its pathname, without the query), or undefined: such responses carry no cache headers. */
export type CacheRuleLookup = (pathname: string) => CacheRule | undefined;

/** Undefined when there are no rules, so a service without them skips the lookup altogether. */
export function compileCacheRules(rules: ServiceConfig['cache']): CacheRuleLookup | undefined {
  if (!rules || rules.length === 0) return undefined;
  const compiled = rules.map((rule) => ({ rule, matches: pathMatcher(rule.path) }));
  return (pathname) => compiled.find((c) => c.matches(pathname))?.rule;
}

/**
 * A strong entity tag for a body: a digest of its bytes (head, fill and tail determine them), so the
 * same content always gets the same tag and any change of content a new one.
 */
export function entityTag(body: PaddedBody): string {
  const digest = createHash('sha1')
    .update(body.head)
    .update(`\u0000${body.fill}${body.fillChar}\u0000`)
    .update(body.tail)
    .digest('base64url');
  return `"${digest.slice(0, 22)}"`;
}

/** RFC 9110 section 5.6.7: the preferred IMF-fixdate form, `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * An HTTP-date in ms since the epoch, or undefined when the value is not one. Recipients must accept
 * all three forms (RFC 9110 section 5.6.7); all are UTC. A two-digit RFC 850 year that would be more
 * than 50 years in the future is taken as the past century's.
 */
export function parseHttpDate(value: string, nowMs = Date.now()): number | undefined {
  const fields = dateFields(value, nowMs);
  if (!fields) return undefined;
  const { year, month, day, hour, minute, second } = fields;
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex === -1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, monthIndex, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March: a date that does not exist is not an HTTP-date.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

function dateFields(value: string, nowMs: number) {
  let m = IMF_FIXDATE.exec(value);
  if (m) return { day: Number(m[1]), month: m[2], year: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  m = RFC850_DATE.exec(value);
  if (m) {
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return { day: Number(m[1]), month: m[2], year, hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  }
  m = ASCTIME_DATE.exec(value);
  if (m) return { month: m[1], day: Number(m[2]), hour: Number(m[3]), minute: Number(m[4]), second: Number(m[5]), year: Number(m[6]) };
  return undefined;
}

/** The validators of the representation being answered; each absent when its rule does not send it. */
export interface Validators {
  etag?: string;
  /** Seconds precision, as sent in Last-Modified. */
  lastModified?: number;
}

const ENTITY_TAG = /(W\/)?"([^"]*)"/g;

/**
 * RFC 9110 section 13.2.2, steps 3 and 4, for a GET or HEAD whose answer would be 2xx: true when the
 * client's copy is current and the answer is 304. `If-None-Match` uses the weak comparison (`W/"a"`
 * matches `"a"`) and `*` matches any current representation; `If-Modified-Since` counts only when there
 * is no `If-None-Match`, when it is one valid HTTP-date, and when the representation has a Last-Modified.
 */
export function isNotModified(headers: IncomingHttpHeaders, validators: Validators): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    if (validators.etag === undefined) return false;
    const opaque = validators.etag.startsWith('W/') ? validators.etag.slice(2) : validators.etag;
    for (const match of ifNoneMatch.matchAll(ENTITY_TAG)) if (`"${match[2]}"` === opaque) return true;
    return false;
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined || validators.lastModified === undefined) return false;
  const since = parseHttpDate(ifModifiedSince.trim());
  return since !== undefined && validators.lastModified <= since;
}
