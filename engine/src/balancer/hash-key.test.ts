import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cookieValue, hashKeyReader, isHashKey } from './hash-key.ts';

const request = (url: string, headers: Record<string, string | string[]> = {}) => ({ url, headers }) as unknown as IncomingMessage;

describe('hashKeyReader', () => {
  it.each([
    ['ip', request('/a'), '10.0.0.7'],
    ['path', request('/users/7?x=1'), '/users/7'],
    ['header:X-User', request('/', { 'x-user': 'ada' }), 'ada'],
    ['header:x-user', request('/'), undefined],
    ['cookie:session', request('/', { cookie: 'theme=dark; session=abc123; session=later' }), 'abc123'],
    ['cookie:session', request('/', { cookie: 'theme=dark' }), undefined],
    ['query:user', request('/users?user=bob&x=1'), 'bob'],
    ['query:user', request('/users'), undefined],
    ['query:user', request('/users?user=a%20b'), 'a%20b'],
    ['query:user', request('/users?USER=cy'), 'cy'],
    ['query:user', request('/users?user&user=dee'), 'dee'],
  ])('%s reads %j', (spec, req, expected) => {
    expect(hashKeyReader(spec)(req, '10.0.0.7')).toBe(expected);
  });

  it.each(['ip ', 'header:', 'cookie:a b', 'body', 'query:'])('rejects %j', (spec) => {
    expect(isHashKey(spec)).toBe(false);
    expect(() => hashKeyReader(spec)).toThrow(/hashKey/);
  });

  it('reads cookies as RFC 6265 writes them', () => {
    expect(cookieValue(' a=1 ;b = 2', 'a')).toBe('1');
    expect(cookieValue('a=1; b=x=y', 'b')).toBe('x=y');
  });
});
