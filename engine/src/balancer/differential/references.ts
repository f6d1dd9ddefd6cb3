/**
 * Differential testing helpers: real nginx and HAProxy (Debian's packages), started by the tests as
 * child processes on loopback with generated configs in a temp dir, in front of the same real backends
 * the engine's balancer uses, so one request stream can be replayed through each and compared.
 *
 * Nothing here touches a system service: nginx runs as `nginx -p DIR -c DIR/nginx.conf -e DIR/error.log`
 * with every path it writes (pid, logs, temp dirs) inside DIR, HAProxy as `haproxy -f FILE -db`; both are
 * stopped (and DIR removed) by `stop()`, and killed if the test process exits first.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, startEngine, type RunningEngine } from '../../testing/harness.ts';

// --- Finding the references ------------------------------------------------------------------------

export interface Reference {
  /** Absolute path of the binary, when it was found and runs. */
  bin?: string;
  /** `nginx/1.22.1`, `HAProxy 2.6.12`: what the comparison ran against. */
  version?: string;
  /** Why it is unavailable (undefined when available). */
  missing?: string;
}

/** `/usr/sbin` is not on a normal user's PATH on Debian, but that is where both packages install. */
const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function findBinary(name: string, envVar: string): Reference {
  const explicit = process.env[envVar];
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  const candidates = explicit ? [explicit] : dirs.map((dir) => join(dir, name));
  const bin = candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  const install = `install it (Debian: apt-get install -y ${name}; CI's .ci/run does) or set ${envVar}`;
  if (!bin) {
    const where = explicit ? `${envVar}=${explicit} is not an executable` : `${name} not found on PATH or in ${SEARCH_DIRS.join(', ')}`;
    return { missing: `${where}: ${install}` };
  }
  const probe = spawnSync(bin, [name === 'nginx' ? '-v' : '-vv'], { encoding: 'utf8', timeout: 5_000 });
  const output = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
  if (probe.status !== 0) return { missing: `${bin} -v failed (${probe.error?.message ?? `exit ${probe.status}`}): ${install}` };
  const version = /nginx\/[\d.]+/.exec(output)?.[0] ?? /HAProxy version [\d.]+/.exec(output)?.[0] ?? output.split('\n')[0].trim();
  return { bin, version };
}

export const nginx = findBinary('nginx', 'NGINX_BIN');
export const haproxy = findBinary('haproxy', 'HAPROXY_BIN');

/**
 * The describe title of a suite that needs these references: what it compares, and, when it cannot
 * run, why (the project rule: nothing skipped silently, a skip carries its reason in its own line).
 * Also prints that reason to stderr once, at collection time.
 */
export function suiteTitle(what: string, needs: Array<[string, Reference]>): string {
  const missing = needs.filter(([, ref]) => ref.missing).map(([name, ref]) => `${name}: ${ref.missing}`);
  if (missing.length === 0) return `${what} (against ${needs.map(([, ref]) => ref.version).join(', ')})`;
  const reason = `SKIPPED, did not run: ${missing.join('; ')}`;
  process.stderr.write(`[differential] ${what}: ${reason}\n`);
  return `${what}: ${reason}`;
}

// --- Backends ------------------------------------------------------------------------------------

export interface Backend {
  name: string;
  port: number;
  /** `127.0.0.1:PORT`: the nginx `server` line, the HAProxy `server` address and the engine's Candidate.address. */
  address: string;
  url: string;
  inFlight: number;
  maxInFlight: number;
  served: number;
}

export interface Backends {
  list: Backend[];
  byName: Map<string, Backend>;
  /** Zero the counters between runs through different balancers. */
  reset(): void;
  close(): Promise<void>;
}

/** Real HTTP servers on 127.0.0.1 that answer with their own name, optionally after a delay. */
export async function startBackends(specs: Array<{ name: string; delayMs?: number }>): Promise<Backends> {
  const servers: Server[] = [];
  const list: Backend[] = [];
  for (const { name, delayMs = 0 } of specs) {
    const backend: Backend = { name, port: 0, address: '', url: '', inFlight: 0, maxInFlight: 0, served: 0 };
    const server = createServer((req, res) => {
      backend.inFlight++;
      backend.maxInFlight = Math.max(backend.maxInFlight, backend.inFlight);
      req.resume();
      const answer = () => {
        backend.inFlight--;
        backend.served++;
        res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name });
        res.end(name);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    backend.port = (server.address() as { port: number }).port;
    backend.address = `127.0.0.1:${backend.port}`;
    backend.url = `http://${backend.address}`;
    servers.push(server);
    list.push(backend);
  }
  return {
    list,
    byName: new Map(list.map((b) => [b.name, b])),
    reset() {
      for (const b of list) Object.assign(b, { inFlight: 0, maxInFlight: 0, served: 0 });
    },
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      ).then(() => undefined),
  };
}

// --- Balancers under test ---------------------------------------------------------------------------

/** One balancer in front of the backends: a port to send requests to. */
export interface Balancer {
  name: string;
  port: number;
  stop(): Promise<void>;
}

export interface ServerLine {
  backend: Backend;
  weight?: number;
}

/**
 * nginx with one upstream of these servers. `directives` go first in the upstream block (`least_conn;`,
 * `ip_hash;`, `hash $arg_key consistent;`); servers are written `server 127.0.0.1:PORT weight=W;`.
 */
