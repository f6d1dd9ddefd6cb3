/** Accept-Encoding negotiation, one row per rule of RFC 9110 sections 12.5.3 and 12.4.2. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodingNegotiator } from './accept-encoding.ts';
import type { ContentCoding } from './codings.ts';

/** What the row expects: a coding with its weight, or why none. */
const outcome = (negotiator: EncodingNegotiator, header: string | string[] | undefined) => {
  const result = negotiator.negotiate(header);
  return result.coding === undefined ? result.why : `${result.coding} q=${result.q}`;
};

describe('Accept-Encoding negotiation (server prefers br, then gzip)', () => {
  const negotiator = new EncodingNegotiator(['br', 'gzip']);
  it.each<[string, string | string[] | undefined, string]>([
    ['no header: served as is (nginx, Envoy)', undefined, 'no-header'],
    ['an empty header: no coding wanted', '', 'none-acceptable'],
    ['one coding', 'gzip', 'gzip q=1'],
    ['a browser: ties go to the server order', 'gzip, deflate, br, zstd', 'br q=1'],
    ['the client order does not break ties', 'br, gzip', 'br q=1'],
    ['a higher weight wins over server order', 'br;q=0.5, gzip;q=0.8', 'gzip q=0.8'],
    ['q=0 refuses a coding', 'br;q=0, gzip', 'gzip q=1'],
    ['q=0.000 refuses too', 'br;q=0.000, gzip;q=0.1', 'gzip q=0.1'],
    ['every offered coding refused', 'br;q=0, gzip;q=0', 'none-acceptable'],
    ['codings compare case-insensitively', 'GZIP, Br;Q=0.5', 'gzip q=1'],
    ['x-gzip is gzip (section 8.4.1.3)', 'x-gzip', 'gzip q=1'],
    ['X-GZip with a weight', 'X-GZip;q=0.7', 'gzip q=0.7'],
    ['* stands for every coding not named', '*', 'br q=1'],
    ['* with a weight', '*;q=0.4', 'br q=0.4'],
    ['* does not override a named refusal', 'br;q=0, *', 'gzip q=1'],
    ['*;q=0 refuses what is not named', 'gzip;q=0.3, *;q=0', 'gzip q=0.3'],
    ['*;q=0 alone refuses everything', '*;q=0', 'none-acceptable'],
    ['identity weighed above every coding: as is', 'gzip;q=0.5, identity', 'identity-preferred'],
    ['identity equal to a coding: the coding', 'gzip, identity', 'gzip q=1'],
    ['identity named, no coding: as is', 'identity', 'none-acceptable'],
    ['identity;q=0 with a coding', 'identity;q=0, gzip;q=0.2', 'gzip q=0.2'],
    ['* counts for an unnamed identity', 'gzip;q=0.5, *;q=0.6', 'br q=0.6'],
    ['unknown codings only', 'deflate, compress, zstd', 'none-acceptable'],
    ['three decimals', 'gzip;q=0.125, br;q=0.124', 'gzip q=0.125'],
    ['q=1.000 is the most', 'br;q=1.000', 'br q=1'],
    ['spaces and tabs around members and the semicolon', ' gzip ;\tq=0.5 ,\tbr ; q=0.4 ', 'gzip q=0.5'],
    ['empty members are allowed by the list rule', ',,gzip,,', 'gzip q=1'],
    ['two field lines are one list', ['br;q=0', 'gzip'], 'gzip q=1'],
    ['a coding listed twice takes its higher weight', 'gzip;q=0.2, gzip;q=0.9, br;q=0.5', 'gzip q=0.9'],
    ['a coding listed twice with a refusal stays refused', 'gzip;q=0, gzip;q=1', 'none-acceptable'],
    ['gzip and x-gzip together', 'x-gzip;q=0.3, gzip;q=0.6', 'gzip q=0.6'],
  ])('%s: %j -> %s', (_rule, header, expected) => {
    expect(outcome(negotiator, header)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['q above 1', 'br;q=1.5, gzip;q=0.1', 'gzip q=0.1'],
    ['1 with a non-zero fraction', 'br;q=1.001, gzip;q=0.1', 'gzip q=0.1'],
    ['four decimals', 'br;q=0.0001, gzip;q=0.1', 'gzip q=0.1'],
    ['no leading digit', 'br;q=.5, gzip;q=0.1', 'gzip q=0.1'],
    ['not a number', 'br;q=high, gzip;q=0.1', 'gzip q=0.1'],
    ['an empty qvalue', 'br;q=, gzip;q=0.1', 'gzip q=0.1'],
    ['a negative qvalue', 'br;q=-1, gzip;q=0.1', 'gzip q=0.1'],
    ['space around =', 'br;q = 0.5, gzip;q=0.1', 'gzip q=0.1'],
    ['a parameter other than q', 'br;level=9, gzip;q=0.1', 'gzip q=0.1'],
    ['two weights', 'br;q=1;q=1, gzip;q=0.1', 'gzip q=0.1'],
    ['two codings without a comma', 'br gzip', 'none-acceptable'],
    ['a character outside a token', 'b"r, gzip;q=0.1', 'gzip q=0.1'],
    ['a malformed refusal cannot refuse a * that follows', 'br;q=0.0.0, *;q=0.5', 'br q=0.5'],
  ])('a malformed member is skipped (%s): %j -> %s', (_rule, header, expected) => {
    expect(outcome(negotiator, header)).toBe(expected);
  });

  it('keeps no state from one request to the next', () => {
    expect(outcome(negotiator, 'br;q=0, gzip;q=0')).toBe('none-acceptable');
    expect(outcome(negotiator, '*')).toBe('br q=1');
  });
});

describe('the server order comes from the config', () => {
  it.each<[ContentCoding[], string, string]>([
    [['gzip', 'br'], 'br, gzip', 'gzip q=1'],
    [['gzip', 'br'], '*', 'gzip q=1'],
    [['gzip'], 'br', 'none-acceptable'],
    [['br'], 'gzip;q=1, br;q=0.1', 'br q=0.1'],
  ])('%j with %j -> %s', (preference, header, expected) => {
    expect(outcome(new EncodingNegotiator(preference), header)).toBe(expected);
  });
});

describe('properties over well-formed headers', () => {
  const negotiator = new EncodingNegotiator(['br', 'gzip']);
  /** A member: a coding in any case, with or without a weight (in thousandths). */
  const member = fc.record({
    name: fc.constantFrom('br', 'gzip', 'x-gzip', 'identity', '*', 'deflate', 'zstd'),
    upper: fc.boolean(),
    q: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  });
  const format = (m: { name: string; upper: boolean; q: number | undefined }) =>
    `${m.upper ? m.name.toUpperCase() : m.name}${m.q === undefined ? '' : `;q=${(m.q / 1000).toFixed(3)}`}`;

  it('never chooses a refused coding, and chooses one the client weighs highest among those offered', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        // The model: each name's weight (a refusal stands, otherwise the highest), then * for the rest.
        const weights = new Map<string, number>();
        for (const m of members) {
          const name = m.name === 'x-gzip' ? 'gzip' : m.name;
          const q = m.q ?? 1000;
          const before = weights.get(name);
          weights.set(name, before === undefined ? q : before === 0 || q === 0 ? 0 : Math.max(before, q));
        }
        const weight = (name: string) => weights.get(name) ?? weights.get('*') ?? -1;
        const best = Math.max(weight('br'), weight('gzip'));
        const result = negotiator.negotiate(members.map(format).join(', '));
        if (result.coding !== undefined) {
          expect(Math.round(result.q * 1000)).toBe(best);
          expect(weight(result.coding)).toBe(best);
          expect(best).toBeGreaterThan(0);
          // On a tie, the server's first choice.
          if (weight('br') === weight('gzip')) expect(result.coding).toBe('br');
        } else if (result.why === 'none-acceptable') {
          expect(best).toBeLessThanOrEqual(0);
        } else {
          expect(result.why).toBe('identity-preferred');
          expect(weights.get('identity') ?? weights.get('*')).toBeGreaterThan(best);
        }
      }),
    );
  });
});
