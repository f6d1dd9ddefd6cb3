/** API keys (header and query), the route modes, and who a route admits (403), through the authenticator. */
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticator.ts';
import { MAX_CREDENTIAL_LENGTH } from './request.ts';
import { authenticatorFor, bearer, CONSUMERS, gatewayConfig, hsToken, JWT_CONSUMERS, outcome, SECRET } from './testing.ts';

const keysInHeader = { consumers: CONSUMERS, credentials: { apiKey: { header: 'x-api-key' } } };

describe('API keys', () => {
  it('identifies the consumer of a key sent in the header, synchronously', () => {
    const auth = authenticatorFor(keysInHeader);
    const result = auth.authenticate({ headers: { 'x-api-key': 'k-3' } }, auth.policies[0]);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({
      kind: 'consumer',
      consumer: { name: 'web', groups: ['apps', 'browsers'] },
      credential: 'api-key',
      reason: 'auth: API key of consumer web -> pass',
    });
  });

  it('reads the key from the query when told, and not from the header then', async () => {
    const auth = authenticatorFor({ consumers: CONSUMERS, credentials: { apiKey: { query: 'api_key' } } });
    expect(auth.readsQuery).toBe(true);
    expect(await outcome(auth, {}, 0, 'a=1&api_key=k-1')).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
    expect(await outcome(auth, { 'x-api-key': 'k-1' }, 0, 'a=1')).toMatchObject({ kind: 'refused', detail: 'missing' });
    expect(await outcome(auth, {}, 0, 'api_key=k-1&api_key=k-2')).toMatchObject({ kind: 'refused', status: 400, detail: 'ambiguous' });
    expect(authenticatorFor(keysInHeader).readsQuery).toBe(false);
  });

  it('refuses an unknown key with 401, the ApiKey challenge and the reason', async () => {
    expect(await outcome(authenticatorFor(keysInHeader), { 'x-api-key': 'k-9' })).toEqual({
      kind: 'refused',
      status: 401,
      code: 'EDGE_UNAUTHORIZED',
      detail: 'unknown-key',
      reason: 'auth: unknown API key -> 401',
      wwwAuthenticate: 'ApiKey realm="edgelab", header="x-api-key", error="invalid_key", error_description="unknown API key"',
    });
  });

  it('never takes a prefix or an extension of a key for the key', async () => {
    const auth = authenticatorFor(keysInHeader);
    for (const key of ['k', 'k-', 'k-11', 'k-1 ', 'K-1']) {
      expect(await outcome(auth, { 'x-api-key': key }), key).toMatchObject({ detail: 'unknown-key' });
    }
  });

  it('refuses a key longer than the cap as too-large, before hashing it', async () => {
    const auth = authenticatorFor(keysInHeader);
    const huge = 'k'.repeat(MAX_CREDENTIAL_LENGTH + 1);
    expect(await outcome(auth, { 'x-api-key': huge })).toMatchObject({
      status: 401,
      detail: 'too-large',
      reason: `auth: API key of ${MAX_CREDENTIAL_LENGTH + 1} characters, over the ${MAX_CREDENTIAL_LENGTH} read -> 401`,
    });
  });

  it('answers a request without a credential with 401 missing and every scheme the gateway takes, without an error code', async () => {
    const both = { ...keysInHeader, credentials: { ...keysInHeader.credentials, jwt: { algorithms: ['HS256'], secret: SECRET } } };
    expect(await outcome(authenticatorFor(both), { 'x-api-key': '' })).toEqual({
      kind: 'refused',
      status: 401,
      code: 'EDGE_UNAUTHORIZED',
      detail: 'missing',
      reason: 'auth: no credential (expected Authorization: Bearer <JWT> or header x-api-key) -> 401',
      wwwAuthenticate: 'Bearer realm="edgelab", ApiKey realm="edgelab", header="x-api-key"',
    });
  });

  it('judges a request carrying a key and a token on its key', async () => {
    const both = { ...keysInHeader, credentials: { ...keysInHeader.credentials, jwt: { algorithms: ['HS256'], secret: SECRET } } };
    const token = await hsToken({ sub: 'mobile' });
    const result = await outcome(authenticatorFor(both), { 'x-api-key': 'k-ops', ...bearer(token) });
    expect(result).toMatchObject({ kind: 'consumer', consumer: { name: 'ops' }, credential: 'api-key' });
  });
});

describe('route modes', () => {
  it('requires a credential by default once the gateway has credentials, and reads none without', async () => {
    expect(await outcome(authenticatorFor(keysInHeader), {})).toMatchObject({ kind: 'refused', detail: 'missing' });
    const open = createAuthenticator(gatewayConfig({}));
    expect(open.policies[0].auth).toBe('none');
    expect(await outcome(open, { 'x-api-key': 'k-9' })).toMatchObject({ kind: 'anonymous' });
  });

  it('optional: no credential passes as anonymous, a valid one names the consumer, an invalid one is 401', async () => {
    const auth = authenticatorFor(keysInHeader, [{ auth: 'optional' }]);
    expect(await outcome(auth, {})).toEqual({
      kind: 'anonymous',
      reason: 'auth: no credential, and this route takes none (auth: optional) -> pass as anonymous',
    });
    expect(await outcome(auth, { 'x-api-key': 'k-1' })).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
    expect(await outcome(auth, { 'x-api-key': 'nope' })).toMatchObject({ kind: 'refused', status: 401, detail: 'unknown-key' });
  });

  it('none: credentials are not read, so even a bad one passes as anonymous', async () => {
    const auth = authenticatorFor(keysInHeader, [{ auth: 'none' }]);
    expect(await outcome(auth, { 'x-api-key': 'nope' })).toMatchObject({ kind: 'anonymous' });
  });
});

describe('who a route admits', () => {
  const routes = [{ consumers: ['mobile'] }, { groups: ['staff'] }, { consumers: ['mobile'], groups: ['browsers'] }];

  it.each([
    // route, key, admitted
    [0, 'k-1', true],
    [0, 'k-2', false],
    [1, 'k-ops', true],
    [1, 'k-1', false],
    [2, 'k-1', true],
    [2, 'k-2', true],
    [2, 'k-ops', false],
  ])('route %i, key %s: admitted %s', async (route, key, admitted) => {
    const result = await outcome(authenticatorFor(keysInHeader, routes), { 'x-api-key': key }, route);
    expect(result.kind).toBe(admitted ? 'consumer' : 'refused');
  });

  it('refuses a known consumer the route does not admit with 403 forbidden, naming what it admits', async () => {
    expect(await outcome(authenticatorFor(keysInHeader, routes), { 'x-api-key': 'k-ops' }, 2)).toEqual({
      kind: 'refused',
      status: 403,
      code: 'EDGE_FORBIDDEN',
      detail: 'forbidden',
      reason: 'auth: consumer ops may not use this route (it admits consumers mobile; groups browsers) -> 403',
      wwwAuthenticate: undefined,
      consumer: { name: 'ops', groups: ['staff'] },
    });
  });

  it('answers a forbidden bearer token with RFC 6750 insufficient_scope', async () => {
    const auth = authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['HS256'], secret: SECRET } } }, routes);
    const result = await outcome(auth, bearer(await hsToken({ sub: 'web' })), 0);
    expect(result).toMatchObject({ status: 403, detail: 'forbidden' });
    expect(result.kind === 'refused' && result.wwwAuthenticate).toBe(
      'Bearer realm="edgelab", error="insufficient_scope", error_description="consumer web may not use this route (it admits consumers mobile)"',
    );
  });
});
