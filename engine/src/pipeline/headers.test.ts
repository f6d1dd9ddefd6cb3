import { describe, expect, it } from 'vitest';
import { copyFields } from './headers.ts';

describe('copyFields', () => {
  it('copies every own field, in order, into an object of its own', () => {
    const stored: Record<string, string | string[]> = { 'content-type': 'application/json', etag: '"v1"', vary: ['accept', 'accept-encoding'] };
    const copy = copyFields(stored);
    copy.age = '3';
    expect(Object.entries(copy)).toEqual([...Object.entries(stored), ['age', '3']]);
    expect(stored).not.toHaveProperty('age');
  });

  it('keeps a field named __proto__ as a field, and leaves the prototype alone', () => {
    // JSON.parse makes `__proto__` an own field, as a parsed response head may have it.
    const stored = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    const copy = copyFields(stored);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor']);
  });
});
