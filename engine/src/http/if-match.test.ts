import { describe, expect, it } from 'vitest';
import { ifMatchHolds } from './if-match.ts';

describe('If-Match (RFC 9110 13.1.1)', () => {
  const current = '"cfg-abc"';
  it.each([
    ['the current tag', '"cfg-abc"', true],
    ['a list holding it', '"x", "cfg-abc"', true],
    ['*', '*', true],
    ['another tag', '"cfg-old"', false],
    ['the current tag, weak', 'W/"cfg-abc"', false],
    ['an unquoted tag', 'cfg-abc', false],
    ['nothing', '', false],
  ])('%s: %s', (_what, field, holds) => {
    expect(ifMatchHolds(field, current)).toBe(holds);
  });

  it('* does not hold when there is nothing to match', () => {
    expect(ifMatchHolds('*', undefined)).toBe(false);
  });
});
