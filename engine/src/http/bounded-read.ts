/**
 * Reads a body whole up to a limit, without losing what it read when the body is longer: the gateway's
 * JSON transforms and aggregates, and a proxy cache's background refresh, buffer bodies this way.
 */
export type BoundedRead = { whole: Buffer; rest?: undefined } | { whole?: undefined; rest: AsyncIterable<Uint8Array> };

/**
 * The whole body when it is at most `limit` bytes; otherwise the body as it came (what was read,
 * then the rest, still streaming), so nothing is lost. Rejects only when the source fails.
 */
export async function readUpTo(source: AsyncIterable<Uint8Array>, limit: number): Promise<BoundedRead> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { whole: Buffer.concat(chunks, size) };
    chunks.push(next.value);
    size += next.value.length;
    if (size > limit) return { rest: replay(chunks, iterator) };
  }
}

async function* replay(read: Uint8Array[], iterator: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* read;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}
