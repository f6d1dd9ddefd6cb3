/**
 * What authenticating one request costs, without the network: the gateway's authenticator
 * (engine/src/gateway/auth/) on an API key, JWTs of each kind of key (a token seen before, which the
 * authenticator remembers, and tokens seen for the first time, cycling through more than it remembers),
 * and the refusals a flood of bad credentials gets (unknown key, malformed, oversized, alg none). Each case warms up, then times 7
 * batches and prints the median, in microseconds per request. Not a harness case yet: the chain with an
 * auth stage against the same chain without (issue 10's 5% target) belongs in bench/lib/cases.mjs once
 * the stage is wired.
 *
 *   node bench/auth.mjs [--iterations 20000]
 */
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { GatewayNode } = await import('../engine/src/config/schema.ts');
const { createAuthenticator } = await import('../engine/src/gateway/auth/authenticator.ts');
const { signToken, tokenClaims } = await import('../engine/src/gateway/auth/mint.ts');
const { VERIFIED_TOKENS } = await import('../engine/src/gateway/auth/jwt-verifier.ts');
const { exportSPKI, generateKeyPair } = await import('jose');

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Number(values.iterations);
const SECRET = 'a-bench-secret-that-is-at-least-32-bytes';
const consumers = Array.from({ length: 1000 }, (_, i) => ({ name: `c-${i}`, apiKeys: [`key-${i}`] }));

function authenticator(jwt) {
  const gateway = GatewayNode.parse({
    id: 'api',
    kind: 'gateway',
    consumers: jwt ? consumers.map(({ name }) => ({ name })) : consumers,
    credentials: jwt ? { jwt } : { apiKey: { header: 'x-api-key' } },
    routes: [{ match: { path: '/*' }, to: 'svc' }],
  });
  return createAuthenticator(gateway);
}

/** `headers`: one request's, or a list the requests cycle through. */
async function time(name, auth, headers) {
  const requests = (Array.isArray(headers) ? headers : [headers]).map((h) => ({ headers: h }));
  const policy = auth.policies[0];
  const batch = async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await auth.authenticate(requests[i % requests.length], policy);
    return Number(process.hrtime.bigint() - start) / 1000 / iterations;
  };
  await batch();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await batch());
  runs.sort((a, b) => a - b);
  const outcome = await auth.authenticate(requests[0], policy);
  console.log(
    `${name.padEnd(28)} ${runs[3].toFixed(2).padStart(8)} us/request  (${outcome.kind}${outcome.detail ? ` ${outcome.detail}` : ''})`,
  );
}

const claims = tokenClaims({ consumerClaim: 'sub' }, { consumer: 'c-7', nowMs: Date.now(), lifetimeMs: 3_600_000 });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
/** More distinct tokens than the authenticator remembers, so each is verified as if seen for the first time. */
const fresh = (alg, key) =>
  Promise.all(Array.from({ length: VERIFIED_TOKENS + 1 }, (_, i) => signToken({ ...claims, jti: `t-${i}` }, alg, key)));

const keys = authenticator(undefined);
await time('api key (1000 consumers)', keys, { 'x-api-key': 'key-999' });
await time('api key, unknown', keys, { 'x-api-key': 'key-x' });
await time('api key, 8 KB', keys, { 'x-api-key': 'k'.repeat(8_193) });

const hs = authenticator({ algorithms: ['HS256'], secret: SECRET });
const secret = new TextEncoder().encode(SECRET);
await time('jwt HS256, seen before', hs, bearer(await signToken(claims, 'HS256', secret)));
await time('jwt HS256, first sight', hs, (await fresh('HS256', secret)).map(bearer));
await time('jwt, malformed', hs, bearer('not.a-jwt'));
await time('jwt, alg none', hs, bearer(`${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`));
for (const alg of ['ES256', 'RS256']) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const auth = authenticator({ algorithms: [alg], publicKey: await exportSPKI(publicKey) });
  await time(`jwt ${alg}, seen before`, auth, bearer(await signToken(claims, alg, privateKey)));
  await time(`jwt ${alg}, first sight`, auth, (await fresh(alg, privateKey)).map(bearer));
}
