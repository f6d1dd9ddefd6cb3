/** Cache-Status members are valid structured-field lists (RFC 9211 over RFC 8941) and follow upstream members. */
import { parseList, Token } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { cacheStatusMember, withStatusWords, type CacheOutcome } from './cache-status.ts';

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

  it('appends its member after those of caches nearer the origin, and sets X-Cache', () => {
    const outcome = { xCache: 'HIT', cacheStatus: 'EdgeLab;hit;ttl=5' } as CacheOutcome;
    const headers = withStatusWords({ 'cache-status': 'OriginCache;hit', 'x-cache': 'MISS' }, outcome);
    expect([headers['cache-status'], headers['x-cache']]).toEqual(['OriginCache;hit, EdgeLab;hit;ttl=5', 'HIT']);
    expect(parseList(headers['cache-status'] as string)).toHaveLength(2);
  });
});
