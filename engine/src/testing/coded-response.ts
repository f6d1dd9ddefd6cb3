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
