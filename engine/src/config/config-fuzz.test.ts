/**
 * The config fuzz property (issue 9): configs from a small generator of topologies, valid ones and the
 * same mutated (wrong types, huge numbers and durations, bad URLs, unknown keys, empty lists, long
 * strings, deep junk), go to `validateConfig`, `validateText` and `PUT /api/config` of one real engine.
 * Each is refused with a list of `{ path, message }`, or accepted; after an accepted config the engine
 * answers `/api/health`, and a request through its entry node, within 2 s; and nothing is ever thrown
 * where nobody catches it (the process would die).
 *
 * `npm test` runs RUNS cases from a fixed seed, so a failure repeats; `EDGELAB_FUZZ_RUNS=5000` runs
 * more from a random seed, `EDGELAB_FUZZ_SEED` replays one (fast-check prints the seed and the shrunk
 * counterexample of a failure; the message names the config it replaced, since one engine runs them
 * all, as the lab does), and `EDGELAB_FUZZ_TRAFFIC=1` also runs each accepted config's traffic for
 * 100 ms (slower: about 70 ms a case).
 */
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PICKER_IDS } from '../balancer/picker-ids.ts';
import { Engine } from '../engine.ts';
import { startControlServer, type ControlServer } from '../server.ts';
import type { EdgeConfigParsed } from './schema.ts';
import { localPortOf } from './upstream.ts';
import { upstreamsOf, validateConfig, validateText, type ConfigError } from './validate.ts';

const RUNS = Number(process.env.EDGELAB_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.EDGELAB_FUZZ_SEED ?? (process.env.EDGELAB_FUZZ_RUNS ? Date.now() % 2 ** 31 : 9));
/** How long the engine may take to answer, after a config was applied. */
const BOUND_MS = 2_000;
/** How long applying a config may take: nodes it removes first finish their requests in flight. */
const APPLY_BOUND_MS = 10_000;
/** How long one case may take in all. */
const CASE_BOUND_MS = 30_000;
/**
 * Fixed ports: three, below the ephemeral range where other tests' port-0 listeners are, so that
 * nodes clash on them and URLs point at them (a loop through a URL) often.
 */
const PORTS = [21_000, 21_001, 21_002] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = Record<string, Json>;

// ---------------------------------------------------------------- valid topologies

const latency = fc.oneof(
  fc.constant<Json>(0),
  fc.constantFrom<Json>('1ms', '5ms', 2),
  fc.constant<Json>({ distribution: 'uniform', min: 0, max: '5ms' }),
);
const port = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(...PORTS) });
/** A URL upstream: the discard port (closed on a test machine, so refused at once), or one a node may listen on. */
const urlUpstream = fc.constantFrom('http://127.0.0.1:9', ...PORTS.map((p) => `http://127.0.0.1:${p}`), `http://localhost:${PORTS[0]}`);

const serviceArb = (id: string) =>
  fc.record(
    {
      id: fc.constant(id),
      kind: fc.constant('service'),
      listen: port,
      latency,
      status: fc.constantFrom(200, 201, 204, 304, 404, 503),
      errorRate: fc.constantFrom(0, 0.5, 1),
      capacity: fc.record({ concurrency: fc.integer({ min: 1, max: 4 }), queue: fc.integer({ min: 0, max: 4 }) }),
      responseSize: fc.constantFrom('0b', '1kb', 512),
      cache: fc.constant([{ path: '/*', cacheControl: 'public, max-age=5', etag: true }]),
    },
    { requiredKeys: ['id', 'kind'] },
  ) as fc.Arbitrary<Node>;

/** Picker options that fit each algorithm (the others take none). */
const OPTIONS: Partial<Record<(typeof PICKER_IDS)[number], fc.Arbitrary<Json>>> = {
  'consistent-hash': fc.constantFrom<Json>({ mode: 'nginx' }, { points: 40 }, { balanceFactor: 150 }),
  maglev: fc.constantFrom<Json>({ tableSize: 251 }, { tableSize: 65537 }),
  'weighted-round-robin': fc.constant<Json>({ maxFails: 2 }),
  'ip-hash': fc.constant<Json>({ fullAddress: true }),
  'peak-ewma': fc.constant<Json>({ tau: '1s', defaultRtt: '10ms' }),
};

