/** Host patterns: exact and leading-wildcard names, case-insensitive, ports compared only when written. */
import { describe, expect, it } from 'vitest';
import { compileHostPattern, hostCovers, hostMatches, hostPatternProblem, requestHost } from './host-pattern.ts';

describe('hostPatternProblem', () => {
  it.each([
    'api.example.com',
    '*.example.com',
    'API.Example.COM',
    'localhost',
    '127.0.0.1',
    'api.example.com:8081',
    '[::1]',
    '[::1]:8080',
    'example.com.',
  ])('accepts %s', (host) => expect(hostPatternProblem(host)).toBeUndefined());

  it.each([
    ['', /expected a host name/],
    ['*', /leave host out/],
    ['api.*.com', /whole first label/],
    ['*api.example.com', /whole first label/],
    ['**.example.com', /whole first label/],
    ['api_x.example.com', /labels of letters/],
    ['-api.example.com', /labels of letters/],
    ['a..b', /labels of letters/],
    ['api.example.com:0', /port/],
    ['api.example.com:70000', /port/],
    ['api.example.com:http', /port/],
    [`${'a'.repeat(64)}.com`, /labels of letters/],
  ])('refuses %j', (host, problem) => expect(hostPatternProblem(host)).toMatch(problem));
});

describe('hostMatches', () => {
  it.each<[string, string | undefined, boolean]>([
    ['api.example.com', 'api.example.com', true],
    ['api.example.com', 'API.Example.com', true],
    ['api.example.com', 'api.example.com:8081', true],
    ['api.example.com', 'api.example.com.', true],
    ['api.example.com', 'www.example.com', false],
    ['api.example.com', 'api.example.com.evil.test', false],
    ['api.example.com', undefined, false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com:9000', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['*.example.com', '.example.com', false],
    ['api.example.com:8081', 'api.example.com:8081', true],
    ['api.example.com:8081', 'api.example.com:8082', false],
    ['api.example.com:8081', 'api.example.com', false],
    ['api.example.com:80', 'api.example.com', true],
    ['[::1]:8080', '[::1]:8080', true],
    ['[::1]', '[::1]:9', true],
  ])('%s with Host %s: %s', (pattern, host, expected) => {
    expect(hostMatches(compileHostPattern(pattern), requestHost(host))).toBe(expected);
  });
});

describe('hostCovers', () => {
  it.each<[string, string, boolean]>([
    ['api.example.com', 'API.example.com', true],
    ['api.example.com', 'api.example.com:80', true],
    ['api.example.com:80', 'api.example.com', false],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', '*.b.example.com', true],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.b.example.com', '*.example.com', false],
    ['api.example.com', '*.example.com', false],
  ])('%s covers %s: %s', (outer, inner, expected) => {
    expect(hostCovers(compileHostPattern(outer), compileHostPattern(inner))).toBe(expected);
  });
});