export async function startNginx(servers: ServerLine[], directives: string[] = []): Promise<Balancer> {
  const upstream = [
    ...directives.map((d) => `      ${d}`),
    ...servers.map(({ backend, weight }) => `      server ${backend.address}${weight === undefined ? '' : ` weight=${weight}`};`),
  ].join('\n');
  return startNginxWith(
    (port) => `  upstream backends {
${upstream}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      # one try per request: a failure must show, not be hidden by a second server
      proxy_next_upstream off;
    }
  }`,
  );
}

/**
 * nginx with one worker and every path it writes in a scratch dir; `http` writes the rest of the http
 * block (its upstreams, zones and the `server` listening on 127.0.0.1:`port`) and may put files in `dir`.
 */
export async function startNginxWith(http: (port: number, dir: string) => string | Promise<string>): Promise<Balancer> {
  if (!nginx.bin) throw new Error(`nginx unavailable: ${nginx.missing}`);
  const bin = nginx.bin;
  return startChild('nginx', async (dir, port) => {
    const conf = join(dir, 'nginx.conf');
    await writeFile(
      conf,
      `# generated by engine/src/balancer/differential for one test run
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${await http(port, dir)}
}
`,
    );
    return spawn(bin, ['-p', `${dir}/`, '-c', conf, '-e', `${dir}/error.log`, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  });
}

/**
 * HAProxy with one backend, in HTTP mode or, with `mode: 'tcp'`, as a layer 4 balancer that picks per
 * connection: `balance` is the algorithm line (`roundrobin`, `leastconn`); servers are written
 * `server NAME 127.0.0.1:PORT weight W`. One thread, so one scheduler state.
 */
export async function startHaproxy(servers: ServerLine[], balance: string, mode: 'http' | 'tcp' = 'http'): Promise<Balancer> {
  if (!haproxy.bin) throw new Error(`haproxy unavailable: ${haproxy.missing}`);
  const bin = haproxy.bin;
  return startChild('haproxy', async (dir, port) => {
    const conf = join(dir, 'haproxy.cfg');
    await writeFile(
      conf,
      `# generated by engine/src/balancer/differential for one test run
global
  nbthread 1
defaults
  mode ${mode}
  retries 0
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  balance ${balance}
${servers.map(({ backend, weight }) => `  server ${backend.name} ${backend.address}${weight === undefined ? '' : ` weight ${weight}`}`).join('\n')}
`,
    );
    return spawn(bin, ['-f', conf, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  });
}

/** The children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Write a config into a fresh temp dir, start the child on a free loopback port, wait until it accepts. */
async function startChild(name: string, launch: (dir: string, port: number) => Promise<ChildProcess>): Promise<Balancer> {
  let lastError: Error | undefined;
  // A port found free may be taken before the child binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), `edgelab-${name}-`));
    const port = await freePort();
    const child = await launch(dir, port);
    running.add(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.once('exit', () => running.delete(child));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };
    const ready = await Promise.race([waitForPort(port, 5_000).then(() => 'ready' as const), exited.then(() => 'exited' as const)]);
    if (ready === 'ready' && child.exitCode === null) return { name, port, stop };
    await stop();
    lastError = new Error(`${name} did not start (${ready}); its output:\n${output}`);
    if (!/in use/i.test(output)) break;
  }
  throw lastError;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface EngineBalancerSpec {
  algorithm: string;
  mode?: 'l7' | 'l4';
  hashKey?: string;
  options?: Record<string, unknown>;
}

/** The engine with one balancer node whose targets are the backends' URLs (`http://127.0.0.1:PORT`). */
export async function startEngineBalancer(servers: ServerLine[], spec: EngineBalancerSpec): Promise<Balancer & { engine: RunningEngine }> {
  const engine = await startEngine({
    version: 1,
    nodes: [
      {
        id: 'lb',
        kind: 'balancer',
        ...spec,
        targets: servers.map(({ backend, weight }) => (weight === undefined ? backend.url : { to: backend.url, weight })),
      },
    ],
    // A flow makes the balancer reachable for the validator; the harness does not start it.
    traffic: [{ to: 'lb', rate: 1 }],
  });
  return { name: 'engine', port: engine.port('lb'), engine, stop: () => engine.stop() };
}

// --- Clients -----------------------------------------------------------------------------------------

export interface SendOptions {
  headers?: Record<string, string>;
  /** Source address of the connection (`127.0.N.M`), for the client-address hashes. */
  localAddress?: string;
  /** A keep-alive agent; without one each request has its own connection. */
  agent?: Agent;
}

/** GET through a balancer; resolves to the name of the backend that answered. */
export function send(port: number, path: string, options: SendOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: options.headers,
        agent: options.agent ?? false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`GET ${path} on port ${port}: ${res.statusCode} ${body.slice(0, 200)}`)),
        );
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${path} on port ${port}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Requests one after another: the backend names in order. */
export async function sequence(port: number, count: number, path = '/seq'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await send(port, `${path}?n=${i}`));
  return out;
}

/** Run `jobs` with at most `concurrency` at a time; results in job order. */
export async function pool<T>(jobs: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

/** A keep-alive agent for many requests where the connection does not matter (hash keys). */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 16 });
}
