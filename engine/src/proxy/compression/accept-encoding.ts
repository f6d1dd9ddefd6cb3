/**
 * Content negotiation from Accept-Encoding (RFC 9110 section 12.5.3, weights section 12.4.2):
 * `Accept-Encoding = #( codings [ weight ] )`, `codings = content-coding / "identity" / "*"`,
 * `weight = OWS ";" OWS "q=" qvalue`, `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
 *
 * - No header: the RFC allows any coding, but a client that names none (curl, a health check) is
 *   served as is, as nginx and Envoy do.
 * - An empty header: the client wants no content coding.
 * - Codings compare case-insensitively; `x-gzip` counts as `gzip` (section 8.4.1.3), and the answer
 *   says `gzip`, the name the same section has recipients treat alike (nginx ignores `x-gzip`).
 * - `q=0` refuses a coding. `*` stands for every coding not listed by name, identity included.
 * - identity is acceptable unless `identity;q=0`, or `*;q=0` without an identity entry, refuses it;
 *   when the client weighs identity above every coding we offer, the body goes as is.
 * - Ties between codings go to the server's preference order (the config's `algorithms`); Envoy keeps
 *   the client's order instead, but that order carries no meaning in the RFC, only the weights do.
 * - A malformed member (a bad qvalue, another parameter, a character outside a token) is skipped, as
 *   Envoy skips a member whose q it cannot parse; nginx reads a bad q as 0. Either way it never selects
 *   a coding. A coding listed twice takes its highest weight, unless one entry refuses it (Envoy).
 * Nothing here compiles a regex or allocates per member beyond the one result.
 */
import type { ContentCoding } from './codings.ts';

/** The outcome of negotiation: the coding to apply, or why the body goes as is. */
export type Negotiation =
  | { readonly coding: ContentCoding; readonly q: number }
  | { readonly coding: undefined; readonly why: NoCodingReason };

export type NoCodingReason =
  /** The request has no Accept-Encoding. */
  | 'no-header'
  /** None of the codings we offer is acceptable (an empty header, unknown codings, all refused). */
  | 'none-acceptable'
  /** The client weighs identity above every acceptable coding we offer. */
  | 'identity-preferred';

const NO_HEADER: Negotiation = { coding: undefined, why: 'no-header' };
const NONE_ACCEPTABLE: Negotiation = { coding: undefined, why: 'none-acceptable' };
const IDENTITY_PREFERRED: Negotiation = { coding: undefined, why: 'identity-preferred' };

/** Weights in thousandths (exact; 0.001 is the finest a qvalue has). -1: not listed. */
const UNLISTED = -1;

/**
 * A negotiator for one server preference order (most preferred first), built once per config.
 * `negotiate(header)` is the per-request call.
 */
export class EncodingNegotiator {
  readonly #codings: readonly ContentCoding[];
  /** Scratch weights per offered coding, reset on each call (negotiation is synchronous). */
  readonly #weights: number[];
  #identity = UNLISTED;
  #star = UNLISTED;

  constructor(preference: readonly ContentCoding[]) {
    this.#codings = preference;
    this.#weights = preference.map(() => UNLISTED);
  }

  negotiate(header: string | string[] | undefined): Negotiation {
    if (header === undefined) return NO_HEADER;
    this.#weights.fill(UNLISTED);
    this.#identity = UNLISTED;
    this.#star = UNLISTED;
    if (typeof header === 'string') this.#read(header);
    else for (const line of header) this.#read(line);
    return this.#choose();
  }

  #choose(): Negotiation {
    const weights = this.#weights;
    let best = -1;
    let bestQ = 0;
    for (let i = 0; i < weights.length; i++) {
      const q = weights[i] === UNLISTED ? this.#star : weights[i];
      // Strictly greater: on a tie the earlier (preferred) coding stays.
      if (q > bestQ) {
        best = i;
        bestQ = q;
      }
    }
    if (best < 0) return NONE_ACCEPTABLE;
    // identity not listed and no `*`: acceptable, but below any coding the client named.
    const identity = this.#identity !== UNLISTED ? this.#identity : this.#star !== UNLISTED ? this.#star : 0;
    if (identity > bestQ) return IDENTITY_PREFERRED;
    return { coding: this.#codings[best], q: bestQ / 1000 };
  }

