/**
 * A compressing proxy in the real engine: a client that reads the raw bytes (no fetch: it would decode
 * them), the proxy node with `compression:` (and `cache:` where said), and a scripted origin, on real
 * sockets. Each coded body is decoded with node:zlib and compared with the origin's bytes; what must go
 * as is is compared byte for byte, with its headers. The trace's sentence, `request.completed`'s bytes
 * and the topology's totals are checked against the bytes on the wire.
 */
import { randomBytes } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf } from '../events.ts';
import { decodeBody, fetchRaw, type RawBodyResponse } from '../testing/coded-response.ts';
import { rawUpstream, startEngine, waitFor, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

let running: RunningEngine | undefined;
let origin: RawUpstream | undefined;

afterEach(async () => {
  await running?.stop();
  await origin?.close();
  running = origin = undefined;
});

type Script = (req: IncomingMessage, res: ServerResponse) => void;

async function start(script: Script, proxy: Record<string, unknown> = { compression: true }): Promise<RunningEngine> {
  origin = await rawUpstream(script);
  running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: 0, to: origin.url, ...proxy }] });
  return running;
}

/** A JSON body that compresses well but not trivially: `count` records. */
function jsonBody(count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ id: i, name: `user-${i}`, email: `user${i}@example.test`, score: (i * 7919) % 1000 }));
  return Buffer.from(JSON.stringify(records));
}

const BODY = jsonBody(500);

