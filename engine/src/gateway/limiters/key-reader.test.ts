import { describe, expect, it } from 'vitest';
import { keyReader, MAX_KEY_LENGTH } from './key-reader.ts';

const CLIENT = '127.0.0.5';

describe('keyReader', () => {
  it.each<[string, string | undefined, Record<string, string | string[]>, number, string]>([
    ['ip', 'mobile', {}, 0, 'ip 127.0.0.5'],
    ['consumer', 'mobile', {}, 0, 'consumer mobile'],
    ['consumer', undefined, {}, 0, 'ip 127.0.0.5 (no consumer)'],
    ['header:X-Api-Key', undefined, { 'x-api-key': 'k-1' }, 0, 'x-api-key k-1'],
    ['header:x-api-key', undefined, {}, 0, 'ip 127.0.0.5 (no x-api-key header)'],
    ['header:x-api-key', undefined, { 'x-api-key': '' }, 0, 'ip 127.0.0.5 (no x-api-key header)'],
    ['header:x-tag', undefined, { 'x-tag': ['a', 'b'] }, 0, 'x-tag a, b'],
    ['route', undefined, {}, 3, 'route 3'],
    ['global', 'mobile', {}, 3, 'everyone'],
  ])('%s with consumer %s and headers %j reads as "%s"', (spec, consumer, headers, route, words) => {
    const reader = keyReader(spec);
    expect(reader.describe(reader.read(CLIENT, consumer, headers, route))).toBe(words);
  });

  it('never lets a client address share a count with a consumer or header value that reads the same', () => {
    const byConsumer = keyReader('consumer');
    expect(byConsumer.read(CLIENT, undefined, {}, 0)).not.toBe(byConsumer.read('9.9.9.9', CLIENT, {}, 0));
    const byHeader = keyReader('header:x-user');
    expect(byHeader.read(CLIENT, undefined, {}, 0)).not.toBe(byHeader.read('9.9.9.9', undefined, { 'x-user': CLIENT }, 0));
  });

  it('hashes long header values, so a flood of 8 KB values costs a short key each', () => {
    const reader = keyReader('header:authorization');
    const long = `Bearer ${'x'.repeat(8000)}`;
    const key = reader.read(CLIENT, undefined, { authorization: long }, 0);
    expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(reader.read(CLIENT, undefined, { authorization: `${long}y` }, 0)).not.toBe(key);
    expect(reader.read(CLIENT, undefined, { authorization: long }, 0)).toBe(key);
    expect(reader.describe(key)).toMatch(/^authorization sha256:.*\(a long value, hashed\)$/);
  });

  it('refuses a spec the config would refuse', () => {
    expect(() => keyReader('cookie:x')).toThrow(/expected one of ip, consumer, header:NAME, route, global/);
  });
});