const balancerArb = (targets: string[]) =>
  fc
    .record({
      algorithm: fc.constantFrom(...PICKER_IDS),
      l4: fc.boolean(),
      weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: targets.length, maxLength: targets.length }),
      health: fc.boolean(),
      outlier: fc.boolean(),
      listen: port,
      withOptions: fc.boolean(),
    })
    .chain((b) =>
      (b.withOptions && OPTIONS[b.algorithm] ? OPTIONS[b.algorithm]! : fc.constant(undefined)).map((options) => {
        const node: Node = {
          id: 'lb',
          kind: 'balancer',
          listen: b.listen,
          algorithm: b.algorithm,
          targets: targets.map((to, i) => (b.weights[i] === 1 ? to : { to, weight: b.weights[i] })),
        };
        if (b.l4 && b.algorithm !== 'peak-ewma') node.mode = 'l4';
        if (options !== undefined) node.options = options;
        if (b.health) node.healthCheck = { interval: '200ms', timeout: '100ms' };
        if (b.outlier) node.outlierDetection = { consecutiveFailures: 3 };
        return node;
      }),
    );

/** A chain: services, maybe a balancer over them, maybe a gateway, maybe a proxy in front; traffic into the entry. */
const topology: fc.Arbitrary<Json> = fc
  .record({
    services: fc.integer({ min: 1, max: 4 }),
    balancer: fc.boolean(),
    gateway: fc.boolean(),
    proxy: fc.boolean(),
    external: fc.option(urlUpstream, { freq: 2 }),
    flows: fc.integer({ min: 0, max: 2 }),
    scenario: fc.boolean(),
  })
  .chain((shape) => {
    const ids = Array.from({ length: shape.services }, (_, i) => `s${i + 1}`);
    const targets = shape.external === null ? ids : [...ids, shape.external];
    return fc
      .tuple(fc.tuple(...ids.map(serviceArb)), balancerArb(targets), port, port)
      .map(([services, balancer, gatewayPort, proxyPort]) => {
        const nodes: Node[] = [];
        let entry = shape.balancer ? 'lb' : ids[0];
        if (shape.gateway) {
          nodes.push({
            id: 'api',
            kind: 'gateway',
            listen: gatewayPort,
            routes: [
              { match: { path: '/fuzz/*' }, to: entry, stripPrefix: '/fuzz' },
              { match: { path: '/ext/*' }, to: shape.external ?? 'http://127.0.0.1:9' },
              { match: {}, to: ids[ids.length - 1] },
            ],
          });
          entry = 'api';
        }
        if (shape.proxy) {
          nodes.push({ id: 'edge', kind: 'proxy', listen: proxyPort, to: entry, timeouts: { connect: '500ms', response: '1s' } });
          entry = 'edge';
        }
        if (shape.balancer) nodes.push(balancer);
        nodes.push(...services);
        const config: { [key: string]: Json } = {
          version: 1,
          name: 'fuzz',
          nodes,
          // Without a proxy or gateway in front, traffic is what makes the entry reachable.
          traffic: Array.from({ length: shape.gateway || shape.proxy ? shape.flows : Math.max(1, shape.flows) }, (_, i) => ({
            name: `f${i}`,
            to: entry,
            rate: 5,
            clients: 2,
            paths: ['/fuzz/{1..9}'],
          })),
        };
        if (shape.scenario) config.scenario = [{ at: '10ms', for: '1s', target: ids[0], type: 'latency', ms: 5 }];
        return config;
      });
  });

// ---------------------------------------------------------------- mutations

function nested(depth: number): Json {
  let value: Json = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { junk: value };
  return value;
}

const BAD_URLS = [
  'http://127.0.0.1:99999',
  'http://[::',
  'http://127.0.0.1:0',
  'http://u:p@127.0.0.1:9',
  'http://127.0.0.1:9/api',
  'http://127.0.0.1:9?x#y',
  'ftp://127.0.0.1',
  'http:127.0.0.1',
  'http://127.0.0.1:80\n80',
  `http://${'a'.repeat(3000)}`,
  'https://',
  'http://127.0.0.1:21000',
  'http://localhost:21001/',
];

