import { describe, expect, it } from 'vitest';
import { notModifiedHeaders } from './conditional.ts';
import type { Headers } from './types.ts';

describe('notModifiedHeaders', () => {
  it('keeps the stored fields but those of the body, a field named __proto__ among them', () => {
    // JSON.parse makes `__proto__` an own field, as a parsed response head may have it.
    const stored = JSON.parse('{"etag":"\\"v1\\"","content-length":"12","content-type":"text/plain","__proto__":"p"}') as Headers;
    const kept = notModifiedHeaders(stored);
    expect(Object.keys(kept)).toEqual(['etag', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
  });
});
