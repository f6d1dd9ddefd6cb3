/**
 * A bare reverse proxy written only for the benchmark, on node's own HTTP client: a node:http server
 * that forwards every request to one upstream through `http.Agent({ keepAlive: true })`, piping the
 * bodies both ways and stripping only hop-by-hop headers. The node:http counterpart of undici-proxy.mjs.
 */
import http from 'node:http';
import { endToEndHeaders } from './hop-by-hop.mjs';
import { listen } from './listen.mjs';

/** Start a proxy to `upstream` (an origin like http://127.0.0.1:9001); resolves to { server, agent }. */
export async function startNodeHttpProxy({ upstream, port = 0 }) {
  const { hostname, port: upstreamPort } = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const outgoing = http.request(
      { agent, host: hostname, port: upstreamPort, method: req.method, path: req.url, headers: endToEndHeaders(req.headers) },
      (incoming) => {
        res.writeHead(incoming.statusCode, endToEndHeaders(incoming.headers));
        incoming.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  await listen(server, port);
  return { server, agent };
}
