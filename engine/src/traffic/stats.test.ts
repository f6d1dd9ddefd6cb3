import { expect, it } from 'vitest';
import { perSecond, rateSince } from './stats.ts';

it('a running span is averaged over at least a second, an ended one over its own length', () => {
  expect(rateSince(1, 1, true)).toBe(1);
  expect(rateSince(10, 500, true)).toBe(10);
  expect(rateSince(30, 1_500, true)).toBe(20);
  expect(rateSince(10, 500, false)).toBe(20);
  expect(rateSince(0, 0, true)).toBe(0);
  expect(perSecond(1, 1)).toBe(1000);
});
