/**
 * Differential tests: the engine's balancer against real nginx and HAProxy (Debian 12: nginx 1.22,
 * HAProxy 2.6), started here on loopback with generated configs, in front of the same real backends,
 * with the same requests. What must be identical is identical (sequences, key and client maps); what is
 * not deterministic under concurrency (least connections) is compared as shares within a stated tolerance.
 *
 * Reference behaviour found by these runs (and what our pickers follow):
 * - Equal weights: nginx, HAProxy `balance roundrobin` and the engine all rotate a b c a b c from the
 *   first server in config order.
 * - Unequal weights: nginx interleaves smoothly (5,1,1 -> a a b a c a a); HAProxy's `roundrobin`
 *   (its fwrr tree) sends the same number per cycle but in another order (5,1,1 -> a a a b a a c;
 *   2,1 -> a a b where nginx gives a b a). Our weighted-round-robin is nginx's by design (issue 3), so
 *   against HAProxy only the per-cycle counts are compared, never the order.
 * - Layer 4: HAProxy `mode tcp` picks once per TCP connection; every request on a keep-alive connection
 *   reaches the same server, and a bare connection that sends nothing (a readiness probe) still takes
 *   its turn. The engine's `mode: l4` does the same.
 *
 * - Repeated `X-Key` headers: nginx 1.22 (Debian 12) hashes the first value only; nginx 1.23+ and the engine
 *   join them with ", ". Not tested here: which nginx is the reference there is a decision, not a bug.
 *
 * Without nginx or haproxy (not CI) each suite is skipped with the reason in its title and one line on
 * stderr; CI installs both in .ci/run.
 */
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backends,
  type Balancer,
  type ServerLine,
  haproxy,
  keepAliveAgent,
  nginx,
  pool,
  send,
  sequence,
  startBackends,
  startEngineBalancer,
  startHaproxy,
  startNginx,
  suiteTitle,
} from './references.ts';

/** Start a balancer, run `body` against its port, always stop it. */
async function through<T>(start: Promise<Balancer>, body: (port: number, balancer: Balancer) => Promise<T>): Promise<T> {
  const balancer = await start;
  try {
    return await body(balancer.port, balancer);
  } finally {
    await balancer.stop();
  }
}

/** Open a TCP connection and close it without a byte, as a readiness probe does. */
function bareConnection(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

const servers = (backends: Backends, weights?: number[]): ServerLine[] =>
  backends.list.slice(0, weights?.length ?? backends.list.length).map((backend, i) => ({ backend, weight: weights?.[i] }));

/** Backend names by count within each full cycle of `cycle` requests: [{a: 5, b: 1, c: 1}, ...]. */
function cycleCounts(names: string[], cycle: number): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  for (let start = 0; start + cycle <= names.length; start += cycle) {
    const counts: Record<string, number> = {};
    for (const name of names.slice(start, start + cycle)) counts[name] = (counts[name] ?? 0) + 1;
    out.push(counts);
  }
  return out;
}

/** 1000 hash keys: plain ids, mixed case and punctuation, long ones, and (for query keys) percent-encoded UTF-8. */
function hashKeys(count: number, { encoded }: { encoded: boolean }): string[] {
  let seed = 0x2545f491;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    switch (i % 5) {
      case 0:
        keys.push(`user-${i}`);
        break;
      case 1:
        keys.push(String(next()));
        break;
      case 2: {
        const length = 1 + (next() % 64);
        keys.push(Array.from({ length }, () => alphabet[next() % alphabet.length]).join(''));
        break;
      }
      case 3:
        keys.push(encoded ? `caf%C3%A9-${i}%20x` : `Session ${i}; v=${next() % 1000}`);
        break;
      default:
        keys.push(`tenant/${next() % 97}/item/${i}`);
    }
  }
  return keys;
}

