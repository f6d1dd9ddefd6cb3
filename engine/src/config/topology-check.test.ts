/**
 * The rules that span nodes, on configs as written: references checked even where other fields failed,
 * the nearest id offered, and a node nothing leads to a warning (it runs: a learner may be building step
 * by step, or have taken a server out of a pool), proven on a real engine with traffic entering a
 * balancer and a service directly.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../server.ts';
import { startEngine, waitFor, type RunningEngine } from '../testing/harness.ts';
import { checkTopology } from './topology-check.ts';
import { validateConfig } from './validate.ts';

const lines = (problems: Array<{ path: string; message: string }>) => problems.map((p) => `${p.path}: ${p.message}`);

describe('checkTopology', () => {
  it('checks references in nodes whose other fields are wrong, and offers the nearest id', () => {
    const { errors } = checkTopology({
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'lb', listen: 'not a port' },
        { id: 'lb', kind: 'balancer', algorithm: 'magic', targets: ['users-1', { to: 'users-9', weight: 'heavy' }, 42, { to: 7 }] },
        { id: 'users-1', kind: 'service', latency: 'slow' },
        { id: 'api', kind: 'gateway', routes: [{ match: {}, to: 'edge' }, { aggregate: { upstreams: [{ to: 'usres-1' }] } }] },
      ],
      traffic: [{ to: 'egde' }, { to: 3 }, null],
    });
    expect(lines(errors)).toEqual([
      'nodes[1].targets[1].to: unknown node "users-9"; did you mean "users-1"?',
      'nodes[3].routes[1].aggregate.upstreams[0].to: unknown node "usres-1"; did you mean "users-1"?',
      'traffic[0].to: unknown node "egde"; did you mean "edge"?',
    ]);
    expect(errors[0].suggestion).toBe('users-1');
  });

  it('finds a cycle and a duplicate id among nodes that fail the schema', () => {
    const { errors } = checkTopology({
      nodes: [
        { id: 'a', kind: 'proxy', to: 'b', cache: 'yes' },
        { id: 'b', kind: 'proxy', to: 'a', listen: 9100 },
        { id: 'b', kind: 'service', listen: 9100, errorRate: 7 },
      ],
    });
    expect(lines(errors)).toEqual([
      'nodes[2].id: duplicate id "b" (also nodes[1])',
      'nodes[2].listen: port 9100 is already used by nodes[1] ("b")',
      'nodes[0]: cycle: a -> b -> a',
    ]);
  });

  it.each<[string, unknown[], unknown[], string[]]>([
    ['a service taken out of the pool', [{ id: 'lb', kind: 'balancer', targets: ['s1'] }, { id: 's1', kind: 'service' }, { id: 's2', kind: 'service' }], [{ to: 'lb' }], ['nodes[2]']],
    ['a balancer no one sends to (its targets are led to by it)', [{ id: 'lb', kind: 'balancer', targets: ['s1'] }, { id: 's1', kind: 'service' }], [], ['nodes[0]']],
    ['a balancer that traffic enters', [{ id: 'lb', kind: 'balancer', targets: ['s1'] }, { id: 's1', kind: 'service' }], [{ to: 'lb' }], []],
    ['a service that traffic enters', [{ id: 's1', kind: 'service' }], [{ to: 's1' }], []],
    ['a proxy and a gateway, where clients come in', [{ id: 'p', kind: 'proxy', to: 'http://example.com' }, { id: 'g', kind: 'gateway', routes: [{ match: {}, to: 's' }] }, { id: 's', kind: 'service' }], [], []],
  ])('warns of a node nothing leads to: %s', (_what, nodes, traffic, warned) => {
    const { errors, warnings } = checkTopology({ nodes, traffic });
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.path)).toEqual(warned);
  });

  // Each spelling is what a person may write for this host; the URL parser normalises the numeric ones,
  // the rest are compared as written (upstream.ts THIS_HOST).
  it.each([
    'http://127.0.0.1:9300',
    'http://127.1:9300',
    'http://0x7f.0.0.1:9300',
    'http://2130706433:9300',
    'http://0177.0.0.1:9300',
    'http://127.0.0.1.:9300',
    'http://0:9300',
    'http://[::ffff:127.0.0.1]:9300',
    'http://[::ffff:0.0.0.0]:9300',
    'http://[0:0:0:0:0:0:0:1]:9300',
    'http://[::]:9300',
    'http://LOCALHOST:9300',
    'http://localhost.:9300',
    'http://app.localhost:9300',
  ])('refuses a node that sends to its own port as %s', (url) => {
    const result = validateConfig({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: 9300, to: url }] });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : lines(result.errors)).toEqual([expect.stringMatching(/^nodes\[0\]: cycle: edge -> http:\/\/.*:9300 \(edge\)$/)]);
  });

  it('offers the nearest id for the first of thousands of unknown long names only, so the check stays short', () => {
    const long = 'a'.repeat(58);
    const services = Array.from({ length: 20 }, (_, i) => ({ id: `${long}${String(i).padStart(3, '0')}`, kind: 'service' }));
    const targets = Array.from({ length: 200 }, (_, i) => `${long}x${String(i).padStart(2, '0')}`);
    const balancers = Array.from({ length: 20 }, (_, b) => ({ id: `lb${b}`, kind: 'balancer', targets }));
    const { errors } = checkTopology({ nodes: [...balancers, ...services] });
    expect(errors).toHaveLength(4000);
    const suggested = errors.filter((e) => e.suggestion !== undefined).length;
    expect(suggested).toBeGreaterThan(0);
    expect(suggested).toBeLessThan(100);
  });

  it('never throws on half-valid input, and names only paths that exist', () => {
    const node = fc.record(
      {
        id: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.anything()),
        kind: fc.oneof(fc.constantFrom('proxy', 'gateway', 'balancer', 'service'), fc.anything()),
        listen: fc.oneof(fc.constantFrom(0, 9200, 9201), fc.anything()),
        to: fc.oneof(fc.constantFrom('a', 'b', 'c', 'http://127.0.0.1:9200', 'http://[::'), fc.anything()),
        targets: fc.oneof(fc.array(fc.oneof(fc.constantFrom('a', 'b', 'zz'), fc.record({ to: fc.anything() }), fc.anything())), fc.anything()),
        routes: fc.oneof(fc.array(fc.oneof(fc.record({ to: fc.anything() }), fc.record({ aggregate: fc.anything() }), fc.anything())), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(node, fc.anything()), { maxLength: 6 }), fc.anything(), (nodes, traffic) => {
        const { errors, warnings } = checkTopology({ nodes, traffic });
        for (const problem of [...errors, ...warnings]) expect(problem.path).toMatch(/^(nodes|traffic)\[\d+\]/);
        expect(validateConfig({ version: 1, nodes, traffic }).ok).toBeTypeOf('boolean');
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('configs on a real engine and control server', () => {
  let running: RunningEngine | undefined;
  let control: ControlServer | undefined;
  afterEach(async () => {
    await control?.close();
    await running?.stop();
    running = control = undefined;
  });

  /** A lab running one service, with its control server; resolves to the lab's port. */
  async function startLab(): Promise<number> {
    running = await startEngine({ version: 1, nodes: [{ id: 'start', kind: 'service' }] });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    return control.port;
  }

  /** The errors the lab answers a write of `config` with (`PUT /api/config`, or `POST /api/config/validate`). */
  async function refusal(config: object, method = 'PUT', call = '/api/config'): Promise<Array<{ path: string; message: string }>> {
    const res = await fetch(`${control!.url}${call}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    const body = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    return body.errors.map(({ path, message }) => ({ path, message }));
  }

  it('applies a config with a node nothing leads to, with a warning, and runs it: traffic enters a balancer and a service directly, the spare answers its own callers', async () => {
    running = await startEngine({ version: 1, nodes: [{ id: 'start', kind: 'service' }], traffic: [{ to: 'start', rate: 1 }] });
    control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    const config = {
      version: 1,
      nodes: [
        { id: 'pool', kind: 'balancer', targets: ['s1'] },
        { id: 's1', kind: 'service' },
        { id: 'spare', kind: 'service' },
        { id: 'solo', kind: 'service' },
      ],
      traffic: [
        { name: 'to-pool', to: 'pool', rate: 40, clients: 2 },
        { name: 'to-solo', to: 'solo', rate: 40, clients: 2 },
      ],
    };
    const res = await fetch(`${control.url}/api/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      applied: true,
      failures: [],
      warnings: [{ path: 'nodes[2]', node: 'spare', message: 'no node and no traffic sends to "spare": it runs, and answers only clients that call it directly' }],
    });
    await running.engine.startTraffic();
    await waitFor(() => {
      const m = running!.engine.metrics.snapshot();
      return m.pool.requests >= 3 && m.s1.requests >= 3 && m.solo.requests >= 3 ? true : undefined;
    });
    expect((await fetch(running.url('spare', '/x'))).status).toBe(200);
    expect(running.engine.metrics.snapshot().spare.requests).toBe(1);
  });

  it("refuses a config that reaches the lab's own port, naming the field: a node listening there, a node or a flow sending there", async () => {
    const port = await startLab();
    const config = {
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: `http://localhost.:${port}` },
        { id: 'squatter', kind: 'service', listen: port },
      ],
      traffic: [{ to: `http://127.1:${port}`, rate: 1 }],
    };
    const api = `the lab's own page and control API, not a node: requests sent there would steer the lab, not reach a server`;
    const expected = [
      { path: 'nodes[0].to', message: `http://localhost.:${port} is ${api}` },
      { path: 'nodes[1].listen', message: `port ${port} is the lab's own (its page and control API): give the node another port, or 0 for any free one` },
      { path: 'traffic[0].to', message: `http://127.0.0.1:${port} is ${api}` },
    ];
    expect(await refusal(config)).toEqual(expected);
    expect(await refusal(config, 'POST', '/api/config/validate')).toEqual(expected);
    expect(running!.engine.config?.nodes.map((n) => n.id)).toEqual(['start']);
    // Without the lab's port (edgelab validate), the same config is only as good as its other fields.
    expect(validateConfig(config).ok).toBe(true);
  });

  it("refuses a TLS proxy's plain HTTP redirect on a port already taken, as a port clash: the lab's own, another node's, another redirect's", async () => {
    const port = await startLab();
    // Fixed ports below the ephemeral range, never listened on: the config is refused before any node starts.
    const config = {
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'users', tls: { redirectHttp: port } },
        { id: 'edge-b', kind: 'proxy', to: 'users', listen: 21_443, tls: { redirectHttp: 21_080 } },
        { id: 'edge-c', kind: 'proxy', to: 'users', tls: { redirectHttp: 21_080 } },
        { id: 'users', kind: 'service', listen: 21_080 },
      ],
    };
    expect(lines(await refusal(config))).toEqual([
      `nodes[0].tls.redirectHttp: port ${port} is the lab's own (its page and control API): give the redirect another port, or 0 for any free one`,
      'nodes[2].tls.redirectHttp: port 21080 is already used by the plain HTTP redirect of nodes[1] ("edge-b")',
      'nodes[3].listen: port 21080 is already used by the plain HTTP redirect of nodes[1] ("edge-b")',
    ]);
    expect(running!.engine.config?.nodes.map((n) => n.id)).toEqual(['start']);
  });
});
