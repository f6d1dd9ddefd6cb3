/**
 * Reads a response body whole when it is at most `limit` bytes; a longer one is dropped (the stream
 * destroyed, so its connection is not reused half read) and the answer is undefined.
 */
export async function readUpTo(body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown }, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}
