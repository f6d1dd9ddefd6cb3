/** The chunked-body limit: every byte up to the limit passes, the chunk that would go past it does not, and the error says 413. */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyLimit, BodyTooLargeError } from './body-limit.ts';

/** Push `chunks` through a limit of `limit` bytes: what came out, and the error if any. */
async function through(chunks: string[], limit: number): Promise<{ out: string; error: unknown }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const error = await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), new BodyLimit(limit), sink).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out, error };
}

describe('BodyLimit', () => {
  it('passes a body of exactly the limit', async () => {
    expect(await through(['abcd', 'efghij'], 10)).toEqual({ out: 'abcdefghij', error: undefined });
  });

  it('fails at the chunk that would go past the limit, passing none of it', async () => {
    const { out, error } = await through(['abcd', 'efghijk', 'lmn'], 10);
    expect(out).toBe('abcd');
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ code: 'EDGE_BODY_TOO_LARGE', limit: 10, message: 'filter: the body goes past limits.bodyBytes 10 -> 413' });
  });

  it('takes an empty body under a limit of 0, and refuses one byte', async () => {
    expect(await through([], 0)).toEqual({ out: '', error: undefined });
    expect((await through(['x'], 0)).error).toBeInstanceOf(BodyTooLargeError);
  });
});

describe('BodyLimit on a real chunked request', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('stops the body at the limit and lets the server answer 413 before the client has finished', async () => {
    let passed = -1;
    server = createServer((req, res) => {
      const limit = new BodyLimit(8);
      pipeline(req, limit, new Writable({ write: (_c, _e, done) => done() })).catch((error: BodyTooLargeError) => {
        passed = limit.bytes;
        res.writeHead(413, { connection: 'close', 'x-edgelab-error': error.code }).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(data));
      // Two chunks of 6 bytes and no last chunk: the server must answer without waiting for the end.
      socket.write('POST / HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n');
    });
    expect(raw.slice(0, raw.indexOf('\r\n'))).toBe('HTTP/1.1 413 Payload Too Large');
    expect(raw).toContain('x-edgelab-error: EDGE_BODY_TOO_LARGE');
    expect(passed).toBe(6);
  });
});
