/** Cache-Status members are valid structured-field lists (RFC 9211 over RFC 8941) and follow upstream members. */
import fc from 'fast-check';
import { parseList, serializeItem, Token, type Parameters } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { cacheStatusMember, setStatusWords, type CacheOutcome } from './cache-status.ts';

describe('cacheStatusMember', () => {
  it('writes the parameters RFC 9211 defines, as a structured-field list parses them back', () => {
    const member = cacheStatusMember({ fwd: 'stale', fwdStatus: 503, ttl: -12, stored: false, collapsed: true, detail: 'stale-if-error' });
    expect(member).toBe('EdgeLab;fwd=stale;fwd-status=503;ttl=-12;stored=?0;collapsed;detail="stale-if-error"');
    const [[name, params]] = parseList(member) as Array<[Token, Map<string, unknown>]>;
    expect([name.toString(), params.get('fwd')?.toString(), params.get('fwd-status'), params.get('ttl'), params.get('collapsed')]).toEqual([
      'EdgeLab',
      'stale',
      503,
      -12,
      true,
    ]);
  });

  it('writes exactly what the structured-headers serializer writes, for any parameters', () => {
    const params = fc.record(
      {
        hit: fc.boolean(),
        fwd: fc.constantFrom('bypass', 'method', 'uri-miss', 'vary-miss', 'miss', 'request', 'stale'),
        fwdStatus: fc.integer({ min: 100, max: 599 }),
        ttl: fc.integer({ min: -1e9, max: 1e9 }),
        stored: fc.boolean(),
        collapsed: fc.boolean(),
        detail: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(params, (p) => {
        const parameters: Parameters = new Map();
        if (p.hit) parameters.set('hit', true);
        if (p.fwd !== undefined) parameters.set('fwd', new Token(p.fwd));
        if (p.fwdStatus !== undefined) parameters.set('fwd-status', p.fwdStatus);
        if (p.ttl !== undefined) parameters.set('ttl', p.ttl);
        if (p.stored !== undefined) parameters.set('stored', p.stored);
        if (p.collapsed !== undefined) parameters.set('collapsed', p.collapsed);
        if (p.detail !== undefined) parameters.set('detail', p.detail);
        expect(cacheStatusMember(p)).toBe(serializeItem([new Token('EdgeLab'), parameters]));
      }),
    );
  });

  it('appends its member after those of caches nearer the origin, and sets X-Cache', () => {
    const outcome = { xCache: 'HIT', cacheStatus: 'EdgeLab;hit;ttl=5' } as CacheOutcome;
    const headers = setStatusWords({ 'cache-status': 'OriginCache;hit', 'x-cache': 'MISS' }, outcome);
    expect([headers['cache-status'], headers['x-cache']]).toEqual(['OriginCache;hit, EdgeLab;hit;ttl=5', 'HIT']);
    expect(parseList(headers['cache-status'] as string)).toHaveLength(2);
  });
});
