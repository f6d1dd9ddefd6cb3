/**
 * A flow's `auth`: the config's checks against its gateways, token renewal on a fake clock, and the
 * generator's requests as a real HTTP server sees them (client i sends consumer i mod n's credential,
 * and the gateway's authenticator accepts it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../balancer/testing.ts';
import { TrafficFlow, type GatewayConfig } from '../config/schema.ts';
import { validateConfig } from '../config/validate.ts';
import { createAuthenticator } from '../gateway/auth/authenticator.ts';
import { CONSUMERS, JWT_CONSUMERS, NOW, SECRET } from '../gateway/auth/testing.ts';
import { rawUpstream, waitFor, type RawUpstream } from '../testing/harness.ts';
import { ClientCredentials, resolveFlowAuth, TOKEN_LIFETIME_MS } from './client-auth.ts';
import { TrafficGenerator } from './generator.ts';

const jwtSettings = { algorithms: ['HS256'], secret: SECRET, issuer: 'https://issuer.test', audience: 'api' };

/** A config with gateway `api` (API keys and JWT), gateway `jwt-only`, and one flow with `flow` fields. */
function config(flow: Record<string, unknown>, more: Record<string, unknown> = {}) {
  return {
    version: 1,
    nodes: [
      {
        id: 'api',
        kind: 'gateway',
        consumers: CONSUMERS,
        credentials: { apiKey: { header: 'x-api-key' }, jwt: jwtSettings },
        routes: [{ to: 'svc' }],
        ...more,
      },
      { id: 'jwt-only', kind: 'gateway', consumers: JWT_CONSUMERS.slice(0, 1), credentials: { jwt: jwtSettings }, routes: [{ to: 'svc' }] },
      { id: 'svc', kind: 'service' },
    ],
    traffic: [{ to: 'api', rate: 10, ...flow }],
  };
}

