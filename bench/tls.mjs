/**
 * What TLS termination costs at the edge: requests per second through a TLS proxy of the engine (tls:
 * true, forwarding plain HTTP/1.1 to an upstream that answers at once) beside a bare Node TLS server
 * answering the same body with the same kind of certificate (node:http2's secure server with HTTP/1.1
 * allowed: node:https's own listener, with h2 beside it, as the proxy's), each in its own child process,
 * the load from this one. Three loads per system: keep-alive HTTP/1.1 over `--connections`
 * connections, keep-alive HTTP/2 (one session, as many streams in flight), and new handshakes (every
 * request on a connection of its own: handshakes per second). Each load warms up, then runs
 * `--seconds`; the table gives requests/s and p50/p99 ms. Not a harness case yet (bench/lib/cases.mjs
 * runs wrk, which speaks no TLS).
 *
 *   node bench/tls.mjs [--seconds 10] [--connections 16]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';
import { Pool } from 'undici';

const BODY = JSON.stringify({ ok: true, node: 'origin' });
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    serve: { type: 'string' },
  },
});

if (values.serve !== undefined) await serve(values.serve);
else await measure(Number(values.seconds) * 1000, Number(values.connections));

/** Child: start one system, tell the parent its port and certificate, run until killed. */
async function serve(system) {
  register();
  const { generateSelfSigned, DEFAULT_CERT_DIR } = await import('../engine/src/proxy/tls/self-signed.ts');
  const answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  };
  if (system === 'bare') {
    const certificate = await generateSelfSigned({ nodeId: 'bench-bare', now: Date.now(), dir: DEFAULT_CERT_DIR });
    const server = createSecureServer({ cert: certificate.cert, key: certificate.key, allowHTTP1: true }, answer);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    process.send({ port: server.address().port, cert: certificate.cert, certFile: certificate.certFile });
    return;
  }
  const origin = createHttpServer({ keepAliveTimeout: 5_000 }, answer);
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  const { validateConfig } = await import('../engine/src/config/validate.ts');
  const { Engine } = await import('../engine/src/engine.ts');
  const result = validateConfig({
    version: 1,
    nodes: [{ id: 'bench-tls-edge', kind: 'proxy', to: `http://127.0.0.1:${origin.address().port}`, tls: true }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const engine = new Engine({ metricsIntervalMs: 500 });
  await engine.start(result.config, { traffic: false });
  const edge = engine.topology()[0];
  process.send({ port: edge.port, cert: await readFile(edge.tls.certFile, 'utf8'), certFile: edge.tls.certFile });
}

/** Parent: each system in turn, each load against it. */
async function measure(durationMs, connections) {
  const rows = [];
  for (const system of ['bare', 'engine']) {
    const child = fork(new URL(import.meta.url), ['--serve', system], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const [{ port, cert, certFile }] = await once(child, 'message');
    console.error(`${system}: https://127.0.0.1:${port} (SHA-256 ${new X509Certificate(cert).fingerprint256.slice(0, 23)}...)`);
    try {
      for (const [load, run] of [
        ['keep-alive http/1.1', keepAlive(false)],
        ['keep-alive h2', keepAlive(true)],
        ['new handshakes', newHandshakes],
      ]) {
        await run(port, cert, connections, Math.min(2_000, durationMs / 4));
        rows.push({ system: system === 'bare' ? 'bare node tls' : 'engine tls proxy', load, ...(await run(port, cert, connections, durationMs)) });
      }
    } finally {
      child.kill();
      await rm(certFile, { force: true });
    }
  }
  console.log(`${'system'.padEnd(18)} ${'load'.padEnd(20)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const r of rows) {
    console.log(
      `${r.system.padEnd(18)} ${r.load.padEnd(20)} ${r.rate.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
}

/** `connections` requests in flight at once, each sent as the last one of its lane is answered. */
async function closedLoop(connections, durationMs, send) {
  const latencies = [];
  let errors = 0;
  const until = performance.now() + durationMs;
  const lane = async () => {
    while (performance.now() < until) {
      const start = performance.now();
      try {
        await send();
        latencies.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, lane));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rate: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99), errors };
}

/** Keep-alive: a pool of `connections` HTTP/1.1 connections, or one h2 session carrying as many streams. */
function keepAlive(h2) {
  return async (port, cert, connections, durationMs) => {
    const pool = new Pool(`https://127.0.0.1:${port}`, {
      connections: h2 ? 1 : connections,
      allowH2: h2,
      ...(h2 ? { maxConcurrentStreams: connections } : {}),
      connect: { ca: cert },
    });
    try {
      return await closedLoop(connections, durationMs, async () => {
        const res = await pool.request({ path: '/items/1', method: 'GET' });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      });
    } finally {
      await pool.close();
    }
  };
}

/** Every request on a new connection (no agent, no session resumption): the handshake's cost. */
async function newHandshakes(port, cert, connections, durationMs) {
  return closedLoop(connections, durationMs, () =>
    new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/items/1', ca: cert, agent: false, headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    }),
  );
}

