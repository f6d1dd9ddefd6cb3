/**
 * The send timeout (node-server.ts, nginx's `send_timeout`) on every protocol a node speaks, on real
 * sockets: a client that stops reading an endless answer over HTTP/1.1, plain or TLS, and an HTTP/2 stream
 * whose client never reopens its flow-control window, are cut with EDGE_SEND_TIMEOUT, and the upstream
 * request behind them is released. The timeout is cut to a fraction of a second before the node starts.
 */
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { connect as connectH2, constants as h2, type ClientHttp2Session } from 'node:http2';
import { connect } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../bus.ts';
import { validateConfig } from '../config/validate.ts';
import type { EngineEvent, EventOf } from '../events.ts';
import { ProxyNode } from '../proxy/proxy-node.ts';
import { DEFAULT_CERT_DIR } from '../proxy/tls/self-signed.ts';
import { rawUpstream, waitFor, type RawUpstream } from '../testing/harness.ts';
import { L4Links } from './l4-links.ts';

const events: EngineEvent[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  events.length = 0;
});

const completed = (rid: string) => events.find((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.rid === rid);

/** An upstream that streams zeros for as long as its client reads; `cut` turns true when its answer is cut. */
async function endlessUpstream(): Promise<RawUpstream & { cut: () => boolean }> {
  let cut = false;
  const upstream = await rawUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => (cut = true));
    pump();
  });
  cleanups.push(() => upstream.close());
  return Object.assign(upstream, { cut: () => cut });
}

let nodeCount = 0;
/**
 * A proxy to `upstream` with a 300 ms send timeout, plain or TLS (self-signed, h2 and http/1.1 by ALPN):
 * its port, and the certificate a TLS client trusts.
 */
async function proxy(upstream: RawUpstream, tls = false): Promise<{ port: number; ca: string }> {
  const id = `stall-${process.pid}-${++nodeCount}`;
  const result = validateConfig({ version: 1, nodes: [{ id, kind: 'proxy', to: upstream.url, ...(tls ? { tls: true } : {}) }] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  const ctx = { bus, rng: () => 0.5, l4Links: new L4Links(), generation: () => 1, resolve: (u: string) => new URL(u).origin };
  const node = Object.assign(new ProxyNode(result.config.nodes[0] as never, ctx), { sendTimeoutMs: 300 });
  if (tls) cleanups.push(() => rm(join(DEFAULT_CERT_DIR, `${id}.pem`), { force: true }));
  cleanups.push(() => node.dispose());
  await node.start();
  return { port: node.port!, ca: tls ? await readFile(node.certificate!.certFile, 'utf8') : '' };
}

function h2Session(port: number, ca: string, settings: { initialWindowSize?: number } = {}): ClientHttp2Session {
  const session = connectH2(`https://localhost:${port}`, { ca, settings });
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  return session;
}

describe('a client that stops reading is cut after the send timeout', () => {
  it.each([
    ['plain', false],
    ['over TLS', true],
  ])('HTTP/1.1 %s: EDGE_SEND_TIMEOUT with the status that went out, and the upstream answer is cut', async (_name, tls) => {
    const upstream = await endlessUpstream();
    const { port, ca } = await proxy(upstream, tls);
    const client = tls
      ? connectTls({ port, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] })
      : connect({ port, host: '127.0.0.1' });
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    await once(client, tls ? 'secureConnect' : 'connect');
    // Reads nothing: the answer fills the socket buffers on both sides and stops moving.
    client.pause();
    client.write('GET /endless HTTP/1.1\r\nHost: lab\r\nX-Request-Id: stalled\r\n\r\n');
    const event = await waitFor(() => completed('stalled'), 5_000, 'the request to end');
    expect([event.status, event.error]).toEqual([200, 'EDGE_SEND_TIMEOUT']);
    await waitFor(() => upstream.cut(), 5_000, 'the upstream answer cut');
  });

  it.each([
    ['of 1024 bytes never reopens', 1024],
    ['of zero never opens', 0],
  ])('over HTTP/2, a stream whose window %s: reset alone, EDGE_SEND_TIMEOUT, upstream released; the session serves on', async (_what, initialWindowSize) => {
    const upstream = await endlessUpstream();
    const { port, ca } = await proxy(upstream, true);
    const session = h2Session(port, ca, { initialWindowSize });
    const stalled = session.request({ ':path': '/endless', 'x-request-id': 'h2-stalled' });
    stalled.on('error', () => {});
    // Never read: the client's window for this stream stays shut once the bytes it allows arrived.
    stalled.pause();
    const [rstCode] = (await once(stalled, 'close').then(() => [stalled.rstCode])) as [number];
    const event = await waitFor(() => completed('h2-stalled'), 5_000, 'the request to end');
    expect([event.status, event.error]).toEqual([200, 'EDGE_SEND_TIMEOUT']);
    expect(rstCode).toBe(h2.NGHTTP2_CANCEL);
    await waitFor(() => upstream.cut(), 5_000, 'the upstream answer cut');
    // The session itself stands: another stream on it is answered.
    expect(session.destroyed).toBe(false);
    const next = session.request({ ':path': '/endless', 'x-request-id': 'h2-next' });
    const [headers] = (await once(next, 'response')) as [Record<string, unknown>];
    expect(headers[':status']).toBe(200);
    next.close(h2.NGHTTP2_CANCEL);
  });
});