/** Values that are wrong somewhere, or right but extreme. */
const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, '', ' ', '0', [], {}),
  fc.constantFrom<Json>(2 ** 31, 2 ** 31 - 1, 2 ** 53, 1e308, -1e308, 65535, 65536, 1e-9, 1_000_000),
  fc.constantFrom<Json>('36000m', 3e9, '2147483648ms', '35791m', '1e400ms', `${'9'.repeat(40)}m`, '1.5s', '-5s', 'soon'),
  fc.constantFrom<Json>(...BAD_URLS),
  fc.constantFrom<Json>(
    'round-robin',
    'maglev',
    'consistent-hash',
    'l4',
    'service',
    'balancer',
    's1',
    'lb',
    'edge',
    '/x',
    '/{1..3}',
    '/{key}',
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom<Json>(
    'x'.repeat(3000),
    nested(40),
    nested(10),
    Array.from({ length: 300 }, () => 's1'),
    Array.from({ length: 50 }, () => ({})),
  ),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.constantFrom<Json>(1, 'a', null), { maxKeys: 4 }),
);

const DURATION_KEYS = new Set([
  'latency',
  'min',
  'max',
  'mean',
  'median',
  'at',
  'for',
  'ms',
  'jitter',
  'connect',
  'response',
  'interval',
  'timeout',
  'after',
  'delay',
  'period',
]);
const HUGE_DURATIONS: Json[] = ['36000m', 3e9, 2 ** 31, 2 ** 31 - 1, '2147483648ms', '35791m', '1e400ms', 1e308];
const SIZE_KEYS = new Set(['weight', 'points', 'tableSize', 'clients', 'count', 'concurrency', 'queue', 'rate', 'users']);
const HUGE_SIZES: Json[] = [1e6, 2 ** 31, 131_101, 262_139, 5_000_011, 65_000, 1e-9, 100_000];

type Mutation = {
  op: 'set' | 'delete' | 'add-key' | 'empty' | 'duplicate' | 'url' | 'duration' | 'size' | 'grow';
  at: number;
  value: Json;
  key: string;
  pick: number;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'add-key', 'empty', 'duplicate', 'url', 'duration', 'size', 'grow'),
  at: fc.nat(),
  value: junk,
  key: fc.constantFrom(
    'junk',
    'latency',
    'to',
    'listen',
    'options',
    'mode',
    'for',
    'at',
    'ms',
    'points',
    'tableSize',
    '__proto__',
    'constructor',
  ),
  pick: fc.nat(),
});

type Container = Json[] | { [key: string]: Json };
/** A place in a value: its container, its key there, and the key of the container in its own parent. */
type Place = { container: Container; key: string | number; parentKey: string | number | undefined };

/** Every place in a value, in a stable order. */
function places(value: Json): Place[] {
  const out: Place[] = [];
  const walk = (v: Json, parentKey: string | number | undefined): void => {
    if (Array.isArray(v)) v.forEach((item, i) => (out.push({ container: v, key: i, parentKey }), walk(item, i)));
    else if (v !== null && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) (out.push({ container: v, key: k, parentKey }), walk(item, k));
  };
  walk(value, undefined);
  return out;
}

/** The places a targeted mutation aims at: upstreams, durations, sizes, lists. */
function aimedAt(op: Mutation['op'], all: Place[]): Place[] {
  const valueOf = (p: Place) => (p.container as Record<string | number, Json>)[p.key];
  switch (op) {
    case 'url':
      return all.filter((p) => p.key === 'to' || (p.parentKey === 'targets' && typeof valueOf(p) === 'string'));
    case 'duration':
      return all.filter((p) => typeof p.key === 'string' && DURATION_KEYS.has(p.key));
    case 'size':
      return all.filter((p) => typeof p.key === 'string' && SIZE_KEYS.has(p.key));
    case 'grow':
      return all.filter((p) => Array.isArray(valueOf(p)) && (valueOf(p) as Json[]).length > 0);
    default:
      return all;
  }
}

