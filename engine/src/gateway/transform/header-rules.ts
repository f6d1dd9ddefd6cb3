/**
 * Which header fields a transform may touch, checked once when the config is validated. A transform
 * edits end-to-end fields; the fields that frame a message or belong to one connection are set by
 * each hop itself (RFC 9110 section 7.6.1), and a few carry the engine's own bookkeeping. Letting a
 * config set them would desynchronise a connection or break what the node guarantees, so they are
 * refused, each with its reason.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const HOP_BY_HOP = 'a hop-by-hop field (RFC 9110 section 7.6.1): it describes one connection, and every hop removes it and sets its own';

const HOP_FIELDS: Record<string, string> = {
  connection: HOP_BY_HOP,
  'keep-alive': HOP_BY_HOP,
  'proxy-connection': HOP_BY_HOP,
  te: HOP_BY_HOP,
  trailer: HOP_BY_HOP,
  upgrade: HOP_BY_HOP,
  'transfer-encoding': 'it frames the body on one connection, and each hop frames the body it sends (a hop-by-hop field)',
  'content-length':
    'the node computes it from the body it sends: a wrong one would make the next hop read the body short or run into the next request (request smuggling)',
  host: 'the node sets Host for the upstream it sends to',
  via: 'each hop appends itself, and loop detection reads it (EDGE_LOOP_DETECTED)',
  'x-request-id': 'it is the request id the trace follows across every hop',
};

/** Why a transform may not set, add or remove this field, or undefined when it may. */
export function protectedFieldReason(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(HOP_FIELDS, lower)) return HOP_FIELDS[lower];
  if (lower.startsWith('proxy-')) return "the credentials of one hop (RFC 9110 section 11.7): every hop removes the previous hop's";
  if (lower.startsWith('x-edgelab-')) return "the engine's own field (its error code, a partial answer's parts)";
  return undefined;
}

/** Why a transform cannot use this header name, or undefined. */
export function transformHeaderNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) return `expected a header name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(name)}`;
  const reason = protectedFieldReason(name);
  return reason === undefined ? undefined : `a transform cannot change ${name.toLowerCase()}: ${reason}`;
}
