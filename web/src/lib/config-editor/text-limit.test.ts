import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_TEXT, textTooLong } from './text-limit.ts';

describe('the limit on config text', () => {
  it('takes a text up to 512 KiB and refuses one past it, saying how big it is and what the limit is', () => {
    expect(MAX_CONFIG_TEXT).toBe(524_288);
    expect(textTooLong(MAX_CONFIG_TEXT)).toBeUndefined();
    expect(textTooLong(MAX_CONFIG_TEXT + 1)).toBe('this config is 513 KiB, over the 512 KiB a config may be: refused before reading it, nothing changed');
    expect(textTooLong(10 * 1024 * 1024, 'paste.yaml')).toMatch(/^paste\.yaml is 10\.0 MiB, over the 512 KiB/);
  });
});