function mutate(config: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(config);
  for (const m of mutations) {
    const aimed = aimedAt(m.op, places(copy));
    if (aimed.length === 0) continue;
    const { container, key } = aimed[m.at % aimed.length];
    const slots = container as Record<string | number, Json>;
    const current = slots[key];
    // A copy: the junk constants are shared between runs, and a later mutation may land inside one.
    if (m.op === 'set') slots[key] = structuredClone(m.value);
    else if (m.op === 'url') slots[key] = BAD_URLS[m.pick % BAD_URLS.length];
    else if (m.op === 'duration') slots[key] = HUGE_DURATIONS[m.pick % HUGE_DURATIONS.length];
    else if (m.op === 'size') slots[key] = HUGE_SIZES[m.pick % HUGE_SIZES.length];
    else if (m.op === 'grow') slots[key] = Array.from({ length: 150 + (m.pick % 150) }, () => structuredClone((current as Json[])[0]));
    else if (m.op === 'delete') {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
    } else if (m.op === 'add-key' && current !== null && typeof current === 'object' && !Array.isArray(current)) {
      Object.defineProperty(current, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
    } else if (m.op === 'empty' && Array.isArray(current)) current.length = 0;
    else if (m.op === 'duplicate' && Array.isArray(container)) container.push(structuredClone(container[key as number]));
  }
  return copy;
}

const configs: fc.Arbitrary<Json> = fc.oneof(
  { weight: 1, arbitrary: topology },
  { weight: 3, arbitrary: fc.tuple(topology, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([c, ms]) => mutate(c, ms)) },
);

// ---------------------------------------------------------------- the engine under test

let engine: Engine;
let control: ControlServer;
const agent = new Agent({ connect: { timeout: BOUND_MS } });
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
/** A timer asked to wait longer than it can fires at once (Node warns): the engine was fooled. */
const onWarning = (warning: Error) => warning.name === 'TimeoutOverflowWarning' && uncaught.push(warning);
/** What went wrong, where: enough to find it from the test's output. */
const told = () =>
  uncaught.map((e) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n')}` : String(e)));

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  process.on('warning', onWarning);
  engine = new Engine({ metricsIntervalMs: 0, retryFailedMs: 60_000 });
  control = await startControlServer({ engine, port: 0, webRoot: '/nonexistent' });
});

afterAll(async () => {
  await control?.close();
  await engine?.stop();
  await agent.close();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  process.off('warning', onWarning);
});

function expectErrorList(errors: unknown): void {
  expect(Array.isArray(errors) && errors.length > 0, JSON.stringify(errors)).toBe(true);
  for (const e of errors as ConfigError[]) {
    expect(typeof e.path === 'string' && e.path.length > 0, JSON.stringify(e)).toBe(true);
    expect(typeof e.message === 'string' && e.message.length > 0, JSON.stringify(e)).toBe(true);
  }
}

/** A GET within the bound: the status, or the error that stopped it. */
async function get(url: string): Promise<number | string> {
  try {
    const res = await request(url, { dispatcher: agent, reset: true, headersTimeout: BOUND_MS, bodyTimeout: BOUND_MS });
    // Up to 128 KiB of the body, the rest is dropped, and a slow one (a bandwidth fault) given up on: the status is what counts.
    await res.body.dump({ limit: 128 * 1024, signal: AbortSignal.timeout(BOUND_MS) }).catch(() => {});
    return res.statusCode;
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name;
  }
}

/**
 * Whether a request through this config must be answered within the bound. A config may ask for a
 * slow answer (a long latency, a scenario's hang, an upstream URL elsewhere on the network), and
 * some do once mutated; the engine then only has to stay up (its health is still checked).
 */
function answersPromptly(config: EdgeConfigParsed): boolean {
  if (config.scenario.length > 0) return false;
  for (const node of config.nodes) {
    if (node.kind === 'service') {
      const l = node.latency;
      if (typeof l !== 'number' ? !(l.distribution === 'uniform' && l.max <= 100) : l > 100) return false;
      if (node.capacity?.queueTimeout !== undefined) return false;
    } else if (node.kind === 'proxy' || node.kind === 'gateway' || node.kind === 'balancer') {
      const upstreams = upstreamsOf(node, 0).map((u) => u.to);
      // A URL on this host is refused at once, or is a node of the config (a loop is refused by validation).
      if (upstreams.some((to) => to.includes('://') && localPortOf(to) === undefined)) return false;
      if (node.timeouts?.connect !== undefined || node.timeouts?.response !== undefined) {
        if ((node.timeouts.connect ?? 0) > 500 || (node.timeouts.response ?? 0) > 1_000) return false;
      }
      if (node.kind === 'balancer' && (node.retries !== undefined || node.healthCheck !== undefined)) return false;
    }
  }
  return true;
}

