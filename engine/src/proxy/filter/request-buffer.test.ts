/** Request buffering on a real HTTP server: what bufferBody gives back for bodies sent in many shapes over a real socket. */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferBody, type BufferedBody } from './request-buffer.ts';

let server: Server;
let limit = 0;
let outcomes: BufferedBody[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void bufferBody(req, limit).then((outcome) => {
      outcomes.push(outcome);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Send a POST whose body goes as `pieces` (chunked, each its own chunk, written one by one), then wait for the outcome. */
async function send(pieces: Buffer[], options: { announced?: boolean; leave?: boolean } = {}): Promise<BufferedBody> {
  outcomes = [];
  const socket = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1' });
  socket.on('error', () => {});
  const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const framing = options.announced ? `Content-Length: ${total}` : 'Transfer-Encoding: chunked';
  socket.write(`POST / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n${framing}\r\n\r\n`);
  for (const piece of pieces) {
    if (options.announced) socket.write(piece);
    else socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  // Leaving: the client closes its side with the body unfinished (every byte written goes first).
  if (options.leave) socket.end();
  else socket.write(options.announced ? '' : '0\r\n\r\n');
  while (outcomes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  socket.destroy();
  return outcomes[0];
}

const split = (body: Buffer, sizes: () => number): Buffer[] => {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const next = Math.min(body.length, at + sizes());
    pieces.push(body.subarray(at, next));
    at = next;
  }
  return pieces;
};

describe('bufferBody', () => {
  it.each([
    ['5,000 one-byte chunks', 5_000, () => 1],
    [
      '100 KB in chunks of 1 to 3,000 bytes (past the first 16 KB buffer, grown several times)',
      100_000,
      () => 1 + Math.floor(Math.random() * 3_000),
    ],
    ['a body of exactly the limit', 64_000, () => 64_000],
  ])('gives back the whole body, byte for byte: %s', async (_what, bytes, sizes) => {
    limit = Math.max(bytes, 64_000);
    const body = randomBytes(bytes);
    const outcome = await send(split(body, sizes));
    expect('body' in outcome && outcome.body.equals(body)).toBe(true);
  });

  it('gives back a body announced by Content-Length, in any pieces', async () => {
    limit = 10_000;
    const body = randomBytes(9_999);
    const outcome = await send(
      split(body, () => 700),
      { announced: true },
    );
    expect('body' in outcome && outcome.body.equals(body)).toBe(true);
  });

  it('stops at the first chunk past the limit and says how many bytes had come', async () => {
    limit = 10;
    expect(await send([Buffer.from('12345678'), Buffer.from('12345678'), Buffer.from('more')])).toEqual({ tooLarge: 16 });
  });

  it('says the body broke off when the client leaves before it ends', async () => {
    limit = 1_000;
    expect(await send([Buffer.from('hello')], { leave: true })).toEqual({ broken: true });
  });
});
