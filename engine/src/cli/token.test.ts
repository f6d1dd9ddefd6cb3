/** `edgelab token` as a user runs it: a real child process; the token it prints is checked by the gateway's authenticator. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader, exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../config/schema.ts';
import { createAuthenticator } from '../gateway/auth/authenticator.ts';
import { loadConfigFile } from './load-config.ts';
import { FlagError, mintTestToken } from './token.ts';

const NOW = Date.UTC(2025, 0, 1);

const BIN = fileURLToPath(new URL('../../bin/edgelab.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'edgelab-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function edgelab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** A config whose gateway `api` has the given credentials.jwt (YAML flow mapping). */
const config = (name: string, jwt: string) =>
  write(
    name,
    `version: 1
nodes:
  - id: api
    kind: gateway
    consumers: [{ name: mobile, groups: [apps] }, { name: web }]
    credentials: { jwt: ${jwt} }
    routes: [{ match: { path: /* }, to: svc }]
  - { id: svc, kind: service }
`,
  );

/** What the gateway of `file` decides about `token`. */
async function verify(file: string, token: string) {
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const auth = createAuthenticator(loaded.config.nodes[0] as GatewayConfig);
  return auth.authenticate({ headers: { authorization: `Bearer ${token}` } }, auth.policies[0]);
}

const hsConfig = () =>
  config(
    'hs.yaml',
    '{ algorithms: [HS256], secret: edgelab-test-secret-of-forty-bytes-long!, issuer: https://issuer.test, audience: api }',
  );

describe('edgelab token', () => {
  it('prints an HS256 token the gateway of the config accepts, with its issuer, audience and lifetime', async () => {
    const file = hsConfig();
    const ran = await edgelab(['token', file, '--consumer', 'web', '--expires', '2h']);
    expect(ran.code).toBe(0);
    const token = ran.stdout.trim();
    expect(await verify(file, token)).toMatchObject({ kind: 'consumer', consumer: { name: 'web' }, credential: 'jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'web', iss: 'https://issuer.test', aud: 'api' });
    expect(claims.exp! - claims.iat!).toBe(7_200);
    expect(ran.stderr).toMatch(/^token for consumer web of gateway api, HS256, expires \d{4}-\d\d-\d\dT/);
  });

  it('signs RS256 with --key, and asks for it when it is missing', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const file = config('rs.yaml', `{ algorithms: [RS256], publicKey: ${JSON.stringify(await exportSPKI(publicKey))} }`);
    const key = write('rs-private.pem', await exportPKCS8(privateKey));
    const ran = await edgelab(['token', file, '--consumer', 'mobile', '--key', key]);
    expect(ran.code).toBe(0);
    expect(await verify(file, ran.stdout.trim())).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
    const missing = await edgelab(['token', file, '--consumer', 'mobile']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'edgelab: --key: gateway api verifies RS256 with a public key; sign with its private key: --key private.pem',
    );
  });

  it('finds the kid of the key set entry that matches the private key', async () => {
    const pairs = await Promise.all([generateKeyPair('ES256', { extractable: true }), generateKeyPair('ES256', { extractable: true })]);
    const keys = await Promise.all(pairs.map(async ({ publicKey }, i) => ({ ...(await exportJWK(publicKey)), kid: `k${i + 1}` })));
    write('jwks.json', JSON.stringify({ keys }));
    const file = config('es.yaml', '{ algorithms: [ES256], jwks: { file: jwks.json } }');
    const key = write('es-private.pem', await exportPKCS8(pairs[1].privateKey));
    const ran = await edgelab(['token', file, '--consumer', 'mobile', '--key', key]);
    expect(ran.code).toBe(0);
    const token = ran.stdout.trim();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k2' });
    expect(ran.stderr).toContain('ES256 (kid k2)');
    // The CLI read jwks.json relative to its working directory; this process works elsewhere.
    const absolute = config('es-absolute.yaml', `{ algorithms: [ES256], jwks: { file: ${JSON.stringify(join(dir, 'jwks.json'))} } }`);
    expect(await verify(absolute, token)).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
  });

  it('mints from flags alone, without a config', async () => {
    const minted = await mintTestToken(
      { consumer: 'mobile', secret: 'edgelab-test-secret-of-forty-bytes-long!', expires: '90s' },
      undefined,
      NOW,
    );
    expect(minted.summary).toBe('consumer mobile, HS256, expires 2025-01-01T00:01:30.000Z');
    expect(decodeJwt(minted.token)).toEqual({ sub: 'mobile', iat: NOW / 1000, exp: NOW / 1000 + 90 });
  });

  it('exits 2 with the message and the usage for a bad flag, printing no token', async () => {
    const ran = await edgelab(['token', hsConfig(), '--consumer', 'bob']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('edgelab: --consumer: gateway api lists no consumer "bob" (consumers: mobile, web)');
    expect(ran.stderr).toContain('usage:');
    expect(ran.stdout).toBe('');
  });

  it.each([
    [{}, '--consumer: required: the consumer the token names'],
    [{ consumer: 'web', expires: 'soon' }, '--expires: expected a lifetime like 90s, 30m, 1h or 7d, got "soon"'],
    [{ consumer: 'web', expires: '0s' }, '--expires: expected a lifetime like 90s, 30m, 1h or 7d, got "0s"'],
    [{ consumer: 'web', notBefore: '-5s' }, '--not-before: expected a delay like 0s, 30s or 5m, got "-5s"'],
    [{ consumer: 'web', alg: 'RS256' }, '--alg: the gateway api does not allow RS256 (allowed: HS256)'],
    [
      { consumer: 'web', alg: 'none' },
      '--alg: expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, got "none"',
    ],
    [{ consumer: 'web', gateway: 'svc' }, '--gateway: "svc" is not a gateway with JWT credentials (those are: api)'],
    [{ consumer: 'web', gateway: 'nope' }, '--gateway: the config has no node "nope"'],
    [{ consumer: 'web', key: 'missing.pem' }, '--key: cannot read missing.pem: no such file'],
    [
      { consumer: 'web', key: '/dev/zero' },
      '--key: /dev/zero is not a regular file (a device, a FIFO or a socket): a private key is a file',
    ],
  ])('refuses bad flags with a message naming the flag: %j', async (flags, message) => {
    const loaded = await loadConfigFile(hsConfig());
    if (!loaded.ok) throw new Error('config');
    await expect(mintTestToken({ expires: '1h', ...flags }, loaded.config, NOW)).rejects.toThrow(new FlagError(message));
  });

  it('exits 1 with the errors of an invalid config', async () => {
    const file = config('bad.yaml', '{ algorithms: [HS256], secret: short }');
    const ran = await edgelab(['token', file, '--consumer', 'web']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('nodes[0] (api).credentials.jwt.secret: HS256 needs a secret of at least 32 bytes');
  });
});
