/**
 * Path normalisation (RFC 3986 section 6.2.2): the forms that must become one, the attacks that must
 * not slip past a rule (each refused or resolved before routing), and properties over random paths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPathRefusal, normalizePath } from './normalize-path.ts';

describe('normalizePath', () => {
  it.each([
    ['/users/1', '/users/1'],
    ['/', '/'],
    ['/users/', '/users/'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/..', '/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['//admin', '/admin'],
    ['/a//b///c', '/a/b/c'],
    ['/admin/./', '/admin/'],
    ['/admin//', '/admin/'],
    ['/users/%2e%2e/admin', '/admin'],
    ['/users/%2E%2E/admin', '/admin'],
    ['/users/.%2e/admin', '/admin'],
    ['/%7Euser/%41%62%63', '/~user/Abc'],
    ['/a%3fb', '/a%3Fb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/emoji/%F0%9F%98%80', '/emoji/%F0%9F%98%80'],
    ['/.well-known/x', '/.well-known/x'],
    ['/a/.b/..c', '/a/.b/..c'],
    ['/a%20b', '/a%20b'],
    ['/users/%252e%252e/admin', '/users/%252e%252e/admin'],
    // Path parameters are part of a segment (RFC 3986 section 3.3), as Envoy keeps them: matched and forwarded as sent.
    ['/users/1;v=2', '/users/1;v=2'],
    ['/users/1;v=2/../2', '/users/2'],
    ['/users/...;x', '/users/...;x'],
    ['/users/%3B/x', '/users/%3B/x'],
  ])('%s is %s', (path, normal) => {
    expect(normalizePath(path)).toBe(normal);
  });

  it('returns a path already in normal form as the same string', () => {
    const path = '/users/42/orders';
    expect(normalizePath(path)).toBe(path);
  });

  it.each([
    ['/users/..%2fadmin', 'an encoded slash (%2f) in the path'],
    ['/users/..%2Fadmin', 'an encoded slash (%2F) in the path'],
    ['/users%2F..%2F..%2Fadmin', 'an encoded slash (%2F) in the path'],
    ['/users/..%5cadmin', 'an encoded backslash (%5c) in the path'],
    ['/users\\..\\admin', 'a backslash in the path'],
    ['/a%', 'invalid percent-encoding at "%"'],
    ['/a%4', 'invalid percent-encoding at "%4"'],
    ['/a%G1', 'invalid percent-encoding at "%G1"'],
    ['/a%%32%65', 'invalid percent-encoding at "%%3"'],
    ['/a%00b', 'an encoded NUL (%00) in the path'],
    ['/users/%C0%AE%C0%AE/admin', 'encoded bytes that are not UTF-8 (or an overlong form) at "%C0%AE%C0%AE"'],
    ['/users/%E0%80%AE', 'encoded bytes that are not UTF-8 (or an overlong form) at "%E0%80%AE"'],
    ['/users/%F0%80%80%AE', 'encoded bytes that are not UTF-8 (or an overlong form) at "%F0%80%80%AE"'],
    ['/users/%C1%9C', 'encoded bytes that are not UTF-8 (or an overlong form) at "%C1%9C"'],
    ['/x/%ED%A0%80', 'encoded bytes that are not UTF-8 (or an overlong form) at "%ED%A0%80"'],
    ['/x/%F4%90%80%80', 'encoded bytes that are not UTF-8 (or an overlong form) at "%F4%90%80%80"'],
    ['/x/%C3', 'encoded bytes that are not UTF-8 (or an overlong form) at "%C3"'],
    ['/x/%C3%28', 'encoded bytes that are not UTF-8 (or an overlong form) at "%C3%28"'],
    ['/x/%80', 'encoded bytes that are not UTF-8 (or an overlong form) at "%80"'],
    ['/users/..;/admin', 'a dot segment with parameters ("..;") in the path: Tomcat and Spring read it as ".."'],
    ['/users/..;jsessionid=1/admin', 'a dot segment with parameters ("..;jsessionid=1") in the path: Tomcat and Spring read it as ".."'],
    ['/users/%2e%2e;x/admin', 'a dot segment with parameters ("..;x") in the path: Tomcat and Spring read it as ".."'],
    ['/users/.;/admin', 'a dot segment with parameters (".;") in the path: Tomcat and Spring read it as "."'],
    ['/users/a#/../../admin', 'a fragment (#) in the request target: clients never send one (RFC 9112 section 3.2)'],
    ['/users#', 'a fragment (#) in the request target: clients never send one (RFC 9112 section 3.2)'],
    ['users', 'the path does not start with /'],
    ['*', 'the path does not start with /'],
  ])('refuses %s: %s', (path, refused) => {
    expect(normalizePath(path)).toEqual({ refused });
  });
});

/** Paths built from the pieces attacks are made of. */
const piece = fc.constantFrom(
  'a',
  'users',
  'admin',
  '.',
  '..',
  '',
  '%2e',
  '%2E',
  '%2e%2e',
  '%7E',
  '%41',
  '%3f',
  '%c3%a9',
  '%25',
  ';',
  '..;',
  '#',
  '~',
  '-',
  '_',
);
const paths = fc.array(piece, { maxLength: 12 }).map((segments) => `/${segments.join('/')}`);

describe('normalizePath properties', () => {
  it('is idempotent: a normal path is its own normal form', () => {
    fc.assert(
      fc.property(paths, (path) => {
        const normal = normalizePath(path);
        if (isPathRefusal(normal)) return;
        expect(normalizePath(normal)).toBe(normal);
      }),
      { seed: 10, numRuns: 2000 },
    );
  });

  it('leaves no dot segment, no empty segment but a trailing one, no encoded unreserved character, no lower-case hex', () => {
    fc.assert(
      fc.property(paths, (path) => {
        const normal = normalizePath(path);
        if (isPathRefusal(normal)) return;
        expect(normal.startsWith('/')).toBe(true);
        expect(normal).not.toContain('//');
        const segments = normal.split('/').slice(1);
        for (const segment of segments) expect(['.', '..']).not.toContain(segment);
        expect(normal).not.toMatch(/%(2[DdEe]|5[Ff]|7[Ee]|[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9])/);
        expect(normal).not.toMatch(/%[0-9A-F]?[a-f]/);
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it('refuses or accepts any string without throwing, and what it accepts starts with /', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const normal = normalizePath(`/${text}`);
        if (!isPathRefusal(normal)) expect(normal.startsWith('/')).toBe(true);
      }),
      { seed: 12, numRuns: 2000 },
    );
  });
});
