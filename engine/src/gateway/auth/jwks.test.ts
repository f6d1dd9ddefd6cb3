/**
 * JSON Web Key Sets: from a file read with the config, and from a real local HTTP server (cached,
 * and when it is down or never answers, a 401 with the reason, within the configured timeout).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, rawUpstream, type RawUpstream } from '../../testing/harness.ts';
import { MAX_KEY_SET_BYTES } from './keys.ts';
import { signToken } from './mint.ts';
import { authenticatorFor, bearer, claims, gatewayErrors, JWT_CONSUMERS, outcome } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgelab-jwks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

let k1: SigningKey;
let k2: SigningKey;
beforeAll(async () => {
  const make = async (kid: string): Promise<SigningKey> => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid } };
  };
  [k1, k2] = await Promise.all([make('k1'), make('k2')]);
});

/** `kid: null` signs a token without a kid. */
const sign = (key: SigningKey, kid: string | null = key.kid) => signToken(claims(), 'ES256', key.privateKey, kid ?? undefined);

function keySetFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const viaJwks = (jwks: Record<string, unknown>) =>
  authenticatorFor({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['ES256'], jwks } } });

describe('a key set from a file', () => {
  it('picks the key by kid, and refuses an unknown or missing kid when several keys fit', async () => {
    const auth = viaJwks({ file: keySetFile('two.json', { keys: [k1.jwk, k2.jwk] }) });
    expect(await outcome(auth, bearer(await sign(k1)))).toMatchObject({ kind: 'consumer', consumer: { name: 'mobile' } });
    expect(await outcome(auth, bearer(await sign(k2)))).toMatchObject({ kind: 'consumer' });
    expect(await outcome(auth, bearer(await sign(k1, 'k9')))).toMatchObject({
      detail: 'unknown-kid',
      reason: 'auth: JWT names key id "k9", which the key set does not hold -> 401',
    });
    expect(await outcome(auth, bearer(await sign(k1, null)))).toMatchObject({
      detail: 'unknown-kid',
      reason:
        'auth: JWT names no key id (kid), and several keys of the key set could be meant (OpenID Connect Core 10.1: with several keys, a token names its kid) -> 401',
    });
    expect(await outcome(auth, bearer(await sign(k2, 'k1')))).toMatchObject({ detail: 'bad-signature' });
  });

  it('takes a token without kid when one key fits', async () => {
    const auth = viaJwks({ file: keySetFile('one.json', { keys: [k1.jwk] }) });
    expect(await outcome(auth, bearer(await sign(k1, null)))).toMatchObject({ kind: 'consumer' });
  });

  it('refuses, at its path, a file that is missing, not JSON, or not a set of public keys', () => {
    const errors = (content: unknown) =>
      gatewayErrors({
        consumers: JWT_CONSUMERS,
        credentials: { jwt: { algorithms: ['ES256'], jwks: { file: keySetFile('bad.json', content) } } },
      });
    const at = 'nodes[0].credentials.jwt.jwks.file';
    const file = join(dir, 'bad.json');
    expect(errors('{ not json')).toEqual([`${at}: ${file} is not JSON`]);
    expect(errors({ keys: [] })).toEqual([`${at}: ${file}: the key set holds no keys`]);
    expect(errors([k1.jwk])).toEqual([`${at}: ${file}: not a JSON Web Key Set: expected { "keys": [...] }`]);
    expect(errors({ keys: [{ ...k1.jwk, d: 'secret' }] })).toEqual([
      `${at}: ${file}: keys[0]: holds the private member "d": a key set holds public keys only`,
    ]);
    expect(errors({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })[0]).toMatch(/keys\[0\]: a shared secret \(kty oct\) has no place/);
    expect(errors({ keys: [k1.jwk, k1.jwk] })).toEqual([`${at}: ${file}: keys[1]: kid "k1" is used twice`]);
    expect(errors({ keys: [{ ...k1.jwk, x: 'AAAA' }] })).toEqual([`${at}: ${file}: keys[0]: not a valid EC key`]);
    const missing = join(dir, 'missing.json');
    expect(gatewayErrors({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['ES256'], jwks: { file: missing } } } })).toEqual([
      `${at}: cannot read ${missing}: no such file`,
    ]);
  });

  it('refuses a device, a FIFO or a directory without reading it (the check is synchronous: /dev/zero was read until memory ran out)', () => {
    const fifo = join(dir, 'keys.fifo');
    execFileSync('mkfifo', [fifo]);
    const errors = (file: string) =>
      gatewayErrors({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['ES256'], jwks: { file } } } });
    const at = 'nodes[0].credentials.jwt.jwks.file';
    const notRegular = 'is not a regular file (a device, a FIFO or a socket): a key set is a file';
    expect(errors('/dev/zero')).toEqual([`${at}: /dev/zero ${notRegular}`]);
    expect(errors(fifo)).toEqual([`${at}: ${fifo} ${notRegular}`]);
    expect(errors(dir)).toEqual([`${at}: cannot read ${dir}: is a directory`]);
  });

  it('refuses a set with no key for an allowed algorithm', () => {
    const file = keySetFile('ec.json', { keys: [k1.jwk] });
    expect(gatewayErrors({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['ES256', 'RS256'], jwks: { file } } } })).toEqual([
      'nodes[0].credentials.jwt.algorithms[1]: no key of the jwks file verifies RS256',
    ]);
  });
});