  /** Read one field line: its comma-separated members, each `coding [ ; q=value ]`. */
  #read(line: string): void {
    const end = line.length;
    let i = 0;
    while (i < end) {
      // A member runs to the next comma (codings and qvalues hold no comma or quote).
      let next = line.indexOf(',', i);
      if (next < 0) next = end;
      this.#member(line, i, next);
      i = next + 1;
    }
  }

  #member(line: string, start: number, end: number): void {
    let i = skipSpace(line, start, end);
    const nameStart = i;
    while (i < end && isTokenChar(line.charCodeAt(i))) i++;
    const nameEnd = i;
    if (nameEnd === nameStart) return; // an empty member (`gzip,,br`) is allowed by the list rule; junk is skipped
    i = skipSpace(line, i, end);
    let q = 1000;
    if (i < end) {
      if (line.charCodeAt(i) !== SEMICOLON) return;
      i = skipSpace(line, i + 1, end);
      const code = line.charCodeAt(i);
      if ((code !== LOWER_Q && code !== UPPER_Q) || line.charCodeAt(i + 1) !== EQUALS) return;
      const valueEnd = trimEnd(line, i + 2, end);
      q = parseQValue(line, i + 2, valueEnd);
      if (q < 0) return;
    }
    this.#weigh(line, nameStart, nameEnd, q);
  }

  #weigh(line: string, start: number, end: number, q: number): void {
    const length = end - start;
    if (length === 1 && line.charCodeAt(start) === STAR) {
      this.#star = combine(this.#star, q);
      return;
    }
    if (length === 8 && matches(line, start, 'identity')) {
      this.#identity = combine(this.#identity, q);
      return;
    }
    const codings = this.#codings;
    for (let c = 0; c < codings.length; c++) {
      const coding = codings[c];
      if ((length === coding.length && matches(line, start, coding)) || (coding === 'gzip' && length === 6 && matches(line, start, 'x-gzip'))) {
        this.#weights[c] = combine(this.#weights[c], q);
        return;
      }
    }
  }
}

/** A coding listed again: a refusal stands, otherwise the higher weight. */
function combine(previous: number, q: number): number {
  if (previous === UNLISTED) return q;
  if (previous === 0 || q === 0) return 0;
  return Math.max(previous, q);
}

/** A qvalue in thousandths, or -1 when it does not follow the grammar (`1.5`, `0.0001`, `.5`, `abc`). */
function parseQValue(line: string, start: number, end: number): number {
  if (start >= end) return -1;
  const lead = line.charCodeAt(start);
  if (lead !== DIGIT_0 && lead !== DIGIT_1) return -1;
  let q = (lead - DIGIT_0) * 1000;
  if (start + 1 === end) return q;
  if (line.charCodeAt(start + 1) !== DOT || end - (start + 2) > 3) return -1;
  let scale = 100;
  for (let i = start + 2; i < end; i++, scale /= 10) {
    const digit = line.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    q += digit * scale;
  }
  return q > 1000 ? -1 : q;
}

/** Whether `line` at `start` holds `word`, ignoring ASCII case (`word` is lowercase). */
function matches(line: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((line.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

function skipSpace(line: string, i: number, end: number): number {
  while (i < end && isSpace(line.charCodeAt(i))) i++;
  return i;
}

function trimEnd(line: string, start: number, end: number): number {
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--;
  return end;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** RFC 9110 section 5.6.2 tchar. */
function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

const TCHAR = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~") TCHAR[char.charCodeAt(0)] = 1;
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[0-9A-Za-z]/.test(char)) TCHAR[code] = 1;
}

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const STAR = 0x2a;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const LOWER_Q = 0x71;
const UPPER_Q = 0x51;
