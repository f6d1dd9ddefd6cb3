/**
 * Test harness: a real engine from a config object, raw upstream servers with controlled behaviour,
 * and raw HTTP over a socket (so tests can send what fetch forbids: Connection, TE, bad syntax).
 * Everything listens on 127.0.0.1, port 0, and `stop()` closes what was started.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { validateConfig } from '../config/validate.ts';
import { Engine, type EngineOptions } from '../engine.ts';
import type { EngineEvent } from '../events.ts';

export interface RunningEngine {
  engine: Engine;
  events: EngineEvent[];
  port(node: string): number;
  url(node: string, path?: string): string;
  stop(): Promise<void>;
}

export async function startEngine(input: unknown, options: EngineOptions & { traffic?: boolean; allowFailures?: boolean } = {}): Promise<RunningEngine> {
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.errors)}`);
  const engine = new Engine({ metricsIntervalMs: 0, ...options });
  const events: EngineEvent[] = [];
  engine.bus.subscribe((e) => events.push(e));
  const started = await engine.start(result.config, { input, traffic: options.traffic ?? false });
  if (started.failures.length > 0 && !options.allowFailures) throw new Error(started.failures.join('; '));
  const port = (node: string) => {
    const found = engine.topology().find((n) => n.id === node)?.port;
    if (found == null) throw new Error(`node ${node} has no port`);
    return found;
  };
  return { engine, events, port, url: (node, path = '/') => `http://127.0.0.1:${port(node)}${path}`, stop: () => engine.stop() };
}

export interface RawUpstream {
  port: number;
  url: string;
  /** Every request the upstream received, with its headers as sent. */
  received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[] }>;
  /** How many TCP connections it accepted. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A real HTTP server whose answer the test decides. */
export async function rawUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawUpstream> {
  const received: RawUpstream['received'] = [];
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
    handler(req, res);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** Send raw bytes, read until the server closes, parse the first response. */
export function rawHttp(port: number, request: string, localAddress?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseResponse(data)));
    socket.write(request);
  });
}

export function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: split === -1 ? '' : raw.slice(split + 4), raw };
}

/** A port that nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = probe();
      if (value !== undefined && value !== false) return resolve(value);
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}
