/**
 * One byte range of a stored whole response (RFC 9110 section 14), so a cache HIT can answer a Range
 * request 206 from the store: `bytes=first-last`, `bytes=first-`, `bytes=-suffix`. A range that overlaps
 * nothing (its first byte at or past the end, a zero-length suffix) is unsatisfiable: 416 (section
 * 15.5.17), as nginx answers. Anything else (several ranges, another unit, last before first, an If-Range
 * that does not match strongly) gets the whole response, as a server may (section 14.2). Runs only for
 * requests that carry Range.
 */
import { httpDate } from './freshness.ts';
import type { StoredResponse } from './store.ts';
import { headerText, type CacheRequest, type Headers } from './types.ts';

const SINGLE_RANGE = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/** The first and last byte offsets (inclusive) to send, 'unsatisfiable' for a 416, or undefined for the whole response. */
export function storedRange(request: CacheRequest, entry: StoredResponse): readonly [number, number] | 'unsatisfiable' | undefined {
  if (entry.status !== 200 || request.method !== 'GET') return undefined;
  const match = SINGLE_RANGE.exec(headerText(request.headers.range) ?? '');
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  const size = entry.body.length;
  let first: number;
  let last = size - 1;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    // A zero-length suffix overlaps nothing (section 14.1.1): size here puts it past the end below.
    first = suffix === 0 ? size : Math.max(0, size - suffix);
  } else {
    first = Number(match[1]);
    if (match[2] !== '') {
      if (Number(match[2]) < first) return undefined;
      last = Math.min(Number(match[2]), last);
    }
  }
  // Section 13.2.2: an If-Range that does not hold means the Range is ignored, satisfiable or not.
  if (!ifRangeHolds(headerText(request.headers['if-range']), entry.headers)) return undefined;
  return first >= size ? 'unsatisfiable' : [first, last];
}

/** RFC 9110 section 13.1.5: an absent If-Range holds; an entity-tag must equal the stored strong ETag; a date, a strong Last-Modified. */
function ifRangeHolds(ifRange: string | undefined, stored: Headers): boolean {
  if (ifRange === undefined) return true;
  const condition = ifRange.trim();
  if (condition.startsWith('"') || condition.startsWith('W/')) {
    const etag = headerText(stored.etag)?.trim();
    return etag !== undefined && !etag.startsWith('W/') && etag === condition;
  }
  const since = httpDate(condition);
  const lastModified = httpDate(stored['last-modified']);
  const date = httpDate(stored.date);
  // A Last-Modified is strong only when the response was sent at least a second after it.
  return since !== undefined && since === lastModified && date !== undefined && date - lastModified >= 1000;
}