describe('a key set from a URL', () => {
  let server: RawUpstream | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('fetches the set on the first token and keeps it for the next ones', async () => {
    server = await rawUpstream((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [k1.jwk, k2.jwk] }));
    });
    const auth = viaJwks({ url: `${server.url}/.well-known/jwks.json` });
    expect(server.received).toHaveLength(0);
    expect(await outcome(auth, bearer(await sign(k1)))).toMatchObject({ kind: 'consumer' });
    expect(await outcome(auth, bearer(await sign(k2)))).toMatchObject({ kind: 'consumer' });
    expect(server.received.map((r) => r.url)).toEqual(['/.well-known/jwks.json']);
  });

  it('answers 401 no-key naming the URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}/jwks.json`;
    expect(await outcome(viaJwks({ url }), bearer(await sign(k1)))).toMatchObject({
      status: 401,
      detail: 'no-key',
      reason: `auth: the key set at ${url} could not be fetched (ECONNREFUSED) -> 401`,
    });
  });

  it('answers 401 no-key after the timeout when the URL never answers, instead of hanging', async () => {
    server = await rawUpstream(() => {});
    const url = `${server.url}/jwks.json`;
    expect(await outcome(viaJwks({ url, timeout: '200ms' }), bearer(await sign(k1)))).toMatchObject({
      detail: 'no-key',
      reason: `auth: the key set at ${url} did not answer within 200 ms -> 401`,
    });
  });

  it('answers 401 no-key when the URL answers something other than a key set', async () => {
    server = await rawUpstream((req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(req.url === '/missing' ? '{}' : '{"keys": "none"}');
    });
    const missing = await outcome(viaJwks({ url: `${server.url}/missing` }), bearer(await sign(k1)));
    expect(missing).toMatchObject({ detail: 'no-key' });
    expect(missing.kind === 'refused' && missing.reason).toContain(`the key set at ${server.url}/missing could not be used`);
    expect(await outcome(viaJwks({ url: `${server.url}/junk` }), bearer(await sign(k1)))).toMatchObject({
      detail: 'no-key',
      reason: `auth: the key set at ${server.url}/junk answered something other than a JSON Web Key Set -> 401`,
    });
  });

  it('answers 401 no-key when the URL answers more than a key set may hold, and stops reading there', async () => {
    let sent = 0;
    server = await rawUpstream((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // An endless body: only a reader that stops at the cap answers before the timeout.
      const more = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      res.write('{"keys":[');
      more();
    });
    const url = `${server.url}/jwks.json`;
    expect(await outcome(viaJwks({ url, timeout: '5s' }), bearer(await sign(k1)))).toMatchObject({
      detail: 'no-key',
      reason: `auth: the key set at ${url} answered more than ${MAX_KEY_SET_BYTES} bytes, the most a key set may hold -> 401`,
    });
    expect(sent).toBeLessThan(64 * MAX_KEY_SET_BYTES);
  });

  it('takes only http and https URLs, and timeouts only for a URL', () => {
    const errors = (jwks: Record<string, unknown>) =>
      gatewayErrors({ consumers: JWT_CONSUMERS, credentials: { jwt: { algorithms: ['ES256'], jwks } } });
    const at = 'nodes[0].credentials.jwt.jwks';
    expect(errors({ url: 'file:///etc/keys.json' })).toEqual([`${at}.url: expected an http:// or https:// URL`]);
    expect(errors({ url: 'https://user:pw@issuer.test/jwks' })).toEqual([`${at}.url: expected an http:// or https:// URL`]);
    expect(errors({})).toEqual([`${at}: give file or url (one of them)`]);
    expect(errors({ file: join(dir, 'one.json'), timeout: '1s' })).toEqual([
      `${at}.timeout: only a url is fetched: a file is read with the config`,
    ]);
    expect(errors({ url: 'https://issuer.test/jwks', timeout: '1s', maxAge: '5m' })).toEqual([]);
  });
});
