// @vitest-environment node
/**
 * The control API client against real servers: an engine that stops answering (a paused process keeps
 * its sockets open) fails the call after the timeout, saying so, instead of leaving it pending for ever.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { ApiError, call } from './api.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

it('gives up on an engine that never answers, and says it did not answer', async () => {
  const base = await listen(() => {});
  const error = await call('GET', `${base}/api/topology`, undefined, { timeoutMs: 200 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).message).toBe(`the engine did not answer GET ${base}/api/topology within 0.2 s`);
});

it('gives up on an answer whose body never ends', async () => {
  const base = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"nodes":');
  });
  const error = await call('GET', `${base}/api/topology`, undefined, { timeoutMs: 200 }).catch((e: unknown) => e);
  expect((error as ApiError).message).toContain('did not answer');
});

it('reads an answer that comes in time', async () => {
  const base = await listen((_req, res) => res.end('{"ok":true}'));
  expect(await call('GET', `${base}/api/x`, undefined, { timeoutMs: 2_000 })).toEqual({ ok: true });
});
