/** Bearer JWTs through the authenticator: every way a token fails, with its detail code and reason, on a fixed clock. */
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { createHmac, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JWT_ALGORITHM_IDS, JWT_ALGORITHMS, type JwtAlgorithm } from './algorithms.ts';
import { signToken } from './mint.ts';
import { MAX_CREDENTIAL_LENGTH } from './request.ts';
import { createAuthenticator } from './authenticator.ts';
import {
  authenticatorFor,
  bearer,
  claims,
  gatewayConfig,
  hsToken,
  JWT_CONSUMERS,
  NOW,
  NOW_S,
  outcome,
  rawToken,
  SECRET,
} from './testing.ts';

const hs256 = (jwt: Record<string, unknown> = {}) =>
  authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['HS256'], secret: SECRET, ...jwt } } });

async function newKeyPair(alg: JwtAlgorithm) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { publicPem: await exportSPKI(publicKey), privateKey: createPrivateKey(await exportPKCS8(privateKey)) };
}

/** One pair per kind of key (an RSA key serves RS* and PS*): RSA generation takes about a second. */
const pairs = new Map<string, ReturnType<typeof newKeyPair>>();
function keyPair(alg: JwtAlgorithm) {
  const spec = JWT_ALGORITHMS[alg];
  const kind = 'curve' in spec ? spec.curve : spec.family;
  if (!pairs.has(kind)) pairs.set(kind, newKeyPair(alg));
  return pairs.get(kind)!;
}