/** An origin that answers every request with `headers` and `body` (none to HEAD), its length declared. */
function answering(headers: Record<string, string>, body: Buffer = BODY, status = 200): Script {
  return (req, res) => {
    res.writeHead(status, { 'content-length': body.length, ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

const get = (path: string, headers: Record<string, string>, method = 'GET') => fetchRaw(running!.url('edge', path), headers, method);

/** The `request.completed` of the proxy's answer to the nth request (0-based). */
async function completion(n: number): Promise<EventOf<'request.completed'>> {
  return waitFor(() => running!.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed')[n], 5_000, `request ${n} completed`);
}

describe('a compressing proxy', () => {
  it.each(['gzip', 'br'] as const)('%s: the decoded body is the origin body; Vary added, no Content-Length, ETag weakened, counted', async (coding) => {
    await start(answering({ 'content-type': 'application/json', etag: '"v1"' }));
    const received = await get('/users', { 'accept-encoding': coding });
    expect(received.headers).toMatchObject({ 'content-encoding': coding, vary: 'Accept-Encoding', etag: 'W/"v1"', 'transfer-encoding': 'chunked' });
    expect(received.headers['content-length']).toBeUndefined();
    expect(decodeBody(received).equals(BODY)).toBe(true);
    expect(received.raw.length).toBeLessThan(BODY.length / 3);

    const done = await completion(0);
    expect(done.compression).toEqual({ coding, bytesIn: BODY.length, bytesOut: received.raw.length });
    expect(done.stages?.map((s) => [s.stage, s.verdict])).toEqual([
      ['forward', 'forward'],
      ['compression', 'continue'],
    ]);
    expect(done.stages?.[1].reason).toBe(`compression: ${coding} (q=1) for application/json, ${Math.round((BODY.length / 1024) * 10) / 10} KB -> compressing`);
    expect(running!.engine.topology()[0].compression).toEqual({
      responses: 1,
      bytesIn: BODY.length,
      bytesOut: received.raw.length,
      saved: BODY.length - received.raw.length,
      failures: 0,
    });
  });

  it.each([
    ['br refused with q=0', 'br;q=0, gzip', 'gzip'],
    ['the higher weight wins', 'gzip;q=0.5, br;q=0.8', 'br'],
    ['a tie goes to the server order (br first)', 'gzip, br', 'br'],
    ['* stands for br', 'gzip;q=0.2, *', 'br'],
    ['identity weighed above both', 'identity, gzip;q=0.5, br;q=0.5', undefined],
    ['identity only', 'identity', undefined],
    ['an empty header', '', undefined],
  ])('negotiates from q-values: %s', async (_name, acceptEncoding, coding) => {
    await start(answering({ 'content-type': 'text/html; charset=utf-8' }));
    const received = await get('/', { 'accept-encoding': acceptEncoding });
    expect(received.headers['content-encoding']).toBe(coding);
    expect(received.headers.vary).toBe('Accept-Encoding');
    if (coding === undefined) {
      expect(received.headers['content-length']).toBe(String(BODY.length));
      expect(received.raw.equals(BODY)).toBe(true);
    } else expect(decodeBody(received).equals(BODY)).toBe(true);
  });

  it.each<[string, Record<string, string>, Buffer, number, string | undefined, string]>([
    ['a body under minSize', { 'content-type': 'application/json' }, Buffer.from('{"small":true}'), 200, undefined, 'compression: application/json 14 B under minSize 1 KB -> as is'],
    ['an image/png', { 'content-type': 'image/png' }, BODY, 200, undefined, 'compression: image/png is not a compressible type -> as is'],
    ['no-transform', { 'content-type': 'text/plain', 'cache-control': 'no-transform' }, BODY, 200, undefined, 'compression: Cache-Control: no-transform -> as is'],
    ['a 206', { 'content-type': 'text/plain', 'content-range': `bytes 0-${BODY.length - 1}/${BODY.length * 2}` }, BODY, 206, undefined, 'compression: 206 partial content counts identity bytes -> as is'],
    ['an upstream gzip (not coded twice)', { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'Accept-Encoding' }, zlib.gzipSync(BODY), 200, 'Accept-Encoding', 'compression: already encoded (gzip) -> as is'],
  ])('sends %s as the origin sent it', async (_name, headers, body, status, vary, reason) => {
    await start(answering(headers, body, status));
    const received = await get('/', { 'accept-encoding': 'br, gzip' });
    expect(received.status).toBe(status);
    expect(received.raw.equals(body)).toBe(true);
    expect(received.headers['content-length']).toBe(String(body.length));
    expect(received.headers['content-encoding']).toBe(headers['content-encoding']);
    expect(received.headers.vary).toBe(vary);
    const done = await completion(0);
    expect(done.compression).toBeUndefined();
    expect(done.stages?.find((s) => s.stage === 'compression')?.reason).toBe(reason);
    expect(running!.engine.topology()[0].compression).toMatchObject({ responses: 0, bytesIn: 0, bytesOut: 0, saved: 0 });
  });

  it('leaves HEAD and 304 without a body as they are, with the Vary a GET would carry', async () => {
    await start((req, res) => {
      if (req.headers['if-none-match'] === 'W/"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        return res.end();
      }
      answering({ 'content-type': 'text/plain', etag: '"v1"' })(req, res);
    });
    const head = await get('/', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect([head.status, head.headers['content-encoding'], head.headers['content-length'], head.headers.vary, head.raw.length]).toEqual([
      200,
      undefined,
      String(BODY.length),
      'Accept-Encoding',
      0,
    ]);
    // The client revalidates the weak ETag its gzip 200 carried; the origin compares weakly.
    const notModified = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': 'W/"v1"' });
    expect([notModified.status, notModified.headers['content-encoding'], notModified.headers.etag, notModified.headers.vary, notModified.raw.length]).toEqual([
      304,
      undefined,
      'W/"v1"',
      'Accept-Encoding',
      0,
    ]);
    expect((await completion(1)).stages?.find((s) => s.stage === 'compression')?.reason).toBe(
      'compression: 304 has no body -> as is, ETag weakened as the gzip 200\'s (Vary: Accept-Encoding)',
    );
  });

  it('compresses a cache HIT on its way out, while the cache keeps the identity response', async () => {
    await start(answering({ 'content-type': 'application/json', 'cache-control': 'max-age=60' }), { compression: true, cache: {} });
    const miss = await get('/c', { 'accept-encoding': 'br' });
    expect([miss.headers['x-cache'], miss.headers['content-encoding']]).toEqual(['MISS', 'br']);
    expect(decodeBody(miss).equals(BODY)).toBe(true);
    const hit = await get('/c', { 'accept-encoding': 'gzip' });
    expect([hit.headers['x-cache'], hit.headers['content-encoding'], hit.headers.vary]).toEqual(['HIT', 'gzip', 'Accept-Encoding']);
    expect(decodeBody(hit).equals(BODY)).toBe(true);
    // The stored response is the identity one: a client that takes no coding gets the origin's bytes.
    const plain = await get('/c', {});
    expect([plain.headers['x-cache'], plain.headers['content-encoding'], plain.headers['content-length']]).toEqual(['HIT', undefined, String(BODY.length)]);
    expect(plain.raw.equals(BODY)).toBe(true);
    expect(origin!.received).toHaveLength(1);
    expect(running!.engine.topology()[0].cache?.items[0].size).toBeGreaterThanOrEqual(BODY.length);

    const served = await completion(1);
    expect(served.stages?.map((s) => [s.stage, s.verdict])).toEqual([
      ['cache', 'answer'],
      ['compression', 'continue'],
    ]);
    expect(served.compression).toEqual({ coding: 'gzip', bytesIn: BODY.length, bytesOut: hit.raw.length });
  });

  it('without compression: the body as the origin sent it, no step, nothing in the event or the topology', async () => {
    await start(answering({ 'content-type': 'application/json' }), {});
    const received = await get('/', { 'accept-encoding': 'br, gzip' });
    expect([received.headers['content-encoding'], received.headers.vary, received.raw.equals(BODY)]).toEqual([undefined, undefined, true]);
    const done = await completion(0);
    expect([done.compression, done.stages?.map((s) => s.stage)]).toEqual([undefined, ['forward']]);
    expect(running!.engine.topology()[0].compression).toBeUndefined();
  });

  it('streams a large body through the coder at the pace of a slow reader (the origin waits), and it decodes whole', async () => {
    // Random base64 compresses to about 3/4: what the client does not read piles up at the origin, not in the proxy.
    const body = Buffer.from(randomBytes(12 * 1024 * 1024).toString('base64'));
    const CHUNK = 64 * 1024;
    let sent = 0;
    await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = (): void => {
        while (sent < body.length) {
          const chunk = body.subarray(sent, sent + CHUNK);
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    let sentWhileUnread = 0;
    const received = await new Promise<RawBodyResponse>((resolve, reject) => {
      const req = request(running!.url('edge', '/big'), { headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
        res.pause();
        // Nothing read: the origin stops sending once the buffers between are full.
        void waitForStall(() => sent).then(() => {
          sentWhileUnread = sent;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
          res.resume();
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(sentWhileUnread).toBeLessThan(body.length);
    expect(received.headers['content-encoding']).toBe('gzip');
    expect(decodeBody(received).equals(body)).toBe(true);
    expect((await completion(0)).compression).toEqual({ coding: 'gzip', bytesIn: body.length, bytesOut: received.raw.length });
  });
});

/** Resolves once `progress` has stayed the same for 300 ms running (checked every 50 ms). */
function waitForStall(progress: () => number): Promise<void> {
  return new Promise((resolve) => {
    let last = -1;
    let still = 0;
    const check = (): void => {
      const now = progress();
      still = now === last ? still + 1 : 0;
      last = now;
      if (still >= 6) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}
