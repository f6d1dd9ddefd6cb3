/**
 * The two faults that act on a response as it leaves: `bandwidth` paces its body bytes, `slow-close`
 * holds its last byte (and so its end) for a while. Both wrap the response's `write` and `end`, so
 * they work the same for a service's one `end(body)` and for a proxied body streamed chunk by chunk;
 * a wrapped `write` keeps its contract (false until the data is really passed on, then `drain`), so
 * the forwarder's backpressure holds. They stack: a slow close over a paced response holds the last
 * byte, then the pacing sends it. When the fault ends, whatever is held goes out at once.
 */
import type { ServerResponse } from 'node:http';
import type { ActiveFault, Held } from './active-fault.ts';

type Write = (chunk: Buffer) => boolean;
type End = (chunk?: Buffer) => void;

/** Tick of the pacing: small enough to look smooth, large enough to cost little. */
const TICK_MS = 25;

function asBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** Replace `res.write`/`res.end` by `write`/`end` taking Buffers; returns the originals, bound. */
function wrap(
  res: ServerResponse,
  write: (original: Write, chunk: Buffer) => boolean,
  end: (original: End, original2: Write, chunk?: Buffer) => void,
) {
  const originalWrite = res.write.bind(res) as unknown as Write;
  const originalEnd = res.end.bind(res) as unknown as End;
  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const ok = write(originalWrite, asBuffer(chunk, encoding));
    if (typeof encoding === 'function') (encoding as () => void)();
    else if (typeof callback === 'function') (callback as () => void)();
    return ok;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    const data = typeof chunk === 'function' || chunk == null ? undefined : asBuffer(chunk, encoding);
    end(originalEnd, originalWrite, data);
    const done = [chunk, encoding, callback].find((a) => typeof a === 'function') as (() => void) | undefined;
    if (done) res.once('finish', done);
    return res;
  }) as ServerResponse['end'];
}

/** Send the body at most `bytesPerSecond`; `fault` ending sends the rest at once. */
export function throttleResponse(res: ServerResponse, bytesPerSecond: number, fault: ActiveFault): void {
  const queue: Buffer[] = [];
  let ending = false;
  let timer: NodeJS.Timeout | undefined;
  let credit = 0;
  let last = performance.now();
  let write: Write;
  let end: End;

  const pump = (): void => {
    timer = undefined;
    if (res.destroyed) return fault.forget(held);
    const now = performance.now();
    credit = Math.min(credit + ((now - last) / 1000) * bytesPerSecond, Math.max(1, bytesPerSecond * 0.1));
    last = now;
    while (queue.length > 0 && (credit >= 1 || !fault.active)) {
      const head = queue[0];
      const take = fault.active ? Math.min(head.length, Math.floor(credit)) : head.length;
      write(take === head.length ? head : head.subarray(0, take));
      if (take === head.length) queue.shift();
      else queue[0] = head.subarray(take);
      credit -= take;
    }
    if (queue.length > 0) {
      timer = setTimeout(pump, TICK_MS);
      return;
    }
    if (ending) {
      fault.forget(held);
      end();
    } else res.emit('drain');
  };
  const held: Held = {
    release() {
      if (timer) clearTimeout(timer);
      pump();
    },
  };
  fault.hold(held);
  res.once('close', () => {
    if (timer) clearTimeout(timer);
    fault.forget(held);
  });
  wrap(
    res,
    (original, chunk) => {
      write = original;
      if (chunk.length === 0) return true;
      queue.push(chunk);
      timer ??= setTimeout(pump, 0);
      return false;
    },
    (originalEnd, originalWrite, chunk) => {
      write = originalWrite;
      end = () => originalEnd();
      if (chunk && chunk.length > 0) {
        queue.push(chunk);
      }
      ending = true;
      timer ??= setTimeout(pump, 0);
    },
  );
}

/** Hold the last byte of the body, and the end, for `delay` ms; `fault` ending lets them go at once. */
export function holdClose(res: ServerResponse, delay: number, fault: ActiveFault): void {
  let last: Buffer | undefined;
  wrap(
    res,
    (write, chunk) => {
      if (chunk.length === 0) return true;
      const pending = last ? Buffer.concat([last, chunk]) : chunk;
      last = pending.subarray(pending.length - 1);
      return write(pending.subarray(0, pending.length - 1));
    },
    (end, write, chunk) => {
      const pending = chunk && chunk.length > 0 ? (last ? Buffer.concat([last, chunk]) : chunk) : last;
      const tail = pending && pending.length > 0 ? pending.subarray(pending.length - 1) : undefined;
      if (pending && pending.length > 1) write(pending.subarray(0, pending.length - 1));
      let timer: NodeJS.Timeout | undefined;
      const held: Held = {
        release() {
          clearTimeout(timer);
          fault.forget(held);
          if (!res.destroyed) end(tail);
        },
      };
      timer = setTimeout(() => held.release(), delay);
      fault.hold(held);
      res.once('close', () => {
        clearTimeout(timer);
        fault.forget(held);
      });
    },
  );
}
