/**
 * A bare reverse proxy written only for the benchmark: a node:http server that forwards every request
 * to one upstream through an undici Pool (keep-alive), streaming bodies both ways and stripping only
 * hop-by-hop headers. No routing, no events, no metrics: it is the ceiling an engine hop can approach.
 *
 * `mode` picks the undici API; `dispatch` (a raw handler, no intermediate stream objects) measured
 * fastest on our machines and is the default (bench/README.md has the numbers).
 */
import http from 'node:http';
import { Pool } from 'undici';
import { endToEndHeaders, hasBody } from './hop-by-hop.mjs';
import { listen } from './listen.mjs';

export const UNDICI_MODES = ['dispatch', 'stream', 'request'];

/** Start a proxy to `upstream` (an origin like http://127.0.0.1:9001); resolves to { server, pool }. */
export async function startUndiciProxy({ upstream, port = 0, mode = 'dispatch' }) {
  const pool = new Pool(upstream, { pipelining: 1 });
  const forward = { dispatch: forwardDispatch, stream: forwardStream, request: forwardRequest }[mode];
  if (!forward) throw new Error(`unknown undici mode "${mode}", expected one of ${UNDICI_MODES.join(', ')}`);
  const server = http.createServer((req, res) => forward(pool, req, res));
  await listen(server, port);
  return { server, pool };
}

function upstreamRequest(req) {
  return {
    path: req.url,
    method: req.method,
    headers: endToEndHeaders(req.headers),
    body: hasBody(req) ? req : null,
  };
}

/** 502 before the response started; after that, cut the connection so the client sees a truncated body. */
function badGateway(res) {
  if (res.headersSent) return res.destroy();
  res.writeHead(502, { 'content-type': 'text/plain' });
  res.end('bad gateway');
}

/** Raw dispatcher handler: headers and chunks go straight from undici's parser to the response. */
function forwardDispatch(pool, req, res) {
  let resume;
  pool.dispatch(upstreamRequest(req), {
    onConnect(abort) {
      res.once('close', () => {
        if (!res.writableFinished) abort();
      });
    },
    onHeaders(statusCode, rawHeaders, resumeUpstream) {
      resume = resumeUpstream;
      res.writeHead(statusCode, endToEndRawHeaders(rawHeaders));
      return true;
    },
    onData(chunk) {
      if (res.write(chunk)) return true;
      res.once('drain', resume);
      return false;
    },
    onComplete() {
      res.end();
    },
    onError() {
      badGateway(res);
    },
  });
}

/** Drop hop-by-hop names from undici's flat [name, value, ...] Buffer list; node accepts the flat form. */
function endToEndRawHeaders(rawHeaders) {
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toString('latin1').toLowerCase();
    const value = rawHeaders[i + 1].toString('latin1');
    const prev = headers[name];
    headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return endToEndHeaders(headers);
}

/** `pool.stream`: undici writes the body into the Writable the factory returns (the response). */
function forwardStream(pool, req, res) {
  pool
    .stream(upstreamRequest(req), ({ statusCode, headers }) => {
      res.writeHead(statusCode, endToEndHeaders(headers));
      return res;
    })
    .catch(() => badGateway(res));
}

/** `pool.request`: a Readable body piped into the response. */
function forwardRequest(pool, req, res) {
  pool.request(upstreamRequest(req)).then(
    ({ statusCode, headers, body }) => {
      res.writeHead(statusCode, endToEndHeaders(headers));
      body.pipe(res);
    },
    () => badGateway(res),
  );
}
