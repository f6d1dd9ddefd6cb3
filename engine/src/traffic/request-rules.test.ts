import { describe, expect, it } from 'vitest';
import { headerNameProblem, headerValueProblem, methodProblem, pathTextProblem, requestHeaderProblems } from './request-rules.ts';

describe('request rules', () => {
  it('accepts the headers a flow usually sends, in any case', () => {
    const headers = {
      'Content-Type': 'application/json',
      authorization: 'Bearer abc',
      cookie: 'a=1; b=2',
      'x-api-key': 'key-1',
      'If-None-Match': '"v1"',
      'x-tabbed': 'a\tb',
      'x-latin1': 'caf\u00e9',
      'x-empty': '',
      "x-!#$%&'*+.^_`|~": '1',
    };
    expect(requestHeaderProblems(headers)).toEqual([]);
  });

  it.each(['host', 'HOST', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'expect', 'proxy-connection', 'proxy-authorization', 'Proxy-Anything'])(
    'refuses %s: the generator owns it',
    (name) => {
      expect(headerNameProblem(name)).toMatch(/^not allowed: /);
    },
  );

  it.each(['', 'a b', 'a:b', 'a\r\nb', 'é', '(x)', 'x/y'])('refuses the header name %j: not a token', (name) => {
    expect(headerNameProblem(name)).toMatch(/^expected a header name/);
  });

  it.each([
    ['a\rb', 'CR'],
    ['a\nb', 'LF'],
    ['a\u0000b', 'NUL'],
    ['a\u007fb', 'DEL'],
    ['a\u0001b', 'U+0001'],
    ['\u20ac', 'U+20AC "€"'],
  ])('refuses the header value %j: it holds %s', (value, what) => {
    expect(headerValueProblem(value)).toBe(`a header value cannot hold ${what}`);
  });

  it('names a header given twice under two spellings', () => {
    expect(requestHeaderProblems({ 'X-Trace': '1', 'x-trace': '2' })).toEqual([
      { name: 'x-trace', message: 'the same header as "X-Trace" (names ignore case): give it once' },
    ]);
  });

  it('refuses only CONNECT among upper-case methods', () => {
    expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PURGE', 'QUERY'].map(methodProblem)).toEqual(Array(10).fill(undefined));
    expect(methodProblem('CONNECT')).toMatch(/tunnel/);
  });

  it('lets through what a request-target may carry as is, and nothing else', () => {
    expect(pathTextProblem("/a/b-c_d.e~f!$&'()*+,;=:@%20?x=/y?")).toBeUndefined();
    expect(pathTextProblem('/a b')).toMatch(/a space/);
    expect(pathTextProblem('/#x')).toMatch(/"#"/);
    expect(pathTextProblem('/\u00e9')).toMatch(/U\+00E9/);
  });
});
