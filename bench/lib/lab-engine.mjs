/**
 * The real lab for the browser case: `node engine/bin/edgelab.mjs serve <config> --port <free port>
 * --no-traffic` as a child process (the engine, its nodes and the control server that serves web/dist),
 * pinned like any other child of the harness. Talks to it only over its public HTTP API.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pinned } from './pinning.mjs';

const CLI = fileURLToPath(new URL('../../engine/bin/edgelab.mjs', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every engine still running, so an interrupted harness stops them on the way out. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (the OS picks it; the engine binds it a moment later). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `edgelab serve` on `configFile` and a free port, on `core` when pinning is on; resolves once
 * GET /api/health answers 200, to { url, pid, api(method, path, body), stop(), stderr() }.
 */
export async function startLabEngine({ configFile, pinning, core }) {
  const port = await freePort();
  const [command, argv] = pinned(pinning, core, process.execPath, [CLI, 'serve', configFile, '--port', String(port), '--no-traffic']);
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => running.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const api = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`edgelab serve exited with ${child.exitCode ?? child.signalCode} before it was ready\n${err.trim()}`);
    }
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`edgelab serve did not answer /api/health within ${START_TIMEOUT_MS} ms\n${err.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, pid: child.pid, api, stop, stderr: () => err };
}
