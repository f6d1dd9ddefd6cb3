/**
 * A real gateway's JWT auth against RFC 7515 / 7519 / 8725 and RFC 6750: what a hostile client sends
 * in the Authorization field, answered on real sockets with the status, the detail code and a
 * `WWW-Authenticate` that parses as RFC 9110 section 11 challenges with RFC 6750 section 3's characters.
 * (The exact clock-skew edge is held on a fixed clock in jwt-verifier.test.ts; key sets in jwks.test.ts.)
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp, rawUpstream, startEngine, type RawResponse, type RawUpstream, type RunningEngine } from '../../testing/harness.ts';
import { MAX_CREDENTIAL_LENGTH } from './request.ts';
import { SECRET } from './testing.ts';

let running: RunningEngine;
let upstream: RawUpstream;
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }) as string;

beforeAll(async () => {
  upstream = await rawUpstream((req, res) => {
    const authorization = req.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1].toLowerCase() === 'authorization');
    res.end(JSON.stringify({ authorization }));
  });
  const gateway = (id: string, jwt: Record<string, unknown>) => ({
    id,
    kind: 'gateway',
    consumers: [{ name: 'mobile' }],
    credentials: { jwt },
    routes: [{ match: { path: '/*' }, to: upstream.url, auth: 'required' }],
  });
  running = await startEngine({
    version: 1,
    nodes: [
      gateway('hs', { algorithms: ['HS256'], secret: SECRET, audience: 'api' }),
      gateway('rs', { algorithms: ['RS256'], publicKey: PUBLIC_PEM }),
    ],
  });
});
afterAll(async () => {
  await running?.stop();
  await upstream?.close();
});

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token with any header and claims, HMAC-signed over exactly those bytes with `secret`. */
function signed(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | Buffer = SECRET): string {
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const valid = (more: Record<string, unknown> = {}) => ({ sub: 'mobile', aud: 'api', exp: Math.floor(Date.now() / 1000) + 300, ...more });

function send(node: string, fields: string[]): Promise<RawResponse> {
  const head = fields.map((field) => `${field}\r\n`).join('');
  return rawHttp(running.port(node), `GET /x HTTP/1.1\r\nHost: lab\r\n${head}Connection: close\r\n\r\n`);
}
const withToken = (token: string, node = 'hs') => send(node, [`Authorization: Bearer ${token}`]);

/** The trace's reason for the last request to `node`. */
function lastReason(node: string): string | undefined {
  const done = running.events.filter((e) => e.type === 'request.completed' && e.node === node);
  const last = done.at(-1) as { stages?: Array<{ stage: string; reason?: string }> } | undefined;
  return last?.stages?.find((s) => s.stage === 'auth')?.reason;
}

/** RFC 9110 section 11.2 challenges: `scheme param=value, ...`, values tokens or quoted-strings; RFC 6750 section 3's characters. */
function challenge(value: string | string[] | undefined): Record<string, string> {
  expect(typeof value).toBe('string');
  const text = value as string;
  const match = /^Bearer ((?:[!#$%&'*+.^_`|~0-9A-Za-z-]+="(?:[^"\\]|\\.)*"(?:, |$))+)$/.exec(text);
  expect(match, `a Bearer challenge of quoted auth-params: ${text}`).not.toBeNull();
  const params: Record<string, string> = {};
  for (const [, name, quoted] of match![1].matchAll(/([^=, ]+)="((?:[^"\\]|\\.)*)"/g)) params[name] = quoted;
  for (const name of ['error', 'error_description']) {
    // RFC 6750 section 3: %x20-21 / %x23-5B / %x5D-7E, so no quote and no backslash, escaped or not.
    if (params[name] !== undefined) expect(params[name]).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  }
  return params;
}

describe('JWT on a real gateway, as the RFCs have it', () => {
  it('passes a valid token, with the scheme in any case (RFC 9110 section 11.1), and forwards it once', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await send('hs', [`Authorization: ${scheme} ${signed({ alg: 'HS256', typ: 'JWT' }, valid())}`]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).authorization).toHaveLength(1);
    }
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s, signed or not (RFC 8725 section 3.1)', async (alg) => {
    for (const token of [`${encode({ alg })}.${encode(valid())}.`, `${encode({ alg })}.${encode(valid())}.c2ln`]) {
      const res = await withToken(token);
      expect(res.status).toBe(401);
      expect(challenge(res.headers['www-authenticate'])).toMatchObject({ error: 'invalid_token' });
      expect(lastReason('hs')).toMatch(/alg none/);
    }
  });

  it('refuses an algorithm off the list, and an HS256 token keyed with the RS256 public key (key confusion)', async () => {
    const res = await withToken(signed({ alg: 'HS384' }, valid()));
    expect(res.status).toBe(401);
    expect(lastReason('hs')).toMatch(/"HS384", which this gateway does not allow/);
    const confused = await withToken(signed({ alg: 'HS256' }, { sub: 'mobile' }, PUBLIC_PEM), 'rs');
    expect(confused.status).toBe(401);
    expect(lastReason('rs')).toMatch(/key confusion/);
  });

  it('never takes the key a token brings with it (jwk, jku, x5u in its header): only the configured key verifies', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    for (const extra of [{ jwk }, { jku: 'http://127.0.0.1:1/jwks.json' }, { x5u: 'http://127.0.0.1:1/cert.pem' }]) {
      const token = await new SignJWT({ sub: 'mobile' }).setProtectedHeader({ alg: 'RS256', ...extra }).sign(attacker.privateKey);
      expect((await withToken(token, 'rs')).status).toBe(401);
      expect(lastReason('rs')).toMatch(/signature does not verify/);
    }
  });

  it('refuses a crit header parameter it does not understand (RFC 7515 section 4.1.11), saying which', async () => {
    for (const header of [
      { alg: 'HS256', crit: ['exp-x'], 'exp-x': 1 },
      { alg: 'HS256', crit: ['http://example.com/extension'] },
    ]) {
      const res = await withToken(signed(header, valid()));
      expect(res.status).toBe(401);
      expect(challenge(res.headers['www-authenticate']).error).toBe('invalid_token');
      expect(lastReason('hs')).toMatch(/marks header parameter .* critical \(crit\), which this gateway does not understand -> 401$/);
    }
    // A crit that is empty or names a header parameter of the spec itself is malformed.
    for (const crit of [[], ['alg']]) {
      expect((await withToken(signed({ alg: 'HS256', crit }, valid()))).status).toBe(401);
    }
  });

  it('refuses an unencoded payload (RFC 7797 b64: false): a JWT may not use it', async () => {
    const input = `${encode({ alg: 'HS256', b64: false, crit: ['b64'] })}.${JSON.stringify(valid())}`;
    const token = `${encode({ alg: 'HS256', b64: false, crit: ['b64'] })}..${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    const res = await withToken(token);
    expect(res.status).toBe(401);
    // Signed over the base64url payload, a b64 that is not critical is an unknown parameter, ignored (RFC 7515 section 4).
    expect((await withToken(signed({ alg: 'HS256', b64: false }, valid()))).status).toBe(200);
    const attached = await withToken(signed({ alg: 'HS256', b64: false, crit: ['b64'] }, valid()));
    expect(attached.status).toBe(401);
    expect(lastReason('hs')).toMatch(/unencoded payload/);
  });

  it('refuses exp and nbf that are not NumericDates (RFC 7519 section 4.1.4)', async () => {
    for (const claims of [valid({ exp: String(Math.floor(Date.now() / 1000) + 300) }), valid({ nbf: 'now' }), valid({ exp: null })]) {
      const res = await withToken(signed({ alg: 'HS256' }, claims));
      expect(res.status).toBe(401);
      expect(lastReason('hs')).toMatch(/must be a number/);
    }
  });

  it('takes aud as an array holding its audience, and names the audiences of one that does not, readably', async () => {
    expect((await withToken(signed({ alg: 'HS256' }, valid({ aud: ['other', 'api'] })))).status).toBe(200);
    const res = await withToken(signed({ alg: 'HS256' }, valid({ aud: ['other', 'x"y\\z'] })));
    expect(res.status).toBe(401);
    const params = challenge(res.headers['www-authenticate']);
    expect(params.error).toBe('invalid_token');
    expect(params.error_description).toBe(`JWT for audience '['other','x'y?z']', expected 'api'`);
  });

  it('answers another scheme as no credential: 401 with the bare challenge, no error code (RFC 6750 section 3.1)', async () => {
    for (const authorization of [
      'Basic bW9iaWxlOnB3',
      `Token ${signed({ alg: 'HS256' }, valid())}`,
      `Bearer\t${signed({ alg: 'HS256' }, valid())}`,
    ]) {
      const res = await send('hs', [`Authorization: ${authorization}`]);
      expect(res.status).toBe(401);
      expect(challenge(res.headers['www-authenticate'])).toEqual({ realm: 'edgelab' });
    }
  });

  it('refuses two Authorization fields with 400 invalid_request (RFC 6750 section 3.1), whichever comes first', async () => {
    const good = `Authorization: Bearer ${signed({ alg: 'HS256' }, valid())}`;
    for (const fields of [
      [good, `Authorization: Bearer ${signed({ alg: 'HS256' }, valid({ sub: 'admin' }))}`],
      [good, 'Authorization: Basic YTpi'],
      ['Authorization: Basic YTpi', good],
      [good, good],
    ]) {
      const res = await send('hs', fields);
      expect(res.status).toBe(400);
      expect(challenge(res.headers['www-authenticate'])).toMatchObject({
        error: 'invalid_request',
        error_description: 'the request carries 2 Authorization fields; one credential is read, so which is meant is ambiguous',
      });
    }
    expect(
      upstream.received.filter((r) => r.url === '/x').every((r) => r.rawHeaders.filter((h) => /^authorization$/i.test(h)).length === 1),
    ).toBe(true);
  });

  it('refuses a huge token with 401 too-large before any parsing, and one past the header limit with 431', async () => {
    const huge = await withToken(`${encode({ alg: 'HS256' })}.${'A'.repeat(MAX_CREDENTIAL_LENGTH)}.sig`);
    expect(huge.status).toBe(401);
    expect(lastReason('hs')).toMatch(/over the 8192 read -> 401$/);
    expect((await withToken(`${'A'.repeat(70_000)}.b.c`)).status).toBe(431);
  });
});