describe('JWT', () => {
  it('passes a valid HS256 token for a listed consumer, after a signature check (a Promise)', async () => {
    const auth = hs256();
    const pending = auth.authenticate({ headers: bearer(await hsToken()) }, auth.policies[0]);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual({
      kind: 'consumer',
      consumer: { name: 'mobile', groups: ['apps'] },
      credential: 'jwt',
      reason: 'auth: JWT (HS256) for consumer mobile -> pass',
    });
  });

  it('remembers a verified token: seen again it passes synchronously, until its exp plus the skew', async () => {
    let now = NOW;
    const auth = createAuthenticator(
      gatewayConfig({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['HS256'], secret: SECRET } } }),
      {
        now: () => now,
      },
    );
    const request = { headers: bearer(await hsToken({ exp: NOW_S + 60 })) };
    expect(auth.authenticate(request, auth.policies[0])).toBeInstanceOf(Promise);
    await auth.authenticate(request, auth.policies[0]);
    now = NOW + 89_999;
    expect(auth.authenticate(request, auth.policies[0])).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
    now = NOW + 90_000;
    const late = auth.authenticate(request, auth.policies[0]);
    expect(late).toBeInstanceOf(Promise);
    expect(await late).toMatchObject({ detail: 'expired', reason: 'auth: JWT for consumer mobile expired 30 s ago -> 401' });
  });

  it('takes the scheme in any case and the consumer from the configured claim', async () => {
    const auth = hs256({ consumerClaim: 'client_id' });
    const token = await hsToken({ sub: 'someone', client_id: 'web' });
    expect(await outcome(auth, { authorization: `bEaReR  ${token}` })).toMatchObject({ kind: 'consumer', consumer: { name: 'web' } });
  });

  it('refuses an expired token: 401 expired, the RFC 6750 challenge, and how long ago', async () => {
    expect(await outcome(hs256(), bearer(await hsToken({ exp: NOW_S - 72 })))).toEqual({
      kind: 'refused',
      status: 401,
      code: 'EDGE_UNAUTHORIZED',
      detail: 'expired',
      reason: 'auth: JWT for consumer mobile expired 72 s ago -> 401',
      wwwAuthenticate: 'Bearer realm="edgelab", error="invalid_token", error_description="JWT for consumer mobile expired 72 s ago"',
    });
  });

  it('refuses a token not valid yet', async () => {
    expect(await outcome(hs256(), bearer(await hsToken({ nbf: NOW_S + 45 })))).toMatchObject({
      detail: 'not-yet-valid',
      reason: 'auth: JWT for consumer mobile is not valid for another 45 s -> 401',
    });
  });

  it('honours the clock skew on exp and nbf, and not a second beyond it', async () => {
    const auth = hs256({ clockSkew: '30s' });
    expect(await outcome(auth, bearer(await hsToken({ exp: NOW_S - 29 })))).toMatchObject({ kind: 'consumer' });
    expect(await outcome(auth, bearer(await hsToken({ exp: NOW_S - 30 })))).toMatchObject({ detail: 'expired' });
    expect(await outcome(auth, bearer(await hsToken({ nbf: NOW_S + 30 })))).toMatchObject({ kind: 'consumer' });
    expect(await outcome(auth, bearer(await hsToken({ nbf: NOW_S + 31 })))).toMatchObject({ detail: 'not-yet-valid' });
    expect(await outcome(hs256({ clockSkew: 0 }), bearer(await hsToken({ exp: NOW_S - 1 })))).toMatchObject({ detail: 'expired' });
  });

  it('refuses a token signed with another secret as bad-signature', async () => {
    const token = await hsToken({}, 'another-secret-that-is-also-long-enough!');
    expect(await outcome(hs256(), bearer(token))).toMatchObject({
      detail: 'bad-signature',
      reason: 'auth: JWT signature does not verify (HS256) -> 401',
    });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await hsToken()).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'ops' }))).toString('base64url')}.${signature}`;
    expect(await outcome(hs256(), bearer(forged))).toMatchObject({ detail: 'bad-signature' });
  });

  it('checks the issuer and the audience', async () => {
    const auth = hs256({ issuer: 'https://issuer.test', audience: ['api', 'admin'] });
    const ok = { iss: 'https://issuer.test', aud: 'admin' };
    expect(await outcome(auth, bearer(await hsToken(ok)))).toMatchObject({ kind: 'consumer' });
    expect(await outcome(auth, bearer(await hsToken({ ...ok, iss: 'https://evil.test' })))).toMatchObject({
      detail: 'wrong-issuer',
      reason: 'auth: JWT issued by "https://evil.test", expected "https://issuer.test" -> 401',
    });
    expect(await outcome(auth, bearer(await hsToken({ ...ok, aud: 'web' })))).toMatchObject({
      detail: 'wrong-audience',
      reason: 'auth: JWT for audience "web", expected one of "api", "admin" -> 401',
    });
    expect(await outcome(auth, bearer(await hsToken({ aud: 'api' })))).toMatchObject({
      detail: 'wrong-issuer',
      reason: 'auth: JWT without iss, expected "https://issuer.test" -> 401',
    });
  });

  it.each(['none', 'None', 'NONE'])('refuses an unsigned token (alg %s) before any verification', async (alg) => {
    const auth = hs256();
    const result = auth.authenticate({ headers: bearer(rawToken({ alg, typ: 'JWT' }, claims())) }, auth.policies[0]);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ status: 401, detail: 'alg-none', reason: 'auth: unsigned JWT (alg none) -> 401' });
  });

  it('refuses key confusion: an HS256 token signed with the RS256 public key text as its secret', async () => {
    const { publicPem } = await keyPair('RS256');
    const auth = authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['RS256'], publicKey: publicPem } } });
    const forged = await hsToken({}, publicPem);
    expect(await outcome(auth, bearer(forged))).toMatchObject({
      status: 401,
      detail: 'alg-not-allowed',
      reason:
        'auth: JWT signed with "HS256", which this gateway does not allow (allowed: RS256): an HMAC token at a public-key gateway is key confusion -> 401',
    });
  });

  it('refuses an algorithm off the allow-list even when the key would fit it', async () => {
    const { publicPem, privateKey } = await keyPair('RS256');
    const auth = authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['RS256'], publicKey: publicPem } } });
    const ps256 = await signToken(claims(), 'PS256', privateKey);
    expect(await outcome(auth, bearer(ps256))).toMatchObject({ detail: 'alg-not-allowed' });
  });

  it.each(JWT_ALGORITHM_IDS)('verifies %s with its own kind of key', async (alg) => {
    if (JWT_ALGORITHMS[alg].family === 'hmac') {
      const secret = 's'.repeat(64);
      const auth = authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: [alg], secret } } });
      expect(await outcome(auth, bearer(await hsToken({}, secret, alg)))).toMatchObject({
        kind: 'consumer',
        reason: `auth: JWT (${alg}) for consumer mobile -> pass`,
      });
      return;
    }
    const { publicPem, privateKey } = await keyPair(alg);
    const auth = authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: [alg], publicKey: publicPem } } });
    expect(await outcome(auth, bearer(await signToken(claims(), alg, privateKey)))).toMatchObject({ kind: 'consumer' });
    const other = await newKeyPair(alg);
    expect(await outcome(auth, bearer(await signToken(claims(), alg, other.privateKey)))).toMatchObject({ detail: 'bad-signature' });
  });

  it('refuses a valid token that names no listed consumer, or none at all', async () => {
    expect(await outcome(hs256(), bearer(await hsToken({ sub: 'mallory' })))).toMatchObject({
      detail: 'unknown-consumer',
      reason: 'auth: JWT names consumer "mallory" (claim sub), which the gateway does not list -> 401',
    });
    expect(await outcome(hs256(), bearer(await hsToken({ sub: undefined })))).toMatchObject({
      detail: 'unknown-consumer',
      reason: 'auth: JWT has no sub claim naming its consumer -> 401',
    });
  });

  it('refuses claims of the wrong type as malformed', async () => {
    expect(await outcome(hs256(), bearer(await hsToken({ exp: 'tomorrow' })))).toMatchObject({ detail: 'malformed' });
  });

  describe('malformed and oversized tokens, refused synchronously without a throw', () => {
    const jwtHeader = Buffer.from('{"alg":"HS256"}').toString('base64url');
    it.each([
      ['no token after Bearer', 'Bearer ', 'Authorization: Bearer without a token'],
      ['two parts', 'Bearer aaa.bbb', 'malformed JWT: expected three base64url parts separated by dots'],
      ['four parts', 'Bearer a.b.c.d', 'malformed JWT: expected three base64url parts separated by dots'],
      ['characters outside base64url', 'Bearer a+b/c=.d.e', 'malformed JWT: expected three base64url parts separated by dots'],
      ['a header that is not JSON', 'Bearer bm90IGpzb24.e30.c2ln', 'malformed JWT: its header is not a base64url-encoded JSON object'],
      [
        'a header that is a JSON array',
        `Bearer ${Buffer.from('[1]').toString('base64url')}.e30.c2ln`,
        'malformed JWT: its header is not a base64url-encoded JSON object',
      ],
      [
        'a header without alg',
        `Bearer ${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.c2ln`,
        'malformed JWT: its header names no alg',
      ],
    ])('%s', async (_, authorization, found) => {
      const auth = hs256();
      const result = auth.authenticate({ headers: { authorization } }, auth.policies[0]);
      expect(result).not.toBeInstanceOf(Promise);
      expect(result).toMatchObject({ status: 401, detail: 'malformed', reason: `auth: ${found} -> 401` });
    });

    it('a signed payload that is not JSON, found by jose after the signature', async () => {
      const signingInput = `${jwtHeader}.${Buffer.from('not json').toString('base64url')}`;
      const token = `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
      expect(await outcome(hs256(), bearer(token))).toMatchObject({
        detail: 'malformed',
        reason: 'auth: malformed JWT: JWT Claims Set must be a top-level JSON object -> 401',
      });
    });

    it('a huge token: 401 too-large at the cap, never parsed', async () => {
      const auth = hs256();
      const huge = `Bearer ${jwtHeader}.${'A'.repeat(MAX_CREDENTIAL_LENGTH)}.sig`;
      const result = auth.authenticate({ headers: { authorization: huge } }, auth.policies[0]);
      expect(result).toMatchObject({
        detail: 'too-large',
        reason: `auth: Authorization of ${huge.length} characters, over the ${MAX_CREDENTIAL_LENGTH} read -> 401`,
      });
    });
  });

  it('treats another Authorization scheme as no credential', async () => {
    expect(await outcome(hs256(), { authorization: 'Basic bW9iaWxlOnB3' })).toMatchObject({ detail: 'missing' });
    expect(await outcome(hs256(), { authorization: 'Bearer' })).toMatchObject({ detail: 'malformed' });
  });
});