/** key -> backend for every key, through one balancer (order does not matter for a hash). */
async function keyMap(port: number, keys: string[], request: (key: string) => { path: string; headers?: Record<string, string> }) {
  const agent = keepAliveAgent();
  try {
    const names = await pool(
      keys.map((key) => () => {
        const { path, headers } = request(key);
        return send(port, path, { headers, agent });
      }),
      16,
    );
    return Object.fromEntries(keys.map((key, i) => [key, names[i]]));
  } finally {
    agent.destroy();
  }
}

/** Client addresses over many /24s (so nginx's 3-octet ip_hash sees different clients), and a second host in some of them. */
function clientAddresses(): string[] {
  const out: string[] = [];
  for (let n = 0; n < 64; n++) out.push(`127.0.${n}.1`);
  for (let n = 0; n < 16; n++) out.push(`127.0.${n}.201`);
  for (let n = 1; n < 32; n++) out.push(`127.${n}.${(n * 37) % 256}.9`);
  return out;
}

async function clientMap(port: number, clients: string[]): Promise<Record<string, string>> {
  const names = await pool(
    clients.map((localAddress) => () => send(port, '/ip', { localAddress })),
    16,
  );
  return Object.fromEntries(clients.map((client, i) => [client, names[i]]));
}

/**
 * Least connections with one slow backend: `CONCURRENCY` clients each send requests back to back
 * (closed loop) until `TOTAL` have been sent; the share each backend served.
 */
const LEAST_CONN = { total: 200, concurrency: 8, fastMs: 5, slowMs: 300 };
/** The slow backend's fair share is 1/3; "starved" means well below it. */
const STARVED_BELOW = 0.15;
/** The engine's slow share may differ from a reference's by this much (shares, not sequences, are stable under concurrency). */
const SHARE_TOLERANCE = 0.08;

async function shares(port: number, total = LEAST_CONN.total): Promise<Record<string, number>> {
  const names = await pool(
    Array.from({ length: total }, (_, i) => () => send(port, `/lc?n=${i}`)),
    LEAST_CONN.concurrency,
  );
  const counts: Record<string, number> = { fast1: 0, fast2: 0, slow: 0 };
  for (const name of names) counts[name]++;
  return Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, n / names.length]));
}

const leastConnBackends = () =>
  startBackends([
    { name: 'fast1', delayMs: LEAST_CONN.fastMs },
    { name: 'fast2', delayMs: LEAST_CONN.fastMs },
    { name: 'slow', delayMs: LEAST_CONN.slowMs },
  ]);

// ------------------------------------------------------------------------------------------------------

