/** The auth part of a gateway's config: the shape, and every cross-field error with its path. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSUMERS, gatewayConfig, gatewayErrors, JWT_CONSUMERS, SECRET } from '../../gateway/auth/testing.ts';

const pem = (type: 'rsa' | 'ec', options: Record<string, unknown>) =>
  generateKeyPairSync(
    type as 'rsa',
    { ...options, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as never,
  ) as unknown as {
    publicKey: string;
    privateKey: string;
  };
const rsa = pem('rsa', { modulusLength: 2048 });
const ec = pem('ec', { namedCurve: 'P-256' });

const jwt = (settings: Record<string, unknown>, consumers: unknown[] = JWT_CONSUMERS) =>
  gatewayErrors({ consumers, credentials: { jwt: settings } });

describe('gateway auth config', () => {
  it('takes the shape of the issue, with the defaults filled in', () => {
    const config = gatewayConfig(
      {
        consumers: [{ name: 'mobile', apiKeys: ['k-1'], groups: ['apps'] }],
        credentials: {
          apiKey: { header: 'x-api-key' },
          jwt: { algorithms: ['HS256'], secret: SECRET, issuer: 'https://issuer.test', audience: 'api' },
        },
      },
      [{ auth: 'required', groups: ['apps'] }, { auth: 'none' }],
    );
    expect(config.credentials?.jwt).toMatchObject({ clockSkew: 30_000, consumerClaim: 'sub' });
    expect(config.routes.map((r) => r.auth)).toEqual(['required', 'none']);
  });

  it('names unknown consumers and groups on a route, and restrictions on a route that is not required', () => {
    const errors = gatewayErrors({ consumers: CONSUMERS, credentials: { apiKey: { header: 'x-api-key' } } }, [
      { consumers: ['mobile', 'tablet'] },
      { groups: ['admins'] },
      { auth: 'optional', consumers: ['mobile'] },
    ]);
    expect(errors).toEqual([
      'nodes[0].routes[0].consumers[1]: unknown consumer "tablet" (consumers: mobile, web, ops)',
      'nodes[0].routes[1].groups[0]: no consumer is in group "admins" (groups: apps, browsers, staff)',
      "nodes[0].routes[2].consumers: restricting who may pass needs auth: required (this route's auth is optional)",
    ]);
  });

  it('refuses auth on a route of a gateway without credentials', () => {
    expect(gatewayErrors({}, [{ auth: 'required' }, { auth: 'optional' }, { auth: 'none' }, { consumers: ['mobile'] }])).toEqual([
      'nodes[0].routes[0].auth: required needs credentials on the gateway: add credentials (apiKey or jwt) and consumers',
      'nodes[0].routes[1].auth: optional needs credentials on the gateway: add credentials (apiKey or jwt) and consumers',
      "nodes[0].routes[3].consumers: restricting who may pass needs auth: required (this route's auth is none)",
      'nodes[0].routes[3].consumers[0]: unknown consumer "mobile" (the gateway has no consumers)',
    ]);
  });

  it('refuses a key that names two consumers, and two consumers of one name, without echoing the key', () => {
    const errors = gatewayErrors({
      consumers: [
        { name: 'mobile', apiKeys: ['k-1', 'k-2'] },
        { name: 'web', apiKeys: ['k-2'] },
        { name: 'mobile', apiKeys: ['k-9'] },
      ],
      credentials: { apiKey: { header: 'x-api-key' } },
    });
    expect(errors).toEqual([
      'nodes[0].consumers[1].apiKeys[0]: the same key as consumers[0].apiKeys[1]: each key must name one consumer',
      'nodes[0].consumers[2].name: duplicate consumer "mobile" (also consumers[0])',
    ]);
  });

  it('pairs API keys with where to read them', () => {
    expect(gatewayErrors({ consumers: CONSUMERS, credentials: { jwt: { algorithms: ['HS256'], secret: SECRET } } })).toContain(
      'nodes[0].consumers[0].apiKeys: the gateway reads no API keys: add credentials: { apiKey: { header: x-api-key } }',
    );
    expect(gatewayErrors({ consumers: JWT_CONSUMERS, credentials: { apiKey: { header: 'x-api-key' } } })).toEqual([
      'nodes[0].credentials.apiKey: no consumer has apiKeys, so every key would be refused',
    ]);
    expect(gatewayErrors({ consumers: CONSUMERS, credentials: { apiKey: { header: 'x-api-key', query: 'api_key' } } })).toEqual([
      'nodes[0].credentials.apiKey: give header or query (one of them)',
    ]);
    expect(gatewayErrors({ consumers: JWT_CONSUMERS, credentials: {} })).toEqual(['nodes[0].credentials: give apiKey, jwt or both']);
  });

  it('refuses a JWT config without a key, or without consumers for its tokens to name', () => {
    expect(jwt({ algorithms: ['HS256'] })).toEqual([
      'nodes[0].credentials.jwt: needs a key: secret (HS*), publicKey (a PEM, for RS*, PS*, ES*) or jwks',
    ]);
    expect(jwt({ algorithms: ['HS256'], secret: SECRET }, [])).toEqual([
      'nodes[0].consumers: required by credentials.jwt: a token names its consumer in claim sub, and only listed consumers pass',
    ]);
  });

  it('refuses key confusion at config time: HS with a public key, RS or ES with only a secret', () => {
    expect(jwt({ algorithms: ['HS256'], publicKey: rsa.publicKey })).toEqual([
      'nodes[0].credentials.jwt.algorithms[0]: HS256 verifies with a shared secret: give secret (a public key used as an HMAC secret is key confusion)',
      'nodes[0].credentials.jwt.publicKey: HS256 take a shared secret: a public key used as an HMAC secret is the key-confusion attack',
    ]);
    expect(jwt({ algorithms: ['RS256', 'ES256'], secret: SECRET })).toEqual([
      'nodes[0].credentials.jwt.secret: none of RS256, ES256 takes a secret: RS256, ES256 verify with a public key (publicKey or jwks)',
      'nodes[0].credentials.jwt.algorithms[0]: RS256 verifies with a public key: give publicKey or jwks (a secret cannot verify it)',
      'nodes[0].credentials.jwt.algorithms[1]: ES256 verifies with a public key: give publicKey or jwks (a secret cannot verify it)',
    ]);
    expect(jwt({ algorithms: ['HS256', 'RS256'], secret: SECRET, publicKey: rsa.publicKey })).toEqual([]);
  });

  it('refuses a public key given as the HMAC secret: anyone holding the public key could sign tokens', () => {
    const confused = `nodes[0].credentials.jwt.secret: this is a PEM block (a key or a certificate), not a shared secret: a public key as the HMAC secret lets anyone who has it sign HS tokens (key confusion); an HS secret is random bytes known only to the issuer and the gateway`;
    expect(jwt({ algorithms: ['HS256'], secret: rsa.publicKey })).toEqual([confused]);
    expect(jwt({ algorithms: ['HS256', 'RS256'], secret: rsa.publicKey, publicKey: rsa.publicKey })).toEqual([confused]);
    expect(jwt({ algorithms: ['HS256'], secret: `  ${ec.publicKey}` })).toEqual([confused]);
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIB' + 'A'.repeat(60) + '\n-----END CERTIFICATE-----\n';
    expect(jwt({ algorithms: ['HS256'], secret: certificate })).toEqual([confused]);
  });

  it('refuses a secret shorter than the hash (RFC 7518 section 3.2)', () => {
    expect(jwt({ algorithms: ['HS256'], secret: 'too-short-for-hs256' })).toEqual([
      'nodes[0].credentials.jwt.secret: HS256 needs a secret of at least 32 bytes (256 bits, RFC 7518 section 3.2); this one has 19',
    ]);
    expect(jwt({ algorithms: ['HS256', 'HS512'], secret: SECRET })).toEqual([
      'nodes[0].credentials.jwt.secret: HS512 needs a secret of at least 64 bytes (512 bits, RFC 7518 section 3.2); this one has 40',
    ]);
  });

  it('allows only the algorithms jose verifies cleanly, never none', () => {
    for (const alg of ['none', 'EdDSA']) {
      expect(jwt({ algorithms: [alg], secret: SECRET })[0]).toMatch(
        /^nodes\[0\]\.credentials\.jwt\.algorithms\[0\]: expected one of "HS256", .*"ES512"$/,
      );
    }
    expect(jwt({ algorithms: ['hs256'], secret: SECRET })[0]).toMatch(/: expected one of "HS256", .*"ES512"; did you mean "HS256"\?$/);
  });

  it('checks the public key: a PEM, public, and of the kind each algorithm needs', () => {
    const at = 'nodes[0].credentials.jwt.publicKey';
    expect(jwt({ algorithms: ['RS256'], publicKey: 'not a pem' })).toEqual([
      `${at}: not a PEM public key (expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)`,
    ]);
    expect(jwt({ algorithms: ['RS256'], publicKey: rsa.privateKey })).toEqual([
      `${at}: this is a private key: a config holds only the public key (openssl pkey -in key.pem -pubout)`,
    ]);
    expect(jwt({ algorithms: ['RS256'], publicKey: ec.publicKey })).toEqual([
      `${at}: RS256 needs an RSA key; this is an EC P-256 key (one publicKey verifies one kind of algorithm; use jwks for several)`,
    ]);
    expect(jwt({ algorithms: ['ES384'], publicKey: ec.publicKey })).toEqual([
      `${at}: ES384 needs an EC P-384 key; this is an EC P-256 key (one publicKey verifies one kind of algorithm; use jwks for several)`,
    ]);
    const small = pem('rsa', { modulusLength: 1024 });
    expect(jwt({ algorithms: ['RS256'], publicKey: small.publicKey })).toEqual([
      `${at}: RS256 needs an RSA key of at least 2048 bits; this is an RSA key of 1024 bits (one publicKey verifies one kind of algorithm; use jwks for several)`,
    ]);
    expect(jwt({ algorithms: ['RS256', 'PS256'], publicKey: rsa.publicKey })).toEqual([]);
  });

  it('keeps names to characters that travel in events, claims and metrics', () => {
    expect(
      gatewayErrors({ consumers: [{ name: 'bad name', apiKeys: ['k 1'] }], credentials: { apiKey: { header: 'x-api-key' } } }),
    ).toEqual([
      'nodes[0].consumers[0].name: expected letters, digits and . _ @ : + | - (starting with a letter or digit)',
      'nodes[0].consumers[0].apiKeys[0]: expected visible ASCII characters without spaces',
    ]);
  });

  it('keeps the API key out of Authorization when the gateway also takes JWTs', () => {
    expect(
      gatewayErrors({
        consumers: CONSUMERS,
        credentials: { apiKey: { header: 'Authorization' }, jwt: { algorithms: ['HS256'], secret: SECRET } },
      }),
    ).toEqual(['nodes[0].credentials.apiKey.header: Authorization carries the JWT; read the API key from another header']);
  });
});
