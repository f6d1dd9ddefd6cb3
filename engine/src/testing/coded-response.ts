/**
 * A test client for coded responses: fetch would decode the body, so this reads the bytes as they came
 * (after the chunked framing, before any content coding), and `decodeBody` decodes them with node:zlib,
 * for comparing with what the origin sent.
 */
import { request, type IncomingMessage } from 'node:http';
import zlib from 'node:zlib';

export interface RawBodyResponse {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body's bytes on the wire, after the chunked framing. */
  raw: Buffer;
}

/** One request on a connection of its own; the response's bytes as they came. */
export function fetchRaw(url: string, headers: Record<string, string>, method = 'GET'): Promise<RawBodyResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The body decoded by its Content-Encoding (br or gzip); throws when it has neither. */
export function decodeBody(received: RawBodyResponse): Buffer {
  const coding = received.headers['content-encoding'];
  if (coding === 'br') return zlib.brotliDecompressSync(received.raw);
  if (coding === 'gzip') return zlib.gunzipSync(received.raw);
  throw new Error(`not coded: ${coding}`);
}

/**
 * A GET of `url` (with `headers`) on a connection of its own: resolves to how its response ended for
 * the client, `ended` whole or `aborted` (cut, or refused before a response). `onFirstData` runs on the
 * first body bytes (a test cuts the response there).
 */
export function howItEnds(url: string, options: { headers?: Record<string, string>; onFirstData?: () => void } = {}): Promise<'aborted' | 'ended'> {
  return new Promise((resolve) => {
    const req = request(url, { headers: options.headers, agent: false }, (res) => {
      if (options.onFirstData) res.once('data', options.onFirstData);
      res.resume();
      res.on('aborted', () => resolve('aborted'));
      res.on('error', () => resolve('aborted'));
      res.on('end', () => resolve('ended'));
    });
    req.on('error', () => resolve('aborted'));
    req.end();
  });
}
