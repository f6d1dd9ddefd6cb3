/** The regex guard: what compiles and is safe enough passes, the catastrophic shapes and broken syntax are refused. */
import { describe, expect, it } from 'vitest';
import { LIMITS, limitMessage } from '../../config/limits.ts';
import { compileRegex, execBounded, groupNames, MAX_REGEX_INPUT, regexProblem } from './safe-regex.ts';

describe('regexProblem', () => {
  it.each([
    '^/v[0-9]+/items$',
    '^/(users|orders)/[0-9]+$',
    '^2',
    '^/v(?<version>[0-9]+)/',
    '(ab)+c',
    '(a+)?b',
    '(?:x|y)?z',
    '^[(+*]+$',
    '\\d+\\.\\d+',
    'a{2,5}(bc){3}',
    '[0-9]{1,16}',
    '[]a*',
    '(a*){1}',
  ])('accepts %s', (source) => {
    expect(regexProblem(source)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', /exponential time/],
    ['^(a|a)*$', /exponential time/],
    ['(x*y*)*', /exponential time/],
    ['((ab)+)+', /exponential time/],
    ['(?:a|b){2,}', /exponential time/],
    ['(.*a){12}', /exponential time/],
    ['(a+)*?', /exponential time/],
    ['(?<=/)x', /linear time: lookarounds/],
    ['x(?!y)', /linear time: lookarounds/],
    ['[0-9]{1,17}', /counted repeats above 16/],
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['(', /^invalid regular expression: /],
    ['[a-', /^invalid regular expression: /],
    ['*a', /^invalid regular expression: /],
    ['', /empty regular expression/],
  ])('refuses %s', (source, problem) => {
    expect(regexProblem(source)).toMatch(problem);
  });

  it('refuses a source past its limit', () => {
    expect(regexProblem('a'.repeat(LIMITS.regexLength.max))).toBeUndefined();
    expect(regexProblem('a'.repeat(LIMITS.regexLength.max + 1))).toBe(limitMessage(LIMITS.regexLength));
  });
});

describe('compileRegex', () => {
  // Polynomial backtracking, which no star-height rule sees: on the backtracking engine this search of
  // 400 characters took ~5 s (1024 characters: hours), and the event loop every node shares with it.
  it('runs a pattern of many .* on the linear-time engine', () => {
    const regex = compileRegex('.*a.*a.*a.*c');
    expect(regex.flags).toContain('l');
    expect(execBounded(regex, 'a'.repeat(MAX_REGEX_INPUT))).toBeNull();
    expect(execBounded(regex, `${'a'.repeat(MAX_REGEX_INPUT - 1)}c`)).not.toBeNull();
  });

  it('keeps named groups', () => {
    expect(execBounded(compileRegex('^/v(?<version>[0-9]+)/'), '/v12/items')?.groups).toEqual({ version: '12' });
  });
});

describe('execBounded', () => {
  it(`searches values up to ${MAX_REGEX_INPUT} characters and fails longer ones`, () => {
    const regex = compileRegex('x$');
    expect(execBounded(regex, `${'a'.repeat(MAX_REGEX_INPUT - 1)}x`)).not.toBeNull();
    expect(execBounded(regex, `${'a'.repeat(MAX_REGEX_INPUT)}x`)).toBeNull();
  });

  it('names the groups a source captures', () => {
    expect(groupNames('^/v(?<version>[0-9]+)/(?<item>[a-z]+)(?:x)(?=y)')).toEqual(['version', 'item']);
  });
});
