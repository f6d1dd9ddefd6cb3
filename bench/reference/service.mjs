/**
 * The benchmark's trivial service: answers every request with a small JSON body of the same fields an
 * engine `service` node with latency 0 sends (`node` is its id; request id, forwarded-for and via are
 * echoed when a proxy set them, else null), plus `x-served-by`. It drains any request body first so a
 * keep-alive connection stays usable. This is the floor every case is measured against.
 */
import http from 'node:http';
import { listen } from './listen.mjs';

/** Start the service on 127.0.0.1 (port 0 = any free); resolves to the listening server. */
export function startService({ id = 'service', port = 0 } = {}) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        node: id,
        status: 200,
        method: req.method,
        path: req.url,
        requestId: req.headers['x-request-id'] ?? null,
        clientAddress: req.socket.remoteAddress,
        forwardedFor: req.headers['x-forwarded-for'] ?? null,
        via: req.headers.via ?? null,
        latencyMs: 0,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-served-by': id });
      res.end(body);
    });
  });
  return listen(server, port);
}
