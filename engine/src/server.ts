/**
 * The control server: the lab's page and the control API on one port (8787 by default), bound to
 * 127.0.0.1. Every write must come from the page itself: another origin, a cross-site fetch, a
 * non-JSON body or a foreign Host header is refused, so a web page elsewhere cannot drive the lab.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { z } from 'zod';
import { TrafficFlowPartial } from './config/schema.ts';
import { LIMITS, limitMessage } from './config/limits.ts';
import { controlApiProblem } from './config/topology-check.ts';
import { sizeErrors, validateConfig, zodErrors } from './config/validate.ts';
import { ConfigChanged, type Engine } from './engine.ts';
import { InputError } from './errors.ts';
import { EncodingNegotiator } from './proxy/compression/accept-encoding.ts';
import { ifMatchHolds } from './http/if-match.ts';
import { readJson } from './http/read-body.ts';
import { createEventStream } from './stream/event-stream.ts';
import type { TrafficChange } from './traffic/generator.ts';

export interface ControlServerOptions {
  engine: Engine;
  port?: number;
  host?: string;
  /** The built web app to serve (web/dist); the API works without it. */
  webRoot?: string;
}

export interface ControlServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));
/** The page's precompressed variants, brotli first (smaller); sirv finds them by `.br` and `.gz`. */
const WEB_ENCODINGS = new EncodingNegotiator(['br', 'gzip']);
const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** The names precompress.ts gives a page's variants. */
const PRECOMPRESSED = /\.(br|gz)$/i;
/** Every method some path of the control server takes. */
const CONTROL_METHODS = 'GET, HEAD, POST, PUT, DELETE';

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { engine } = options;
  const host = options.host ?? '127.0.0.1';
  const events = createEventStream(engine.bus);
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  // The build writes .br and .gz beside the page's files (vite.config.ts, precompress.ts); sirv serves them.
  const serveWeb = existsSync(webRoot) ? sirv(webRoot, { single: true, etag: true, gzip: true, brotli: true }) : undefined;

  /** The port the page and this API answer on: no config or flow may send there (checkTopology). */
  const controlPort = () => (server.address() as AddressInfo).port;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof InputError) return sendJson(res, error.status, { error: error.message, errors: error.errors });
      sendJson(res, 500, { error: `internal error: ${(error as Error).message}` });
    });
  });
  // CONNECT opens no tunnel here: a 405 that says so, not a socket closed without a word (node's default).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const body = JSON.stringify({ error: `method not allowed; use ${CONTROL_METHODS}` });
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nallow: ${CONTROL_METHODS}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    // An absolute-form target (`http://127.0.0.1:8787/api/health`) names the host the request is for,
    // in place of Host (RFC 9112 section 3.2.2).
    const absolute = /^https?:\/\//i.test(target) && URL.canParse(target) ? new URL(target) : undefined;
    // `OPTIONS *` asks what the server takes at all (RFC 9110 section 9.3.7).
    if (target === '*' && req.method === 'OPTIONS') {
      res.writeHead(204, { allow: CONTROL_METHODS }).end();
      return;
    }
    // Any other target such as `//[` or `*` is no path: a 400 that says so, not an internal error, nor the page.
    if ((absolute === undefined && !target.startsWith('/')) || !URL.canParse(target, 'http://lab.invalid')) {
      return sendJson(res, 400, { error: `not a request path: ${JSON.stringify(target)}` });
    }
    const url = absolute ?? new URL(target, 'http://lab.invalid');
    const method = req.method ?? 'GET';
    const refusal = refuse(req, method, host, absolute?.host);
    if (refusal) return sendJson(res, refusal.status, { error: refusal.message });
    const path = url.pathname;

    if (path === '/metrics') {
      if (!reads(method)) return notAllowed(res, 'GET, HEAD');
      const text = await engine.metrics.prometheus();
      res.writeHead(200, { 'content-type': text.contentType });
      res.end(text.body);
      return;
    }
    if (!path.startsWith('/api/')) {
      if (!reads(method)) return notAllowed(res, 'GET, HEAD');
      // The build's .br and .gz files are codings of a page, sent under the page's own path only when
      // the client accepts them: asked for by name, sirv would send brotli to a client that takes none.
      if (serveWeb && !PRECOMPRESSED.test(path)) {
        chooseWebEncoding(req, res);
        return serveWeb(req, res, () => sendJson(res, 404, { error: `no such page: ${path}` }));
      }
      if (serveWeb) return sendJson(res, 404, { error: `no such page: ${path}` });
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The lab page is not built. Run `npm run build` (npm start does it for you); the API is up under /api/.\n');
      return;
    }

    switch (path) {
      case '/api/health':
        return reads(method) ? sendJson(res, 200, { status: 'ok' }) : notAllowed(res, 'GET, HEAD');
      case '/api/events':
        if (!reads(method)) return notAllowed(res, 'GET, HEAD');
        events.handle(req, res);
        return;
      case '/api/topology':
        if (!reads(method)) return notAllowed(res, 'GET, HEAD');
        return sendJson(res, 200, { name: engine.config?.name ?? '', nodes: engine.topology(), traffic: engine.trafficState(), layout: engine.config?.layout });
      case '/api/metrics':
        if (!reads(method)) return notAllowed(res, 'GET, HEAD');
        return sendJson(res, 200, {
          ts: Date.now(),
          nodes: engine.metrics.snapshot(),
          traffic: { ...engine.trafficState(), stats: engine.traffic.stats() },
          algorithms: algorithmStates(engine),
        });
      case '/api/metrics/reset': {
        // Fresh counts (a lesson starts from zero): every node's, its inspector's included; not the traffic generator's.
        if (method !== 'POST') return notAllowed(res, 'POST');
        noFields(await writeFields(req, url));
        const nodes = engine.resetMetrics();
        return sendJson(res, 200, { ts: Date.now(), reset: Object.keys(nodes) });
      }
      case '/api/config':
        if (reads(method)) return sendJson(res, 200, engine.input ?? null, tagged(engine.configTag()));
        if (method === 'PUT') {
          const result = validateConfig(await writeBody(req, url), { controlPort: controlPort() });
          if (!result.ok) return sendJson(res, 400, { error: 'invalid config; the running config is unchanged', errors: result.errors });
          // If-Match: applied only over the config the client read (the page's editor sends the tag it loaded
          // with), so a Save does not silently undo a config another tab or a lesson applied meanwhile.
          const ifMatch = req.headers['if-match'];
          let applied;
          try {
            applied = await engine.apply(result.config, result.input, ifMatch === undefined ? undefined : () => ifMatchHolds(ifMatch, engine.configTag()));
          } catch (error) {
            if (!(error instanceof ConfigChanged)) throw error;
            return sendJson(res, 412, { error: `${error.message} (If-Match: ${ifMatch}; the running config's tag is ${engine.configTag()})` }, tagged(engine.configTag()));
          }
          // Warnings (a route that can never match) do not stop a config: it runs, and the answer says what looks wrong.
          return sendJson(
            res,
            200,
            {
              applied: true,
              name: result.config.name,
              failures: applied.failures,
              ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
            },
            tagged(engine.configTag()),
          );
        }
        return notAllowed(res, 'GET, HEAD, PUT');
      case '/api/config/validate': {
        // A dry run of PUT /api/config (the page's config editor checks as the learner types): the same
        // errors and warnings, nothing applied.
        if (method !== 'POST') return notAllowed(res, 'POST');
        const result = validateConfig(await writeBody(req, url), { controlPort: controlPort() });
        return sendJson(res, 200, result.ok ? { ok: true, errors: [], warnings: result.warnings } : { ok: false, errors: result.errors, warnings: [] });
      }
      case '/api/traffic': {
        if (reads(method)) return sendJson(res, 200, { ...engine.trafficState(), stats: engine.traffic.stats() });
        if (method !== 'POST') return notAllowed(res, 'GET, HEAD, POST');
        const body = await writeFields(req, url);
        const { action, ...fields } = (body ?? {}) as Record<string, unknown>;
        if (action === 'stop') {
          noFields(fields);
          await engine.stopTraffic();
        } else if (action === 'start') {
          const { flow, ...flowFields } = fields;
          await engine.startTraffic(parseFlowOverrides(flowFields, controlPort()), flowName(flow, 'flow', 'expected the name of a flow'));
        }
        else if (action === 'set') engine.setTraffic(parseTrafficChange(fields));
        else if (action === 'add') {
          const { like, ...flowFields } = fields;
          engine.addTraffic(parseFlowOverrides(flowFields, controlPort()) ?? {}, flowName(like, 'like', 'expected the name of a running flow'));
        } else if (action === 'resume') {
          noFields(fields);
          await engine.resumeTraffic();
        }
        else throw new InputError('action', 'expected "start", "add", "set", "resume" or "stop"');
        return sendJson(res, 200, engine.trafficState());
      }
      case '/api/faults':
        if (reads(method)) return sendJson(res, 200, engine.faults());
        if (method === 'POST') return sendJson(res, 201, await engine.injectFault(await writeFields(req, url)));
        if (method === 'DELETE') {
          noFields(await writeFields(req, url));
          return sendJson(res, 200, await engine.clearAllFaults());
        }
        return notAllowed(res, 'GET, HEAD, POST, DELETE');
    }
    const cached = /^\/api\/cache\/([^/]+)$/.exec(path);
    if (cached) {
      if (method !== 'DELETE') return notAllowed(res, 'DELETE');
      // A purge takes its fields in its query, and no body.
      noFields(withinSize(await readJson(req)));
      const entries = engine.purgeCache(pathSegment(cached[1], 'node'), purgeTarget(url.searchParams));
      return sendJson(res, 200, { purged: entries });
    }
    const fault = /^\/api\/faults\/([^/]+)$/.exec(path);
    if (fault) {
      if (method !== 'DELETE') return notAllowed(res, 'DELETE');
      noFields(await writeFields(req, url));
      const id = pathSegment(fault[1], 'id');
      const cleared = await engine.clearFault(id);
      return cleared ? sendJson(res, 200, { cleared: id }) : sendJson(res, 404, { error: `no active fault "${id}"` });
    }
    sendJson(res, 404, { error: `no such API: ${method} ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://${host}:${port}`,
    async close() {
      events.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Why a request is refused before it is looked at, if it is. */
function refuse(req: IncomingMessage, method: string, bindHost: string, targetAuthority?: string): { status: number; message: string } | undefined {
  // Node keeps the first of several Host fields; RFC 9112 section 3.2 wants a 400 for them.
  if (req.rawHeaders.filter((field, i) => i % 2 === 0 && field.toLowerCase() === 'host').length > 1) {
    return { status: 400, message: 'refused: more than one Host header' };
  }
  const hostHeader = targetAuthority ?? req.headers.host ?? '';
  const hostname = hostHeader.replace(/:\d+$/, '');
  if (!LOCAL_HOSTNAMES.has(hostname) && hostname !== bindHost) {
    return { status: 421, message: `refused: Host "${hostHeader}" is not this lab (use http://127.0.0.1)` };
  }
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${hostHeader}`) {
    return { status: 403, message: `refused: writes from another origin (${origin}) are not allowed` };
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return { status: 403, message: 'refused: cross-site write' };
  const type = req.headers['content-type'];
  const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
  if ((hasBody || req.headers['transfer-encoding']) && !isJsonType(type)) {
    return { status: 415, message: `expected content-type: application/json (UTF-8), got ${JSON.stringify(type ?? '')}` };
  }
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
    return { status: 415, message: `content-encoding "${coding}" is not taken: send the JSON uncompressed` };
  }
  return undefined;
}

/** `application/json`, its parameters aside, in UTF-8 if a charset is named (the body is read as UTF-8); not `application/jsonx`. */
function isJsonType(type: string | undefined): boolean {
  const [mediaType, ...parameters] = (type ?? '').toLowerCase().split(';');
  if (mediaType.trim() !== 'application/json') return false;
  const charset = parameters.map((p) => p.trim()).find((p) => p.startsWith('charset='));
  return charset === undefined || ['charset=utf-8', 'charset="utf-8"'].includes(charset);
}

/** The fields of a traffic entry present in the body (held to the config's size limits by writeFields), each checked by the config schema; the engine checks the merged flow. */
/** A flow's fields given through the API, checked as a config's are; its entries (`to`, `failover`) not the lab's own port. */
function parseFlowOverrides(flow: Record<string, unknown>, controlPort: number): Record<string, unknown> | undefined {
  const parsed = TrafficFlowPartial.safeParse(flow);
  if (!parsed.success) throw InputError.of(zodErrors(parsed.error));
  const entries: Array<[string, string | undefined]> = [['to', parsed.data.to], ...(parsed.data.failover ?? []).map((entry, i): [string, string] => [`failover[${i}]`, entry])];
  const refused = entries.flatMap(([path, entry]) => {
    const message = entry === undefined ? undefined : controlApiProblem(entry, controlPort);
    return message === undefined ? [] : [{ path, message }];
  });
  if (refused.length > 0) throw InputError.of(refused);
  return Object.keys(flow).length > 0 ? flow : undefined;
}

/** A flow named in a traffic call, if one is: a name as the config takes it, so a megabyte of text is not echoed back as an unknown flow's name. */
function flowName(value: unknown, field: string, expected: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new InputError(field, expected);
  if (value.length > LIMITS.nameLength.max) throw new InputError(field, limitMessage(LIMITS.nameLength));
  return value;
}

/**
 * A write's JSON body. A write takes its fields there, so a query parameter it would ignore is named
 * instead: `PUT /api/config?dryRun=1` must not apply the config.
 */
async function writeBody(req: IncomingMessage, url: URL): Promise<unknown> {
  const parameter = url.searchParams.keys().next().value;
  if (parameter !== undefined) throw new InputError(parameter, 'unknown parameter: this call takes its fields in a JSON body');
  return readJson(req);
}

/** The body of a write other than a config (validateConfig holds a config to these limits itself). */
async function writeFields(req: IncomingMessage, url: URL): Promise<unknown> {
  return withinSize(await writeBody(req, url));
}

/**
 * The config's size limits (values, depth) on a body before a schema walks it: a megabyte of unknown
 * keys is one error, not an error for each key (a 1 MB body was answered with 6 MB of them).
 */
function withinSize(body: unknown): unknown {
  const tooBig = typeof body === 'object' && body !== null ? sizeErrors(body) : [];
  if (tooBig.length > 0) throw InputError.of(tooBig);
  return body;
}

/**
 * A call that takes no fields (its body nothing, or `{}`) names any field it is given, and does
 * nothing: `{"node":"edge"}` sent to reset one node's counts must not reset every node's.
 */
function noFields(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('(body)', 'this call takes no body (or {})');
  const given = Object.keys(body);
  if (given.length > 0) throw InputError.of(given.map((key) => ({ path: key, message: 'unknown key: this call takes no fields' })));
}

/** `{"action":"set"}`: a running flow's new rate (open loop) or users (closed loop); `flow` names it when several run. */
const TrafficChangeBody = z
  .strictObject({
    flow: z.string().min(1).max(LIMITS.nameLength.max, limitMessage(LIMITS.nameLength)).optional(),
    rate: z.number().positive().max(100_000).optional(),
    users: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((c) => c.rate !== undefined || c.users !== undefined, {
    message: 'give rate (open loop) or users (closed loop)',
    path: ['rate'],
  });

function parseTrafficChange(fields: Record<string, unknown>): TrafficChange {
  const parsed = TrafficChangeBody.safeParse(fields);
  if (!parsed.success) throw InputError.of(zodErrors(parsed.error));
  return parsed.data;
}

/** Each balancer's live algorithm state (the picker, its next pick, its targets), by node id. */
function algorithmStates(engine: Engine): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (const node of engine.topology()) {
    if (node.kind === 'balancer') states[node.id] = { algorithm: node.algorithm, next: node.next, targets: node.targets, pickerState: node.pickerState };
  }
  return states;
}

/** `?prefix=/users/` (every stored response under it; none given: all), or `?url=/users/1` (and `host=`, empty for a request that had none) for one; nothing else. */
function purgeTarget(query: URLSearchParams): { prefix: string } | { url: string; host?: string } {
  // A misspelt parameter (`?prefx=/users/`) would otherwise leave no parameter, and purge everything.
  for (const name of query.keys()) {
    if (!PURGE_PARAMETERS.includes(name)) throw new InputError(name, `unknown parameter; give ${PURGE_PARAMETERS.join(', ')}`);
  }
  const url = singleParam(query, 'url');
  const prefix = singleParam(query, 'prefix');
  if (url !== null && prefix !== null) throw new InputError('url', 'give url or prefix, not both');
  if (url !== null) {
    if (!url.startsWith('/')) throw new InputError('url', `expected a path and query starting with /, got ${JSON.stringify(url)}`);
    const host = singleParam(query, 'host');
    return host === null ? { url } : { url, host };
  }
  if (query.has('host')) throw new InputError('host', 'give host with url (a prefix purges on every host)');
  if (prefix !== null && !prefix.startsWith('/')) throw new InputError('prefix', `expected a path prefix starting with /, got ${JSON.stringify(prefix)}`);
  return { prefix: prefix ?? '/' };
}

const PURGE_PARAMETERS = ['url', 'host', 'prefix'];

/** A query parameter given at most once: `?url=/a&url=/b` names two things, and taking one of them would purge what was not meant. */
function singleParam(query: URLSearchParams, name: string): string | null {
  const values = query.getAll(name);
  if (values.length > 1) throw new InputError(name, `given ${values.length} times; give it once`);
  return values[0] ?? null;
}

/** A percent-encoded path segment, decoded; one that is not valid UTF-8 once decoded is a 400 naming it. */
function pathSegment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InputError(field, `not a valid percent-encoded UTF-8 path segment: ${JSON.stringify(raw)}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** The running config's entity-tag as a header, when there is a config. */
function tagged(tag: string | undefined): Record<string, string> {
  return tag === undefined ? {} : { etag: tag };
}

/** GET, or HEAD: the same answer without its body (RFC 9110 section 9.3.2; node's response drops the body of a HEAD). */
function reads(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `method not allowed; use ${allow}` });
}

/**
 * Negotiate the page's coding here (RFC 9110 section 12.5.3, q-values included) and hand sirv only
 * the coding chosen: sirv's own test looks for the words `gzip` and `br` anywhere in Accept-Encoding,
 * so `br;q=0` would still get brotli. Vary is set before sirv runs so its 304s carry it too.
 */
function chooseWebEncoding(req: IncomingMessage, res: ServerResponse): void {
  const chosen = WEB_ENCODINGS.negotiate(req.headers['accept-encoding']);
  req.headers['accept-encoding'] = chosen.coding ?? 'identity';
  res.setHeader('vary', 'Accept-Encoding');
}
