/**
 * A bare reverse proxy written only for the benchmark: a node:http server that forwards every request
 * to one upstream through an undici Pool (keep-alive), streaming bodies both ways and stripping only
 * hop-by-hop headers. No routing, no events, no metrics: it is the ceiling an engine hop can approach.
 *
 * `mode` picks the undici API; `dispatch` (a raw handler, no intermediate stream objects) measured
 * fastest on our machines and is the default (bench/README.md has the numbers).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Pool } from 'undici';
import { endToEndHeaders, hasBody } from './hop-by-hop.mjs';
import { listen } from './listen.mjs';

export const UNDICI_MODES = ['dispatch', 'stream', 'request'];

/**
 * Start a proxy to `upstream` (an origin like http://127.0.0.1:9001); resolves to { server, pool }.
 * `fields` (dispatch mode): the proxy also writes the fields every engine hop must (ALGORITHMS.md, proxy
 * headers): Via, X-Forwarded-For, Forwarded, X-Forwarded-Proto and -Host, and an X-Request-Id made at the
 * first hop, on the request; Via and X-Request-Id on the response. The same header work as the engine,
 * none of its stages, events or metrics.
 */
export async function startUndiciProxy({ upstream, port = 0, mode = 'dispatch', fields = false }) {
  const pool = new Pool(upstream, { pipelining: 1 });
  const forward = { dispatch: forwardDispatch, stream: forwardStream, request: forwardRequest }[mode];
  if (!forward) throw new Error(`unknown undici mode "${mode}", expected one of ${UNDICI_MODES.join(', ')}`);
  if (fields && mode !== 'dispatch') throw new Error('fields are written in dispatch mode only');
  /** This proxy's name in Via and its address in Forwarded's `by`, known once it listens. */
  let hop;
  const server = http.createServer((req, res) => forward(pool, req, res, hop));
  await listen(server, port);
  if (fields) {
    const bound = server.address().port;
    hop = { name: `p${bound}`, by: `"127.0.0.1:${bound}"` };
  }
  return { server, pool };
}

function upstreamRequest(req, hop) {
  return {
    path: req.url,
    method: req.method,
    headers: hop ? withHopFields(req, hop) : endToEndHeaders(req.headers),
    body: hasBody(req) ? req : null,
  };
}

/** The request's end-to-end fields with this hop's proxy fields, written as the engine writes them. */
function withHopFields(req, hop) {
  const incoming = req.headers;
  const headers = endToEndHeaders(incoming);
  const peer = req.socket.remoteAddress;
  headers.via = appended(incoming.via, `1.1 ${hop.name}`);
  headers['x-forwarded-for'] = appended(incoming['x-forwarded-for'], peer);
  headers.forwarded = appended(incoming.forwarded, `for=${peer};by=${hop.by};proto=http;host="${incoming.host}"`);
  headers['x-forwarded-proto'] = incoming['x-forwarded-proto'] ?? 'http';
  headers['x-forwarded-host'] = incoming['x-forwarded-host'] ?? incoming.host;
  headers['x-request-id'] = incoming['x-request-id'] ?? randomUUID();
  return headers;
}

const appended = (list, item) => (list ? `${list}, ${item}` : item);

/** 502 before the response started; after that, cut the connection so the client sees a truncated body. */
function badGateway(res) {
  if (res.headersSent) return res.destroy();
  res.writeHead(502, { 'content-type': 'text/plain' });
  res.end('bad gateway');
}

/** Raw dispatcher handler: headers and chunks go straight from undici's parser to the response. */
function forwardDispatch(pool, req, res, hop) {
  let resume;
  const request = upstreamRequest(req, hop);
  pool.dispatch(request, {
    onConnect(abort) {
      res.once('close', () => {
        if (!res.writableFinished) abort();
      });
    },
    onHeaders(statusCode, rawHeaders, resumeUpstream) {
      resume = resumeUpstream;
      const headers = endToEndRawHeaders(rawHeaders);
      if (hop) {
        headers.via = appended(headers.via, `1.1 ${hop.name}`);
        headers['x-request-id'] ??= request.headers['x-request-id'];
      }
      res.writeHead(statusCode, headers);
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
