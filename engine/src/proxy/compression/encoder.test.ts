/**
 * Round trips on real sockets: an origin, a front server that uses the unit as the proxy will (decide
 * on the headers, then stream the body through a BodyEncoder), and a client that decodes with zlib and
 * compares with what the origin sent.
 */
import { createServer, request, type OutgoingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBody, fetchRaw, howItEnds } from '../../testing/coded-response.ts';
import { rawUpstream, type RawUpstream } from '../../testing/harness.ts';
import { BodyEncoder, newCompressionTally, type CompressionTally } from './encoder.ts';
import { CompressionPolicy } from './policy.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A JSON body that compresses well but not trivially: `count` records. */
function jsonBody(count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ id: i, name: `user-${i}`, email: `user${i}@example.test`, score: (i * 7919) % 1000 }));
  return Buffer.from(JSON.stringify(records));
}

interface Front {
  port: number;
  tally: CompressionTally;
  /** The encoders the front made, and the zlib streams inside them (so a test can fail one). */
  encoders: BodyEncoder[];
  zlibStreams: Readable[];
}

/** The origin's handler, and a front that forwards to it through the compression unit. */
async function chain(origin: RequestListener, policy = new CompressionPolicy()): Promise<Front> {
  const upstream: RawUpstream = await rawUpstream(origin);
  cleanups.push(() => upstream.close());
  const tally = newCompressionTally();
  const encoders: BodyEncoder[] = [];
  const zlibStreams: Readable[] = [];
  const server: Server = createServer((req, res) => {
    const forward = request({ host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const headers: OutgoingHttpHeaders = { ...answer.headers };
      delete headers['transfer-encoding'];
      delete headers.connection;
      const status = answer.statusCode ?? 502;
      const decision = policy.decide(req.method ?? 'GET', req.headers['accept-encoding'], status, headers);
      res.writeHead(status, headers);
      if (decision.outcome !== 'compress' || decision.coding === undefined) {
        answer.pipe(res);
        return;
      }
      res.once('pipe', (source: Readable) => zlibStreams.push(source));
      const encoder = new BodyEncoder(res, decision.coding, policy.levels, tally, decision.length);
      encoders.push(encoder);
      answer.on('data', (chunk: Buffer) => {
        if (!encoder.write(chunk)) {
          answer.pause();
          encoder.onDrain(() => answer.resume());
        }
      });
      answer.on('end', () => encoder.end());
    });
    forward.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as { port: number }).port, tally, encoders, zlibStreams };
}

/** The front's URL for `path`. */
const at = (port: number, path = '/') => `http://127.0.0.1:${port}${path}`;

describe('compressed round trips', () => {
  it.each(['gzip', 'br'] as const)('%s, with a Content-Length: decodes to the origin body, smaller, chunked, counted', async (coding) => {
    const body = jsonBody(2_000);
    const front = await chain((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, etag: '"abc"' });
      res.end(body);
    });
    const received = await fetchRaw(at(front.port), { 'accept-encoding': coding });
    expect(received.headers).toMatchObject({ 'content-encoding': coding, 'transfer-encoding': 'chunked', vary: 'Accept-Encoding', etag: 'W/"abc"' });
    expect(received.headers['content-length']).toBeUndefined();
    expect(decodeBody(received).equals(body)).toBe(true);
    expect(received.raw.length).toBeLessThan(body.length / 4);
    expect(front.tally).toEqual({ responses: 1, bytesIn: body.length, bytesOut: received.raw.length, failures: 0 });
    const [encoder] = front.encoders;
    expect([encoder.coding, encoder.bytesIn, encoder.bytesOut]).toEqual([coding, body.length, received.raw.length]);
  });

  it.each(['gzip', 'br'] as const)('%s, a small body with its length (gzip sizes its window to it): decodes to the origin body', async (coding) => {
    const body = jsonBody(30);
    expect(body.length).toBeGreaterThan(1024);
    const front = await chain((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
    const received = await fetchRaw(at(front.port), { 'accept-encoding': coding });
    expect(received.headers['content-encoding']).toBe(coding);
    expect(decodeBody(received).equals(body)).toBe(true);
    expect(received.raw.length).toBeLessThan(body.length);
  });

  it.each(['gzip', 'br'] as const)('%s, streamed without a length: each part reaches the client before the origin sends the next', async (coding) => {
    const parts = ['data: first event\n\n', 'data: second event\n\n', 'data: last event\n\n'];
    // The origin sends the next part only once the client has decoded the previous one: without a
    // flush per chunk the first part would sit in the compressor and the test would never end.
    const decodedSoFar: string[] = [];
    const front = await chain(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const part of parts) {
        res.write(part);
        const expected = parts.slice(0, parts.indexOf(part) + 1).join('');
        await until(() => decodedSoFar.join('') === expected);
      }
      res.end();
    });
    const decoded = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: front.port, path: '/', headers: { 'accept-encoding': coding }, agent: false }, (res) => {
        expect(res.headers['content-encoding']).toBe(coding);
        const decoder = coding === 'br' ? zlib.createBrotliDecompress() : zlib.createGunzip();
        decoder.on('data', (chunk: Buffer) => decodedSoFar.push(chunk.toString()));
        decoder.on('end', () => resolve(decodedSoFar.join('')));
        decoder.on('error', reject);
        res.pipe(decoder);
      });
      req.on('error', reject);
      req.end();
    });
    expect(decoded).toBe(parts.join(''));
  });

  it('a body of several megabytes goes through with backpressure intact', async () => {
    const body = jsonBody(60_000);
    const front = await chain((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const received = await fetchRaw(at(front.port), { 'accept-encoding': 'gzip' });
    expect(body.length).toBeGreaterThan(3_000_000);
    expect(decodeBody(received).equals(body)).toBe(true);
  });
});