/** The node a client would call first: where traffic goes, else a proxy or gateway nobody sends to, else the first node. */
function entryOf(config: EdgeConfigParsed): string {
  const flow = config.traffic.find((f) => !f.to.includes('://'));
  if (flow) return flow.to;
  const front = config.nodes.find((n) => n.kind === 'proxy' || n.kind === 'gateway');
  return (front ?? config.nodes[0]).id;
}

/** The config the engine ran before this one (a failure may depend on what is replaced), as JSON. */
let previous = 'none';

async function check(input: Json): Promise<void> {
  // What happened during an earlier case failed that case (and fast-check then shrinks it from here).
  uncaught.length = 0;
  const direct = validateConfig(input);
  if (!direct.ok) expectErrorList(direct.errors);
  const fromText = validateText(stringify(input));
  if (!fromText.ok) expectErrorList(fromText.errors);

  const body = JSON.stringify(input);
  const sent = validateConfig(JSON.parse(body));
  const res = await fetch(`${control.url}/api/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(APPLY_BOUND_MS),
  }).catch((error: Error) => expect.fail(`PUT /api/config: ${error.message}, replacing the config ${previous}`));
  const answer = (await res.json()) as { applied?: boolean; failures?: string[]; errors?: unknown };
  if (!sent.ok) {
    expect([400, 413], JSON.stringify(answer)).toContain(res.status);
    expectErrorList(answer.errors);
  } else {
    const replaced = previous;
    previous = body;
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(await get(`${control.url}/api/health`)).toBe(200);
    const entry = engine.topology().find((n) => n.id === entryOf(sent.config));
    if (entry?.port != null && answer.failures?.length === 0) {
      // Through each route of the generated gateway, and round the targets of a balancer; once when it may be slow.
      const promptly = answersPromptly(sent.config);
      for (const path of promptly ? ['/fuzz/1', '/ext/1', '/fuzz/2', '/ext/2', '/fuzz/3'] : ['/fuzz/1']) {
        const status = await get(`http://127.0.0.1:${entry.port}${path}`);
        // A TCP balancer whose target refuses the connection closes the client's, as HAProxy's mode tcp does.
        const closed = entry.mode === 'l4' && (status === 'ECONNRESET' || status === 'UND_ERR_SOCKET');
        const answered = typeof status === 'number' || closed;
        if (promptly) expect(answered, `GET ${path} through ${entry.id}: ${status}, after the config ${replaced}`).toBe(true);
        expect(told()).toEqual([]);
      }
    }
    if (process.env.EDGELAB_FUZZ_TRAFFIC && sent.config.traffic.length > 0) {
      const started = await fetch(`${control.url}/api/traffic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"action":"start"}',
      });
      expect(started.status, await started.text()).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      expect(await get(`${control.url}/api/health`)).toBe(200);
      await fetch(`${control.url}/api/traffic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"action":"stop"}',
      });
    }
    expect(await get(`${control.url}/api/health`)).toBe(200);
  }
  expect(told()).toEqual([]);
}

/** A case that hangs fails, with its config, instead of holding the whole run. */
async function checkInTime(input: Json): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no verdict in ${CASE_BOUND_MS} ms, after the config ${previous}`)), CASE_BOUND_MS);
  });
  try {
    await Promise.race([check(input), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('any config', () => {
  it(
    `is refused with paths or accepted and then served (${RUNS} runs, seed ${SEED})`,
    async () => {
      await fc.assert(fc.asyncProperty(configs, checkInTime), { numRuns: RUNS, seed: SEED });
    },
    Math.max(60_000, RUNS * 1_000),
  );
});