function errorsOf(input: ReturnType<typeof config>): string[] {
  const result = validateConfig(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

const gatewaysOf = (input: ReturnType<typeof config>) => {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config.nodes.filter((n): n is GatewayConfig => n.kind === 'gateway');
};

describe('a flow auth in the config', () => {
  it('finds the gateway that lists the consumers, and names every problem with its path', () => {
    expect(errorsOf(config({ auth: { consumers: ['mobile', 'web'] } }))).toEqual([]);
    expect(errorsOf(config({ auth: { consumers: ['mobile'] } }))).toEqual([
      'traffic[0].auth.gateway: several gateways list these consumers (api, jwt-only): name one',
    ]);
    expect(errorsOf(config({ auth: { consumers: ['mobile', 'nobody'] } }))).toEqual([
      'traffic[0].auth.consumers: no gateway lists every one of mobile, nobody (gateways: api, jwt-only)',
    ]);
    expect(errorsOf(config({ auth: { consumers: ['mobile', 'web'], gateway: 'jwt-only' } }))).toEqual([
      'traffic[0].auth.consumers[1]: gateway jwt-only lists no consumer "web" (consumers: mobile)',
    ]);
    expect(errorsOf(config({ auth: { consumers: ['mobile'], gateway: 'jwt-only', credential: 'api-key' } }))).toEqual([
      'traffic[0].auth.consumers[0]: gateway jwt-only reads no API keys',
    ]);
    expect(errorsOf(config({ auth: { consumers: ['web'], gateway: 'edge' } }))).toEqual([
      'traffic[0].auth.gateway: no gateway "edge" (gateways: api, jwt-only)',
    ]);
  });

  it('refuses headers the credentials would overwrite', () => {
    const flow = {
      auth: { consumers: ['web'], gateway: 'api' },
      headers: { 'X-Api-Key': 'mine' },
      apiKeys: { count: 2, header: 'x-api-key' },
    };
    expect(errorsOf(config(flow))).toEqual([
      'traffic[0].headers.X-Api-Key: auth sends this header: remove it here',
      "traffic[0].apiKeys.header: auth sends the consumers' keys in x-api-key: use another header here",
    ]);
  });

  it('cannot mint for a gateway that verifies with a public key', () => {
    const gateways = gatewaysOf(config({}));
    const rs = { ...gateways[1], credentials: { jwt: { ...gateways[1].credentials!.jwt!, algorithms: ['RS256' as const] } } };
    expect(resolveFlowAuth({ auth: { consumers: ['mobile'] } }, [rs])).toEqual({
      ok: false,
      errors: [
        {
          path: 'auth.consumers[0]',
          message:
            'gateway jwt-only verifies RS256 with a public key, so the generator cannot mint its tokens (mint them with edgelab token and send them in headers)',
        },
      ],
    });
  });
});

describe('ClientCredentials', () => {
  it('keeps a minted token until a minute before it expires, then mints the next', () => {
    const gateways = gatewaysOf(config({}));
    const resolved = resolveFlowAuth({ auth: { consumers: ['mobile'], credential: 'jwt', gateway: 'api' } }, gateways);
    if (!resolved.ok) throw new Error('unresolved');
    let now = NOW;
    const credentials = new ClientCredentials(resolved.credentials, () => now);
    const first = credentials.headersFor(0)!.authorization;
    now += TOKEN_LIFETIME_MS - 60_001;
    expect(credentials.headersFor(3)!.authorization).toBe(first);
    now += 1;
    const second = credentials.headersFor(0)!.authorization;
    expect(second).not.toBe(first);
    const payload = (bearer: string) => JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url').toString());
    expect(payload(first)).toEqual({ sub: 'mobile', iss: 'https://issuer.test', aud: 'api', iat: NOW / 1000, exp: NOW / 1000 + 300 });
    expect(payload(second).iat).toBe(NOW / 1000 + 240);
  });
});

describe('the generator sends each client its credential', () => {
  let target: RawUpstream | undefined;
  let traffic: TrafficGenerator | undefined;
  afterEach(async () => {
    await traffic?.close();
    await target?.close();
    traffic = target = undefined;
  });

  /** Runs the flow against a real server until `count` requests arrived; what each client address sent. */
  async function send(flow: Record<string, unknown>, gateways: GatewayConfig[], count = 24) {
    const seen: Array<{ peer: string; url: string; headers: Record<string, unknown> }> = [];
    target = await rawUpstream((req, res) => {
      seen.push({ peer: req.socket.remoteAddress ?? '', url: req.url ?? '', headers: req.headers });
      res.end('ok');
    });
    traffic = new TrafficGenerator({ resolve: (to) => new URL(to).origin, rng: seededRng(1), gateways: () => gateways });
    await traffic.start([TrafficFlow.parse({ to: target.url, rate: 200, clients: 4, paths: ['/items'], ...flow })]);
    await waitFor(() => seen.length >= count || undefined);
    await traffic.stop();
    return seen;
  }

  it('API keys in the header: client i sends consumer (i mod 2)', async () => {
    const seen = await send({ auth: { consumers: ['mobile', 'web'] } }, gatewaysOf(config({})));
    expect(new Set(seen.map((r) => `${r.peer} ${r.headers['x-api-key']} ${r.headers.authorization}`))).toEqual(
      new Set(['127.0.1.1 k-1 undefined', '127.0.2.1 k-2 undefined', '127.0.3.1 k-1 undefined', '127.0.4.1 k-2 undefined']),
    );
  });

  it('API keys in the query, after the query the path already has', async () => {
    const gateways = gatewaysOf(config({}, { credentials: { apiKey: { query: 'api_key' } } }));
    const seen = await send({ auth: { consumers: ['web', 'ops'] }, paths: ['/items?page=2'] }, gateways);
    expect(new Set(seen.map((r) => `${r.peer} ${r.url}`))).toEqual(
      new Set([
        '127.0.1.1 /items?page=2&api_key=k-2',
        '127.0.2.1 /items?page=2&api_key=k-ops',
        '127.0.3.1 /items?page=2&api_key=k-2',
        '127.0.4.1 /items?page=2&api_key=k-ops',
      ]),
    );
  });

  it('minted JWTs that the gateway accepts, each naming the client consumer', async () => {
    const gateways = gatewaysOf(config({}));
    const seen = await send({ auth: { consumers: ['mobile', 'web', 'ops'], credential: 'jwt', gateway: 'api' } }, gateways);
    const auth = createAuthenticator(gateways[0]);
    const byPeer = new Map<string, string>();
    for (const request of seen) {
      const outcome = await auth.authenticate({ headers: request.headers as never }, auth.policies[0]);
      expect(outcome.kind).toBe('consumer');
      if (outcome.kind === 'consumer') byPeer.set(request.peer, outcome.consumer.name);
    }
    expect(Object.fromEntries(byPeer)).toEqual({ '127.0.1.1': 'mobile', '127.0.2.1': 'web', '127.0.3.1': 'ops', '127.0.4.1': 'mobile' });
  });

  it('refuses to start, changing nothing, when the gateways lack what the flow needs', async () => {
    traffic = new TrafficGenerator({ resolve: (to) => new URL(to).origin, rng: seededRng(1) });
    await expect(
      traffic.start([TrafficFlow.parse({ to: 'http://127.0.0.1:1', rate: 1, auth: { consumers: ['mobile'] } })]),
    ).rejects.toThrow('auth.consumers: no gateway lists every one of mobile (gateways: none)');
    expect(traffic.running).toBe(false);
  });
});
