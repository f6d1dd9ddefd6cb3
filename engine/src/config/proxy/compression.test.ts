/** The `compression` field of a proxy: the sketch's shapes are accepted; every bad input names its field. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../validate.ts';

const config = (compression: unknown) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's', compression },
    { id: 's', kind: 'service' },
  ],
  traffic: [{ to: 'edge', rate: 1 }],
});
const errorsOf = (input: unknown) => {
  const result = validateConfig(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};
const FIELD = 'nodes[0].compression';

describe('compression on a proxy', () => {
  it.each<[string, unknown]>([
    ['on with the defaults (issue 11)', true],
    ['off', false],
    ['the sketch (issue 11)', { minSize: '1kb', types: ['text/*', 'application/json'], algorithms: ['br', 'gzip'] }],
    ['gzip only, a byte count, levels', { minSize: 256, algorithms: ['gzip'], level: { gzip: 9, br: 11 } }],
    ['suffix patterns', { types: ['application/*+json', 'image/svg+xml'] }],
    ['an empty object (the defaults)', {}],
  ])('accepts %s', (_name, compression) => {
    expect(errorsOf(config(compression))).toEqual([]);
  });

  it('keeps the parsed sizes in bytes', () => {
    const result = validateConfig(config({ minSize: '2kb' }));
    expect(result.ok && result.config.nodes[0]).toMatchObject({ compression: { minSize: 2048 } });
  });

  it.each<[string, unknown, string]>([
    ['a size without a unit it knows', { minSize: '1 parsec' }, `${FIELD}.minSize: expected a size like 1kb or 512b (at most 64mb), got "1 parsec"`],
    ['a coding it does not offer', { algorithms: ['deflate'] }, `${FIELD}.algorithms[0]`],
    ['a coding twice', { algorithms: ['gzip', 'gzip'] }, `${FIELD}.algorithms: each coding at most once`],
    ['no coding', { algorithms: [] }, `${FIELD}.algorithms: name at least one coding (or set compression: false)`],
    ['no type', { types: [] }, `${FIELD}.types: name at least one type (or set compression: false)`],
    ['a type that is not a media type', { types: ['json'] }, `${FIELD}.types[0]: expected a media type`],
    ['a wildcard in the wrong place', { types: ['*/json'] }, `${FIELD}.types[0]: expected a media type`],
    ['a gzip level out of range', { level: { gzip: 0 } }, `${FIELD}.level.gzip`],
    ['a brotli quality out of range', { level: { br: 12 } }, `${FIELD}.level.br`],
    ['a misspelt key', { minsize: 10 }, `${FIELD}`],
    ['a string for the switch', 'yes', `${FIELD}`],
  ])('refuses %s', (_name, compression, expected) => {
    const errors = errorsOf(config(compression));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((error) => error.startsWith(expected))).toBe(true);
  });

  it('is a proxy field: a service does not take it', () => {
    const input = { version: 1, nodes: [{ id: 's', kind: 'service', compression: true }], traffic: [] };
    expect(errorsOf(input).some((error) => error.startsWith('nodes[0]'))).toBe(true);
  });
});

describe('compression that runs', () => {
  it.each([true, false, { minSize: '2kb' }])('%s is accepted without a warning', (compression) => {
    const result = validateConfig(config(compression));
    expect(result.ok && result.warnings).toEqual([]);
  });
});