describe.skipIf(nginx.missing !== undefined)(suiteTitle('engine balancer vs nginx', [['nginx', nginx]]), () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends(['a', 'b', 'c', 'd'].map((name) => ({ name })));
  });
  afterAll(() => backends?.close());

  it('1. round robin, equal weights: 12 sequential requests go to the same backends in the same order as nginx default', async () => {
    const three = servers(backends).slice(0, 3);
    const reference = await through(startNginx(three), (port) => sequence(port, 12));
    const engine = await through(startEngineBalancer(three, { algorithm: 'round-robin' }), (port) => sequence(port, 12));
    expect(reference.join(' ')).toBe('a b c a b c a b c a b c');
    expect(engine).toEqual(reference);
    // weighted-round-robin with equal weights is the same rotation (nginx has only the one algorithm).
    const smooth = await through(startEngineBalancer(three, { algorithm: 'weighted-round-robin' }), (port) => sequence(port, 12));
    expect(smooth).toEqual(reference);
  });

  it.each([
    { weights: [5, 1, 1], cycle: 'a a b a c a a' },
    { weights: [1, 2, 3], cycle: 'c b a c b c' },
    { weights: [3, 1, 2, 4], cycle: undefined },
  ])(
    '2. smooth weighted round robin, weights $weights: two cycles in the same order as nginx `server ... weight=N`',
    async ({ weights, cycle }) => {
      const lines = servers(backends, weights);
      const count = 2 * weights.reduce((a, b) => a + b, 0);
      const reference = await through(startNginx(lines), (port) => sequence(port, count));
      const engine = await through(startEngineBalancer(lines, { algorithm: 'weighted-round-robin' }), (port) => sequence(port, count));
      if (cycle) expect(reference.join(' ')).toBe(`${cycle} ${cycle}`);
      expect(engine).toEqual(reference);
    },
  );

  describe('3. consistent hash: engine `consistent-hash` mode nginx vs nginx `hash $key consistent`', () => {
    it('the engine hashes each target as nginx writes the server: `127.0.0.1:PORT`', async () => {
      await through(
        startEngineBalancer(servers(backends, [1, 2, 3]), { algorithm: 'consistent-hash', options: { mode: 'nginx' } }),
        async (_port, lb) => {
          const view = (lb as Awaited<ReturnType<typeof startEngineBalancer>>).engine.engine.topology().find((n) => n.id === 'lb');
          expect(view?.targets?.map((t) => t.address)).toEqual(backends.list.slice(0, 3).map((b) => b.address));
        },
      );
    });

    it('$arg_key, 3 equal backends: the key -> backend map of 1000 keys is identical', async () => {
      const lines = servers(backends).slice(0, 3);
      const keys = hashKeys(1000, { encoded: true });
      const request = (key: string) => ({ path: `/chash?key=${key}` });
      const reference = await through(startNginx(lines, ['hash $arg_key consistent;']), (port) => keyMap(port, keys, request));
      const engine = await through(
        startEngineBalancer(lines, { algorithm: 'consistent-hash', hashKey: 'query:key', options: { mode: 'nginx' } }),
        (port) => keyMap(port, keys, request),
      );
      expect(new Set(Object.values(reference)).size).toBe(3);
      expect(mismatches(engine, reference)).toEqual([]);
    });

    it('$http_x_key, 4 backends weighted 1,2,3,5: the key -> backend map of 1000 keys is identical', async () => {
      const lines = servers(backends, [1, 2, 3, 5]);
      const keys = hashKeys(1000, { encoded: false });
      const request = (key: string) => ({ path: '/chash', headers: { 'x-key': key } });
      const reference = await through(startNginx(lines, ['hash $http_x_key consistent;']), (port) => keyMap(port, keys, request));
      const engine = await through(
        startEngineBalancer(lines, { algorithm: 'consistent-hash', hashKey: 'header:x-key', options: { mode: 'nginx' } }),
        (port) => keyMap(port, keys, request),
      );
      expect(new Set(Object.values(reference)).size).toBe(4);
      expect(mismatches(engine, reference)).toEqual([]);
    });

    it('requests without the key fall back to the same smooth weighted round robin as nginx', async () => {
      const lines = servers(backends, [5, 1, 1]);
      // Keyed requests in between must not disturb the fallback rotation (nginx's chash leaves the round-robin weights alone).
      const run = async (port: number) => {
        const out: string[] = [];
        for (let i = 0; i < 14; i++) {
          out.push(await send(port, i % 2 ? `/chash?key=k${i}` : '/chash'));
        }
        return out;
      };
      const reference = await through(startNginx(lines, ['hash $arg_key consistent;']), run);
      const engine = await through(
        startEngineBalancer(lines, { algorithm: 'consistent-hash', hashKey: 'query:key', options: { mode: 'nginx' } }),
        run,
      );
      expect(engine).toEqual(reference);
    });

    // nginx's $arg_NAME (ngx_http_arg) finds the name case-insensitively (ngx_strlcasestrn) and counts an
    // occurrence only when '=' follows it; later occurrences are ignored. 20 requests per form.
    // Known mismatch (left red on purpose, reported): the engine's queryValue (balancer/hash-key.ts)
    // compares the name case-sensitively and stops at a first `key` without '=' (value ''), so the three
    // odd forms reach the engine without a key and go to round robin, where nginx hashes them.
    for (const { form, path } of [
      { form: 'key=VALUE&key=other (the first occurrence wins)', path: (i: number) => `/chash?a=1&key=plain-${i}&key=ignored` },
      { form: 'KEY=VALUE (upper-case name)', path: (i: number) => `/chash?KEY=upper-${i}` },
      { form: 'Key=VALUE (mixed-case name)', path: (i: number) => `/chash?Key=mixed-${i}` },
      { form: 'key&key=VALUE (an occurrence without "=" does not count)', path: (i: number) => `/chash?key&key=second-${i}` },
    ]) {
      it(`$arg_key is read as nginx reads it: ${form}`, async () => {
        const lines = servers(backends).slice(0, 3);
        const paths = Array.from({ length: 20 }, (_, i) => path(i));
        const run = async (port: number) => Object.fromEntries(await Promise.all(paths.map(async (p) => [p, await send(port, p)])));
        const reference = await through(startNginx(lines, ['hash $arg_key consistent;']), run);
        const engine = await through(
          startEngineBalancer(lines, { algorithm: 'consistent-hash', hashKey: 'query:key', options: { mode: 'nginx' } }),
          run,
        );
        // Every one of these requests carries a key for nginx, so nginx hashes it (no round-robin fallback).
        expect(mismatches(engine, reference)).toEqual([]);
      });
    }
  });

  it.each([{ weights: [1, 1, 1] }, { weights: [3, 1, 2, 1] }])(
    '4. ip_hash, weights $weights: the client -> backend map over 126 client addresses (many /24s) is identical',
    async ({ weights }) => {
      const lines = servers(backends, weights);
      const clients = clientAddresses();
      const reference = await through(startNginx(lines, ['ip_hash;']), (port) => clientMap(port, clients));
      const engine = await through(startEngineBalancer(lines, { algorithm: 'ip-hash' }), (port) => clientMap(port, clients));
      expect(new Set(Object.values(reference)).size).toBe(weights.length);
      // Clients of one /24 share a backend (nginx hashes three octets).
      for (let n = 0; n < 16; n++) expect(reference[`127.0.${n}.201`]).toBe(reference[`127.0.${n}.1`]);
      expect(mismatches(engine, reference)).toEqual([]);
    },
  );

  describe('5. least connections with one slow backend under concurrency', () => {
    let lc: Backends;
    beforeAll(async () => {
      lc = await leastConnBackends();
    });
    afterAll(() => lc?.close());

    it(`nginx least_conn starves the slow backend (< ${STARVED_BELOW * 100}% of requests) and the engine does too, within ±${SHARE_TOLERANCE * 100} points`, async () => {
      const lines = servers(lc);
      const reference = await through(startNginx(lines, ['least_conn;']), (port) => shares(port));
      const engine = await through(startEngineBalancer(lines, { algorithm: 'least-connections' }), (port) => shares(port));
      const report = `nginx ${pct(reference)}; engine ${pct(engine)}`;
      expect(reference.slow, report).toBeLessThan(STARVED_BELOW);
      expect(engine.slow, report).toBeLessThan(STARVED_BELOW);
      expect(Math.abs(engine.slow - reference.slow), report).toBeLessThanOrEqual(SHARE_TOLERANCE);
    });

    it('control: round robin on the same setup gives the slow backend its third (so the test above can tell)', async () => {
      const control = await through(startEngineBalancer(servers(lc), { algorithm: 'round-robin' }), (port) => shares(port, 48));
      expect(control.slow).toBeCloseTo(1 / 3, 5);
    });
  });
});

