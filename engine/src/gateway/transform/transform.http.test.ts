/**
 * Transforms on real sockets, wired the way a gateway node uses the API: the request body edited
 * before forwarding (undici refuses to send a body whose Content-Length is wrong), the request
 * headers and query edited after the hop rules, the response body and headers edited on the way back.
 * What the upstream and the client receive is checked byte for byte.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransformConfig } from '../../config/gateway/transform.ts';
import { LIMITS } from '../../config/limits.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../../pipeline/headers.ts';
import { describeTransform } from './notes.ts';
import { withQuery } from './query-edits.ts';
import { TemplateScope } from './template.ts';
import { compileTransform } from './transform.ts';

const started: Server[] = [];
const agent = new Agent({ keepAliveTimeout: 10 });

afterEach(async () => {
  await Promise.all(
    started.splice(0).map((server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))),
  );
});

async function listen(server: Server): Promise<string> {
  started.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** An upstream that records each request and answers with `answer`. */
async function upstream(answer: { status?: number; headers: Record<string, string>; body: Buffer | string }) {
  const received: Received[] = [];
  const url = await listen(
    createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answer.status ?? 200, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
    }),
  );
  return { url, received };
}

/** A gateway with one route: `transform`, to `to`. Each request's reasons land in `reasons`. */
async function gateway(config: TransformConfig, to: string) {
  const transform = compileTransform(config)!;
  const reasons: string[] = [];
  const url = await listen(createServer((req, res) => void forward(req, res).catch(() => res.destroy())));
  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url!;
    const q = target.indexOf('?');
    const scope = new TemplateScope({
      method: req.method!,
      path: q === -1 ? target : target.slice(0, q),
      search: q === -1 ? '' : target.slice(q + 1),
      headers: req.headers,
      consumer: { name: 'mobile' },
    });
    const requestNotes: string[] = [];
    const body = transform.request?.body ? (await transform.request.body.run(req, req.headers, scope, requestNotes)).body : req;
    const headers = upstreamRequestHeaders(req.headers, {
      nodeId: 'api',
      httpVersion: '1.1',
      peer: '127.0.0.1',
      forwardedBy: 'api',
      requestId: 'r1',
      trustedHop: false,
    });
    delete headers.host;
    const query = transform.request?.apply(headers, scope, requestNotes);
    reasons.push(describeTransform(requestNotes));
    const answer = await request(`${to}${query === undefined ? target : withQuery(target, query)}`, {
      method: req.method as 'POST',
      headers,
      body: req.method === 'GET' ? undefined : body instanceof Buffer ? body : Readable.from(body),
      dispatcher: agent,
    });
    const responseNotes: string[] = [];
    const back = downstreamResponseHeaders(answer.headers, { nodeId: 'api', requestId: 'r1' }, answer.statusCode);
    const out = transform.response?.body
      ? (await transform.response.body.run(answer.body, back as Record<string, string>, scope, responseNotes, answer.statusCode)).body
      : answer.body;
    transform.response?.apply(back as Record<string, string>, scope, responseNotes);
    reasons.push(describeTransform(responseNotes));
    res.writeHead(answer.statusCode, back);
    if (Buffer.isBuffer(out)) res.end(out);
    else Readable.from(out).pipe(res);
  }
  return { url, reasons };
}

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: Readable } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body, dispatcher: agent });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('a transform between a real client and a real upstream', () => {
  it('edits a chunked request body, its headers and query, and the JSON response, every Content-Length right', async () => {
    const upstreamBody = JSON.stringify({ user_id: 7, secret: 'x', name: 'Ann' });
    const up = await upstream({ headers: { 'content-type': 'application/json', etag: '"v1"', 'x-internal': 'yes' }, body: upstreamBody });
    const gw = await gateway(
      {
        request: {
          headers: { set: { 'x-consumer': '{consumer.name}' }, remove: ['x-debug'] },
          query: { remove: ['debug'], set: { by: '{consumer.name}' } },
          body: { rename: { user_id: 'userId' }, set: { 'meta.by': '{consumer.name}' } },
        },
        response: {
          headers: { remove: ['x-internal'], add: { 'x-transformed': 'yes' } },
          body: { remove: ['secret'], rename: { user_id: 'userId' } },
        },
      },
      up.url,
    );
    async function* chunked() {
      yield Buffer.from('{"user_id":');
      yield Buffer.from('7,"name":"Ann"}');
    }
    const res = await send(`${gw.url}/users/7?debug=1&keep=a+b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-debug': '1', 'x-consumer': 'forged' },
      body: Readable.from(chunked()),
    });

    const [got] = up.received;
    expect(got.url).toBe('/users/7?keep=a+b&by=mobile');
    expect(JSON.parse(got.body.toString())).toEqual({ userId: 7, name: 'Ann', meta: { by: 'mobile' } });
    expect(got.headers['content-length']).toBe(String(got.body.length));
    expect(got.headers['transfer-encoding']).toBeUndefined();
    expect(got.headers['x-consumer']).toBe('mobile');
    expect(got.headers['x-debug']).toBeUndefined();

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ userId: 7, name: 'Ann' });
    expect(res.headers['content-length']).toBe(String(res.body.length));
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-internal']).toBeUndefined();
    expect(res.headers['x-transformed']).toBe('yes');
    expect(gw.reasons).toEqual([
      'transform: renamed body user_id -> userId; set body meta.by = "mobile"; removed x-debug; set x-consumer: mobile; removed query debug; set query by=mobile',
      'transform: removed body secret; renamed body user_id -> userId; removed x-internal; added x-transformed: yes',
    ]);
  });

  it('streams a response larger than the buffer on unchanged, byte for byte, with its own Content-Length and ETag', async () => {
    const big = JSON.stringify({ secret: 1, pad: 'x'.repeat(LIMITS.jsonBody.max) });
    const up = await upstream({ headers: { 'content-type': 'application/json', etag: '"big"' }, body: big });
    const gw = await gateway({ response: { body: { remove: ['secret'] } } }, up.url);
    const res = await send(`${gw.url}/big`);
    expect(res.status).toBe(200);
    expect(sha(res.body)).toBe(sha(big));
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(big)));
    expect(res.headers.etag).toBe('"big"');
    expect(gw.reasons[1]).toBe(`transform: body passed unchanged: larger than ${LIMITS.jsonBody.max} bytes, the most the gateway buffers`);
  });

  it('passes a body that is not JSON on unchanged, and still edits the headers', async () => {
    const up = await upstream({ headers: { 'content-type': 'text/html', server: 'up' }, body: '<h1>secret</h1>' });
    const gw = await gateway({ response: { body: { remove: ['secret'] }, headers: { remove: ['server'] } } }, up.url);
    const res = await send(`${gw.url}/page`);
    expect(res.body.toString()).toBe('<h1>secret</h1>');
    expect(res.headers.server).toBeUndefined();
    expect(gw.reasons[1]).toBe('transform: body passed unchanged: not JSON (text/html); removed server');
  });
});