describe('answers that go as is', () => {
  const body = jsonBody(200);
  const send =
    (headers: OutgoingHttpHeaders, status = 200, payload: Buffer | undefined = body): RequestListener =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload);
    };

  it('HEAD: no coding, no body, Vary as the GET has', async () => {
    const front = await chain(send({ 'content-length': body.length }, 200, undefined));
    const received = await fetchRaw(at(front.port), { 'accept-encoding': 'gzip, br' }, 'HEAD');
    expect(received.headers['content-encoding']).toBeUndefined();
    expect(received.headers.vary).toBe('Accept-Encoding');
    expect(received.headers['content-length']).toBe(String(body.length));
    expect(received.raw.length).toBe(0);
    expect(front.tally.responses).toBe(0);
  });

  it('304: no coding, no body, the ETag weak as the compressed 200', async () => {
    const front = await chain(send({ etag: '"abc"' }, 304, undefined));
    const received = await fetchRaw(at(front.port), { 'accept-encoding': 'br', 'if-none-match': 'W/"abc"' });
    expect(received.status).toBe(304);
    expect(received.headers['content-encoding']).toBeUndefined();
    expect(received.headers.etag).toBe('W/"abc"');
    expect(received.raw.length).toBe(0);
  });

  it('Cache-Control: no-transform: the bytes the origin sent', async () => {
    const front = await chain(send({ 'content-length': body.length, 'cache-control': 'no-transform' }));
    const received = await fetchRaw(at(front.port), { 'accept-encoding': 'gzip, br' });
    expect(received.headers['content-encoding']).toBeUndefined();
    expect(received.headers.vary).toBeUndefined();
    expect(received.raw.equals(body)).toBe(true);
  });

  it('already encoded: passed on once, never compressed twice', async () => {
    const encoded = zlib.gzipSync(body);
    const front = await chain(send({ 'content-encoding': 'gzip', 'content-length': encoded.length }, 200, encoded));
    const received = await fetchRaw(at(front.port), { 'accept-encoding': 'gzip, br' });
    expect(received.headers['content-encoding']).toBe('gzip');
    expect(received.raw.equals(encoded)).toBe(true);
    expect(decodeBody(received).equals(body)).toBe(true);
  });

  it('a client that sends no Accept-Encoding gets identity, with Vary', async () => {
    const front = await chain(send({ 'content-length': body.length }));
    const received = await fetchRaw(at(front.port), {});
    expect(received.headers['content-encoding']).toBeUndefined();
    expect(received.headers.vary).toBe('Accept-Encoding');
    expect(received.raw.equals(body)).toBe(true);
  });
});

describe('failures', () => {
  it('a zlib error cuts that response only: the client sees an aborted body, the server goes on', async () => {
    const front = await chain((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // The first body never ends: the test fails its encoder meanwhile.
      if (req.url === '/next') res.end('next');
      else res.write('x'.repeat(4096));
    });
    const outcome = await readUntilCut(front.port, () => front.zlibStreams[0].destroy(Object.assign(new Error('zlib failed'), { code: 'Z_DATA_ERROR' })));
    expect(outcome).toBe('aborted');
    await until(() => front.tally.failures === 1);
    expect(front.encoders[0].failure).toBe('EDGE_COMPRESSION_FAILED');
    const next = await fetchRaw(at(front.port, '/next'), { 'accept-encoding': 'gzip' });
    expect(decodeBody(next).toString()).toBe('next');
  });

  it('the client leaving mid-body frees the encoder and is not counted as a failure', async () => {
    const front = await chain((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('y'.repeat(4096));
    });
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: front.port, path: '/', headers: { 'accept-encoding': 'br' }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await until(() => front.encoders[0]?.closed === true);
    expect(front.tally.failures).toBe(0);
    expect(front.encoders[0].failure).toBeUndefined();
  });

  it('the upstream failing mid-body: abandon cuts the response, not counted as the encoder failing', async () => {
    const front = await chain((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('z'.repeat(4096));
    });
    const outcome = await readUntilCut(front.port, () => front.encoders[0].abandon());
    expect(outcome).toBe('aborted');
    await until(() => front.encoders[0].closed);
    expect(front.tally.failures).toBe(0);
    expect(front.encoders[0].failure).toBeUndefined();
  });
});

/** A gzip request whose first body bytes call `cut`: resolves to how the response ended for the client. */
function readUntilCut(port: number, cut: () => void): Promise<'aborted' | 'ended'> {
  return howItEnds(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'gzip' }, onFirstData: cut });
}

/** Resolve once `done()` holds (checked every few milliseconds; the test's own timeout bounds it). */
function until(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setTimeout(check, 5));
    check();
  });
}
