/**
 * The whole-body encoder on real sockets: a server codes its answer through the encoder
 * `bodyEncoderFor` picks, and a client decodes it with zlib and compares.
 */
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBody, fetchRaw, howItEnds } from '../../testing/coded-response.ts';
import { BodyEncoder, DEFAULT_ENCODER_LEVELS, newCompressionTally } from './encoder.ts';
import { bodyEncoderFor, WHOLE_BODY_MAX_BYTES, WholeBodyEncoder } from './whole-body-encoder.ts';
import type { ContentCoding } from './codings.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server whose every answer is `body` sent in `parts` chunks through the encoder for `declared` length. */
async function coder(coding: ContentCoding, body: Buffer, declared: number | undefined, parts = 1) {
  const tally = newCompressionTally();
  const encoders: Array<BodyEncoder | WholeBodyEncoder> = [];
  const responses: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
    const encoder = bodyEncoderFor(res, coding, DEFAULT_ENCODER_LEVELS, tally, declared);
    encoders.push(encoder);
    responses.push(res);
    const size = Math.ceil(body.length / parts);
    for (let at = 0; at < body.length; at += size) encoder.write(body.subarray(at, at + size));
    if (parts > 0) encoder.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, tally, encoders, responses };
}

/** A JSON text of exactly `bytes` bytes (cut short: the encoders do not parse it). */
function jsonBody(bytes: number): Buffer {
  const records = Array.from({ length: Math.ceil(bytes / 20) }, (_, i) => ({ id: i, name: `user-${i}`, score: (i * 7919) % 1000 }));
  const body = Buffer.from(JSON.stringify(records)).subarray(0, bytes);
  expect(body.length).toBe(bytes);
  return body;
}

describe('bodyEncoderFor', () => {
  it.each([
    [WHOLE_BODY_MAX_BYTES, WholeBodyEncoder],
    [WHOLE_BODY_MAX_BYTES + 1, BodyEncoder],
    [undefined, BodyEncoder],
  ])('a declared length of %s: %o, and the client decodes the body', async (declared, kind) => {
    const body = jsonBody(declared ?? 2048);
    const server = await coder('gzip', body, declared, 2);
    const received = await fetchRaw(server.url, {});
    expect(server.encoders[0]).toBeInstanceOf(kind);
    expect(decodeBody(received).equals(body)).toBe(true);
  });
});

describe('a body coded whole', () => {
  it.each(['gzip', 'br'] as const)('%s, sent in parts: decodes to the body, counted in and out', async (coding) => {
    const body = jsonBody(2048);
    const server = await coder(coding, body, body.length, 3);
    const received = await fetchRaw(server.url, {});
    expect(received.headers['content-encoding']).toBe(coding);
    expect(decodeBody(received).equals(body)).toBe(true);
    expect(received.raw.length).toBeLessThan(body.length / 2);
    const [encoder] = server.encoders;
    expect(encoder).toBeInstanceOf(WholeBodyEncoder);
    expect([encoder.bytesIn, encoder.bytesOut, encoder.closed, encoder.failure]).toEqual([body.length, received.raw.length, true, undefined]);
    expect(server.tally).toEqual({ responses: 1, bytesIn: body.length, bytesOut: received.raw.length, failures: 0 });
  });

  it('more bytes than it may hold: the answer is cut and counted as a failure, nothing is coded', async () => {
    const body = jsonBody(WHOLE_BODY_MAX_BYTES + 100);
    // Declared small (a lying head): the writer hands over more than the encoder holds.
    const server = await coder('gzip', body, 1024, 4);
    expect(await howItEnds(server.url)).toBe('aborted');
    expect(server.encoders[0].failure).toBe('EDGE_COMPRESSION_FAILED');
    expect(server.tally.failures).toBe(1);
    expect(server.tally.bytesOut).toBe(0);
  });

  it('abandoned (the upstream failed mid-body): the answer is cut, not counted as a failure', async () => {
    const body = jsonBody(2048);
    const server = await coder('br', body.subarray(0, 1000), body.length, 0);
    const cut = howItEnds(server.url);
    await until(() => server.encoders.length === 1);
    server.encoders[0].write(body.subarray(0, 1000));
    server.encoders[0].abandon();
    expect(await cut).toBe('aborted');
    expect([server.encoders[0].closed, server.encoders[0].failure, server.tally.failures]).toEqual([true, undefined, 0]);
  });

  it('the client gone before the body ended: nothing is coded or counted as a failure', async () => {
    const body = jsonBody(2048);
    const server = await coder('gzip', body, body.length, 0);
    await new Promise<void>((resolve) => {
      const req = request(server.url, () => undefined);
      req.on('error', () => resolve());
      req.end();
      void until(() => server.responses.length === 1).then(() => {
        req.destroy();
        server.responses[0].once('close', () => resolve());
      });
    });
    const [encoder] = server.encoders;
    encoder.write(body);
    encoder.end();
    expect([encoder.closed, encoder.failure, encoder.bytesOut, server.tally.failures]).toEqual([true, undefined, 0, 0]);
  });
});

/** Resolve once `done()` holds (checked every few milliseconds; the test's own timeout bounds it). */
function until(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setTimeout(check, 5));
    check();
  });
}
