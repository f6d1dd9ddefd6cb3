/**
 * The most used Node proxy library, `http-proxy` 1.18, as a one-hop reverse proxy with a keep-alive
 * agent (without one it opens a new upstream connection per request). The yardstick the engine's
 * single hop must beat.
 */
import http from 'node:http';
import httpProxy from 'http-proxy';
import { listen } from './listen.mjs';

/** Start an http-proxy server in front of `upstream`; resolves to { server, proxy }. */
export async function startHttpProxyLib({ upstream, port = 0 }) {
  const agent = new http.Agent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({ target: upstream, agent });
  proxy.on('error', (_err, _req, res) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway');
  });
  const server = http.createServer((req, res) => proxy.web(req, res));
  await listen(server, port);
  return { server, proxy };
}
