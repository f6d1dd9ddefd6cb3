import { describe, expect, it } from 'vitest';
import { flowDepth, MAX_CONFIG_TEXT, MAX_FLOW_DEPTH, textRefused, textTooLong } from './text-limit.ts';

describe('the limit on config text', () => {
  it('takes a text up to 512 KiB and refuses one past it, saying how big it is and what the limit is', () => {
    expect(MAX_CONFIG_TEXT).toBe(524_288);
    expect(textTooLong(MAX_CONFIG_TEXT)).toBeUndefined();
    expect(textTooLong(MAX_CONFIG_TEXT + 1)).toBe('this config is 513 KiB, over the 512 KiB a config may be: refused before reading it, nothing changed');
    expect(textTooLong(10 * 1024 * 1024, 'paste.yaml')).toMatch(/^paste\.yaml is 10\.0 MiB, over the 512 KiB/);
  });
});

describe('the limit on nesting', () => {
  it.each([
    ['nodes: [ { id: a, to: [b, c] } ]', 3],
    ['paths: ["/a[[[[", \'/b{{{\']', 1],
    ["label: it's [here]", 1],
    ['# [[[[[[\nx: [1]', 1],
    ['a: "say \\"[[[\\" done" ', 0],
    ['x: ]]]] [', 1],
  ])('%j nests %i deep', (text, depth) => {
    expect(flowDepth(text)).toBe(depth);
  });

  it('refuses text nested past the limit before any parse, and takes the same text one level less deep', () => {
    const nested = (n: number) => `nodes: ${'['.repeat(n)}${']'.repeat(n)}`;
    expect(textRefused(nested(MAX_FLOW_DEPTH))).toBeUndefined();
    expect(textRefused(nested(MAX_FLOW_DEPTH + 1), 'The text')).toBe(
      'The text nests [ ] or { } more than 64 deep (a config nests at most 16 levels): refused before reading it, nothing changed',
    );
    expect(textRefused('x'.repeat(MAX_CONFIG_TEXT + 1))).toMatch(/over the 512 KiB/);
  });
});
