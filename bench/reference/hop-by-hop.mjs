/**
 * The minimal hop-by-hop header stripping every reference proxy does (RFC 9110 section 7.6.1): the
 * fixed hop-by-hop names plus any name listed in `Connection`. Each hop manages its own connection,
 * framing and keep-alive; everything else passes through untouched.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** A copy of a lowercase-keyed header object without the hop-by-hop headers. */
export function endToEndHeaders(headers) {
  const listed = headers.connection === undefined ? undefined : connectionTokens(headers.connection);
  const out = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || listed?.includes(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

function connectionTokens(connection) {
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  return value
    .toLowerCase()
    .split(',')
    .map((token) => token.trim());
}

/** True when the incoming request carries a body that must be streamed upstream. */
export function hasBody(req) {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}
