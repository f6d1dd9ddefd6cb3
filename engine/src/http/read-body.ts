/** Reads a small request body (a config, a fault) with a size limit, as text. */
import type { IncomingMessage } from 'node:http';
import { InputError } from '../errors.ts';

export const MAX_BODY_BYTES = 1 << 20;
/** JSON between systems is UTF-8 (RFC 8259 section 8.1): a byte that is not is refused, never read as U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new InputError('(body)', `larger than ${limit} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new InputError('(body)', `larger than ${limit} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new InputError('(body)', 'not valid UTF-8 (a JSON body is UTF-8, RFC 8259)');
  }
}

/** Parse a JSON body, or say where it is broken. An empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError('(body)', `invalid JSON: ${(error as Error).message}`);
  }
}
