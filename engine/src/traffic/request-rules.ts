/**
 * What a generated request may carry, checked once by the config schema (so `POST /api/traffic` and a
 * config's `traffic:` refuse the same things, naming the field) and never per request. Each rule is a
 * request the generator could not send, or one whose framing it must own:
 *
 * - A header name is a token and a value a field-value (RFC 9110 §5.1, §5.5): no CR, LF, NUL or other
 *   control character but HTAB, nothing past U+00FF; undici throws on these ("invalid header").
 * - Fields that frame the message or manage the connection are the generator's: Host (from `to`),
 *   Content-Length (from the body), Transfer-Encoding, the hop-by-hop fields (RFC 9110 §7.6.1:
 *   Connection, Keep-Alive, TE, Trailer, Upgrade, Proxy-Connection), Expect (undici does not do
 *   100-continue) and every `Proxy-*` field (for a forward proxy; the generator talks to the edge itself).
 * - CONNECT asks for a tunnel, not a response (undici's request API refuses it); TRACE carries no
 *   content (RFC 9110 §9.3.8), like GET and HEAD by convention.
 * - A path is sent as the request-target: visible ASCII only (RFC 9112 §3.2; undici refuses spaces and
 *   control characters), no `#` (a fragment stays in the client). Other characters are percent-encoded.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Anything but HTAB, SP..~ and obs-text (0x80..0xFF): what undici and Node refuse in a field value. */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** Anything a request-target may not hold as is. */
const NOT_TARGET_CHAR = /[^\x21-\x7e]|#/;

const GENERATOR_FIELDS: Record<string, string> = {
  host: 'the generator sets Host from the flow\'s "to"',
  'content-length': 'the generator sets Content-Length from the body',
  'transfer-encoding': 'the generator frames the body itself (with Content-Length)',
  connection: 'a hop-by-hop field: the generator manages its own connections',
  'keep-alive': 'a hop-by-hop field: the generator manages its own connections',
  'proxy-connection': 'a hop-by-hop field: the generator manages its own connections',
  te: 'a hop-by-hop field: the generator manages its own connections',
  trailer: 'a hop-by-hop field: the generator sends no trailers',
  upgrade: 'a hop-by-hop field: the generator does not switch protocols',
  expect: 'the generator does not wait for 100-continue; send the body at once',
};

/** Methods that carry no content: a body with them is refused. */
export const METHODS_WITHOUT_BODY: ReadonlySet<string> = new Set(['GET', 'HEAD', 'TRACE']);

/** Why the generator cannot send this method, or undefined (the schema has checked it is an upper-case token). */
export function methodProblem(method: string): string | undefined {
  return method === 'CONNECT' ? 'CONNECT asks for a tunnel, not a request: the generator cannot send it' : undefined;
}

/** Why a flow cannot send a header of this name, or undefined. */
export function headerNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) return `expected a header name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(name)}`;
  return generatorFieldProblem(name);
}

/** Why a header name (a token) is the generator's own to set, or undefined. */
export function generatorFieldProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  const reason = Object.hasOwn(GENERATOR_FIELDS, lower)
    ? GENERATOR_FIELDS[lower]
    : lower.startsWith('proxy-')
      ? 'a field for a forward proxy: the generator sends to the edge itself'
      : undefined;
  return reason === undefined ? undefined : `not allowed: ${reason}`;
}

/** Why a header value cannot be sent, or undefined. */
export function headerValueProblem(value: string): string | undefined {
  const bad = NOT_FIELD_VALUE.exec(value);
  return bad ? `a header value cannot hold ${describeChar(bad[0])}` : undefined;
}

/** Every problem of a header set, by header name (the path under `headers`): bad names and values, and one name given twice. */
export function requestHeaderProblems(headers: Record<string, string>): Array<{ name: string; message: string }> {
  const problems: Array<{ name: string; message: string }> = [];
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const message = headerNameProblem(name) ?? headerValueProblem(value);
    if (message !== undefined) problems.push({ name, message });
    const lower = name.toLowerCase();
    const earlier = seen.get(lower);
    if (earlier !== undefined) problems.push({ name, message: `the same header as "${earlier}" (names ignore case): give it once` });
    else seen.set(lower, name);
  }
  return problems;
}

/** Why this literal part of a path cannot be sent in a request-target, or undefined. */
export function pathTextProblem(text: string): string | undefined {
  const bad = NOT_TARGET_CHAR.exec(text);
  if (!bad) return undefined;
  return bad[0] === '#'
    ? 'a request path cannot hold "#" (a fragment stays in the client); percent-encode it as %23'
    : `a request path cannot hold ${describeChar(bad[0])}; percent-encode it`;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0)!;
  const names: Record<number, string> = { 0x00: 'NUL', 0x0a: 'LF', 0x0d: 'CR', 0x20: 'a space', 0x7f: 'DEL' };
  return names[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}${code > 0x20 && code !== 0x7f ? ` "${char}"` : ''}`;
}
