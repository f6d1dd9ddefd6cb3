/** Minted tokens: the claims a gateway expects, and the synchronous HMAC signer byte for byte as jose signs. */
import { describe, expect, it } from 'vitest';
import { signHmacToken, signToken, tokenClaims } from './mint.ts';
import { authenticatorFor, bearer, JWT_CONSUMERS, NOW, NOW_S, outcome, SECRET } from './testing.ts';

const settings = { consumerClaim: 'sub', issuer: ['https://issuer.test', 'https://old.test'], audience: 'api' };

describe('tokenClaims', () => {
  it('names the consumer in the consumer claim, takes the first issuer and rounds exp up to a second', () => {
    expect(tokenClaims(settings, { consumer: 'mobile', nowMs: NOW + 999, lifetimeMs: 90_500, notBeforeMs: 1_000 })).toEqual({
      sub: 'mobile',
      iss: 'https://issuer.test',
      aud: 'api',
      iat: NOW_S,
      nbf: NOW_S + 1,
      exp: NOW_S + 91,
    });
    expect(tokenClaims({ consumerClaim: 'client_id' }, { consumer: 'web', nowMs: NOW, lifetimeMs: 60_000 })).toEqual({
      client_id: 'web',
      iat: NOW_S,
      exp: NOW_S + 60,
    });
  });
});

describe('signHmacToken', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)('produces exactly the token jose signs (%s)', async (alg) => {
    const secret = 's'.repeat(64);
    const claims = tokenClaims(settings, { consumer: 'mobile', nowMs: NOW, lifetimeMs: 60_000 });
    expect(signHmacToken(claims, alg, secret)).toBe(await signToken(claims, alg, new TextEncoder().encode(secret)));
  });

  it('mints a token the gateway accepts', async () => {
    const auth = authenticatorFor({
      consumers: JWT_CONSUMERS,
      credentials: { jwt: { algorithms: ['HS256'], secret: SECRET, ...settings } },
    });
    const token = signHmacToken(tokenClaims(settings, { consumer: 'web', nowMs: NOW, lifetimeMs: 60_000 }), 'HS256', SECRET);
    expect(await outcome(auth, bearer(token))).toMatchObject({ kind: 'consumer', consumer: { name: 'web' } });
  });
});
