/**
 * A service's JSON body at an exact size (`responseSize`), so bandwidth and caches have real bytes to
 * move. The body stays valid JSON with its usual fields: a `padding` member fills the gap (or, when the
 * gap is too small for one, insignificant whitespace before the closing brace, RFC 8259 section 2).
 * Large bodies are streamed in chunks of one shared, preallocated fill buffer, never built per request.
 */
import type { ServerResponse } from 'node:http';

/** The largest `responseSize` a config may ask for: a sandbox body, not a download server. */
export const MAX_RESPONSE_SIZE = 64 * 1024 * 1024;

const KB = 1024;
/** 1kb = 1024 bytes, as nginx counts (its `k`, `m` and `g` are taken too, and the binary kib, mib, gib). */
const UNIT_BYTES: Record<string, number> = { b: 1, k: KB, kb: KB, kib: KB, m: KB ** 2, mb: KB ** 2, mib: KB ** 2, g: KB ** 3, gb: KB ** 3, gib: KB ** 3 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)$/i;

/** Bytes from a number or a string with a unit (`512b`, `2kb`, `1.5mb`, `1gb`, any case), rounded to a byte. */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_BYTES[match[2].toLowerCase()]);
}

/** A body laid out as `head`, then `fill` bytes of one character, then `tail`: `length` bytes in all. */
export interface PaddedBody {
  head: string;
  fill: number;
  fillChar: 'x' | ' ';
  tail: string;
  length: number;
}

/** `,"padding":"` before the fill and `"}` after it, less the `}` they replace. */
const MEMBER_OVERHEAD = 13;

/**
 * Lay out `json` (a serialised object) at `size` bytes. Without a size, or when the fields alone are
 * already longer, the body is `json` unchanged.
 */
export function padJson(json: string, size: number | undefined): PaddedBody {
  const natural = Buffer.byteLength(json);
  if (size === undefined || size <= natural) return { head: json, fill: 0, fillChar: ' ', tail: '', length: natural };
  const gap = size - natural;
  const open = json.slice(0, -1);
  if (gap < MEMBER_OVERHEAD) return { head: open, fill: gap, fillChar: ' ', tail: '}', length: size };
  const separator = open === '{' ? '' : ',';
  const head = `${open}${separator}"padding":"`;
  const tail = '"}';
  return { head, fill: size - Buffer.byteLength(head) - tail.length, fillChar: 'x', tail, length: size };
}

const CHUNK = 64 * 1024;
const FILL_TEXT = { x: 'x'.repeat(CHUNK), ' ': ' '.repeat(CHUNK) } as const;
const FILL_BYTES = { x: Buffer.from(FILL_TEXT.x, 'latin1'), ' ': Buffer.from(FILL_TEXT[' '], 'latin1') } as const;

/** The body's bytes as one string; for small bodies and for tests (a large body is streamed instead). */
export function bodyText(body: PaddedBody): string {
  let fill = '';
  for (let left = body.fill; left > 0; left -= CHUNK) fill += FILL_TEXT[body.fillChar].slice(0, Math.min(left, CHUNK));
  return body.head + fill + body.tail;
}

/** Send the body and end the response; a large body goes out in chunks, waiting for the socket to drain. */
export function writeBody(res: ServerResponse, body: PaddedBody): void {
  if (body.fill <= CHUNK) {
    res.end(body.fill === 0 ? body.head + body.tail : body.head + FILL_TEXT[body.fillChar].slice(0, body.fill) + body.tail);
    return;
  }
  const fill = FILL_BYTES[body.fillChar];
  let left = body.fill;
  const pump = (): void => {
    while (left > 0) {
      if (res.destroyed) return;
      const n = Math.min(left, CHUNK);
      left -= n;
      if (!res.write(n === CHUNK ? fill : fill.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(body.tail);
  };
  res.write(body.head);
  pump();
}