describe.skipIf(haproxy.missing !== undefined)(suiteTitle('engine balancer vs HAProxy', [['haproxy', haproxy]]), () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await startBackends(['a', 'b', 'c'].map((name) => ({ name })));
  });
  afterAll(() => backends?.close());

  it('1. round robin, equal weights: 12 sequential requests in the same order as HAProxy `balance roundrobin` (it also starts at the first server)', async () => {
    const lines = servers(backends);
    const reference = await through(startHaproxy(lines, 'roundrobin'), (port) => sequence(port, 12));
    const engine = await through(startEngineBalancer(lines, { algorithm: 'round-robin' }), (port) => sequence(port, 12));
    expect(reference.join(' ')).toBe('a b c a b c a b c a b c');
    expect(engine).toEqual(reference);
  });

  it('6. layer 4: engine `mode: l4` round robin picks per connection exactly as HAProxy `mode tcp` `balance roundrobin`', async () => {
    const lines = servers(backends);
    /** Five keep-alive connections, one after another, three requests each: the backend of every request. */
    const perConnection = async (port: number) => {
      const out: string[][] = [];
      for (let c = 0; c < 5; c++) {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const answers: string[] = [];
        for (let r = 0; r < 3; r++) answers.push(await send(port, `/conn?c=${c}&r=${r}`, { agent }));
        agent.destroy();
        out.push(answers);
      }
      return out;
    };
    const reference = await through(startHaproxy(lines, 'roundrobin', 'tcp'), perConnection);
    // In tcp mode HAProxy also balances the harness's readiness probe (one bare connection), which took
    // `a`: the engine gets the same bare connection first, so both rotations start from the same place.
    const engine = await through(startEngineBalancer(lines, { algorithm: 'round-robin', mode: 'l4' }), async (port) => {
      await bareConnection(port);
      return perConnection(port);
    });
    expect(reference.map((answers) => answers.join(' '))).toEqual(['b b b', 'c c c', 'a a a', 'b b b', 'c c c']);
    expect(engine).toEqual(reference);
  });

  it("2. weights 5,1,1: the same count per backend in every cycle of 7 as HAProxy `balance roundrobin`; the order within a cycle is nginx's, not HAProxy's", async () => {
    const weights = [5, 1, 1];
    const lines = servers(backends, weights);
    const reference = await through(startHaproxy(lines, 'roundrobin'), (port) => sequence(port, 21));
    const engine = await through(startEngineBalancer(lines, { algorithm: 'weighted-round-robin' }), (port) => sequence(port, 21));
    const expected = Array.from({ length: 3 }, () => ({ a: 5, b: 1, c: 1 }));
    expect(cycleCounts(reference, 7)).toEqual(expected);
    expect(cycleCounts(engine, 7)).toEqual(expected);
    // Documented difference (HAProxy 2.6 fwrr gives a a a b a a c): the engine keeps nginx's smooth order.
    expect(engine.slice(0, 7).join(' ')).toBe('a a b a c a a');
  });

  describe('5. least connections with one slow backend under concurrency', () => {
    let lc: Backends;
    beforeAll(async () => {
      lc = await leastConnBackends();
    });
    afterAll(() => lc?.close());

    it(`HAProxy balance leastconn starves the slow backend (< ${STARVED_BELOW * 100}% of requests) and the engine does too, within ±${SHARE_TOLERANCE * 100} points`, async () => {
      const lines = servers(lc);
      const reference = await through(startHaproxy(lines, 'leastconn'), (port) => shares(port));
      const engine = await through(startEngineBalancer(lines, { algorithm: 'least-connections' }), (port) => shares(port));
      const report = `haproxy ${pct(reference)}; engine ${pct(engine)}`;
      expect(reference.slow, report).toBeLessThan(STARVED_BELOW);
      expect(engine.slow, report).toBeLessThan(STARVED_BELOW);
      expect(Math.abs(engine.slow - reference.slow), report).toBeLessThanOrEqual(SHARE_TOLERANCE);
    });
  });
});

/** The entries where `actual` differs from `expected`, as `key: engine X, reference Y` (first 10). */
function mismatches(actual: Record<string, string>, expected: Record<string, string>): string[] {
  const out = Object.keys(expected)
    .filter((key) => actual[key] !== expected[key])
    .map((key) => `${key}: engine ${actual[key]}, reference ${expected[key]}`);
  return out.length > 10 ? [...out.slice(0, 10), `... ${out.length - 10} more of ${Object.keys(expected).length}`] : out;
}

function pct(shares: Record<string, number>): string {
  return Object.entries(shares)
    .map(([name, share]) => `${name} ${(share * 100).toFixed(1)}%`)
    .join(', ');
}
