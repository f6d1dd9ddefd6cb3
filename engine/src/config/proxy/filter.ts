/**
 * A proxy's request filter: who may send (IP allow and deny lists), what (methods, paths, query strings,
 * header rules) and how much (URL length, header size and count, body size), plus how long a client may
 * take to send its headers and its body. Extend, never rename (ARCHITECTURE.md):
 *
 *   filter:
 *     deny: [10.0.0.0/8, "2001:db8::/32"]        # refused with 403; deny wins over allow
 *     allow: [127.0.0.0/8, "::1"]                # when given, only these addresses pass
 *     methods: [GET, HEAD, POST]                 # others get 405 with Allow
 *     denyPaths: ["^/admin(/|$)", "\\.php$"]     # searched in the normalised path: 403
 *     denyQuery: ["<script", "union.+select"]     # searched in the percent-decoded query: 403
 *     headers: [{ name: x-api-key, require: true }, { name: user-agent, deny: "sqlmap|nikto" }]
 *     limits: { urlLength: 2048, headerBytes: 8kb, headerCount: 50, bodyBytes: 1mb }
 *     timeouts: { headers: 10s, body: 30s }
 *
 * Every regex goes through the routes' guard (gateway/routing/safe-regex.ts) at config time. A limit the
 * node's HTTP parser would reach first (Node's 16 KB of headers, its 2000 header fields) is an error, not
 * a limit that silently never applies.
 */
import { maxHeaderSize } from 'node:http';
import { isIP } from 'node:net';
import { z } from 'zod';
import { regexProblem } from '../../gateway/routing/safe-regex.ts';
import { Duration } from '../duration.ts';
import { byteSize, limitedArray } from '../fields.ts';
import { LIMITS, MAX_TIMER_MS } from '../limits.ts';

/** Bytes of a request head Node's parser takes (request line and header fields together); past it, 431 before any filter runs. */
export const PARSER_HEADER_BYTES = maxHeaderSize;
/** Header fields Node keeps of a request (server.maxHeadersCount): the rest are dropped, never seen by a filter. */
export const PARSER_HEADER_COUNT = 2_000;

/** `10.0.0.0/8`, `2001:db8::/32`, or one address; why `entry` is none of them, or undefined. */
export function cidrProblem(entry: string): string | undefined {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `expected an IP address or a CIDR block (10.0.0.0/8, 2001:db8::/32), got ${JSON.stringify(entry)}`;
  if (bits === undefined) return undefined;
  const most = family === 6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > most) return `bad prefix length /${bits}: an IPv${family} block takes /0 to /${most}`;
  return undefined;
}

const Cidr = z
  .string()
  .max(64)
  .superRefine((entry, ctx) => {
    const problem = cidrProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const Pattern = z
  .string()
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'a regular expression, searched (anchor with ^ and $); no nested quantifiers or backreferences' });

/** Methods are case-sensitive tokens (RFC 9110 section 9.1); CONNECT opens a tunnel, which no node does. */
const Method = z
  .string()
  .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method')
  .refine((method) => method !== 'CONNECT', { message: 'CONNECT is refused by every node already (no tunnels)' });

/** An RFC 9110 field name, kept lower-case as Node's headers are. */
const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'expected a header field name (an RFC 9110 token)')
  .transform((name) => name.toLowerCase());

const HeaderRule = z
  .strictObject({
    name: HeaderName,
    require: z
      .union([z.literal(true), Pattern])
      .optional()
      .meta({ description: 'true: the header must be there (else 400); a regex: and its value must match it' }),
    deny: z
      .union([z.literal(true), Pattern])
      .optional()
      .meta({ description: 'true: a request with this header is refused (403); a regex: refused when the value matches' }),
  })
  .superRefine((rule, ctx) => {
    if ((rule.require === undefined) === (rule.deny === undefined))
      ctx.addIssue({ code: 'custom', path: ['require'], message: 'give one of require and deny' });
  });

/** A byte count: a whole number, or a string with a unit (512b, 8kb, 1.5mb; 1kb = 1024 bytes), as a service's body sizes. */
const Bytes = byteSize({ like: '512b, 8kb or 1.5mb' });
/** The most a body may be: the proxy holds a body in memory until it is whole (proxy/filter/request-buffer.ts). */
export const MAX_BUFFERED_BODY = 64 * 1024 * 1024;
const BodyBytes = byteSize({ max: MAX_BUFFERED_BODY, like: '512b, 8kb or 1.5mb', bound: 'at most 64mb, as a body is held in memory until it is whole' });

const FilterLimits = z.strictObject({
  urlLength: z
    .number()
    .int()
    .min(1, 'must be at least 1 (the shortest target is /)')
    .max(PARSER_HEADER_BYTES, `at most ${PARSER_HEADER_BYTES}: Node's parser refuses a longer request head with 431 first`)
    .optional()
    .meta({ description: 'characters in the request target (path and query); longer gets 414' }),
  headerBytes: Bytes.pipe(
    z
      .number()
      .min(1, 'must be at least 1 (an HTTP/1.1 request carries Host)')
      .max(PARSER_HEADER_BYTES, `at most ${PARSER_HEADER_BYTES} (16kb): Node's parser refuses larger request heads with 431 first`),
  )
    .optional()
    .meta({ description: 'bytes of the header fields, each counted as name: value and CRLF; more gets 431' }),
  headerCount: z
    .number()
    .int()
    .min(1, 'must be at least 1 (an HTTP/1.1 request carries Host)')
    .max(PARSER_HEADER_COUNT, `at most ${PARSER_HEADER_COUNT}: Node keeps no more header fields than that, so a filter never sees them`)
    .optional()
    .meta({ description: 'header fields in a request; more gets 431' }),
  bodyBytes: BodyBytes.optional().meta({
    description:
      'bytes of a request body: a larger Content-Length gets 413 before the body is read; a body within it is read whole before it goes upstream (nginx proxy_request_buffering), so a chunked body past it gets 413 and the upstream sees nothing',
  }),
});

const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

const FilterTimeouts = z
  .strictObject({
    headers: PositiveDuration.optional().meta({ description: 'time to receive the request line and headers; later gets 408 (default 60s)' }),
    body: PositiveDuration.optional().meta({
      description: 'time after the headers to receive the whole body; later gets 408 (default: the whole request within 60s)',
    }),
  })
  .superRefine((timeouts, ctx) => {
    if (timeouts.headers !== undefined && timeouts.body !== undefined && timeouts.headers + timeouts.body > MAX_TIMER_MS)
      ctx.addIssue({ code: 'custom', path: ['body'], message: `headers + body is at most ${MAX_TIMER_MS}ms, the longest a timer can hold` });
  });

const list = <T extends z.ZodType>(item: T) => limitedArray(item, LIMITS.listItems);

export const FilterSchema = z
  .strictObject({
    allow: list(Cidr)
      .min(1, 'give at least one address or CIDR block, or leave allow out (an empty list let every address pass)')
      .optional()
      .meta({ description: 'addresses or CIDR blocks that may send; when given, every other address gets 403' }),
    deny: list(Cidr).optional().meta({ description: 'addresses or CIDR blocks refused with 403 (deny wins over allow)' }),
    methods: list(Method).min(1, 'give at least one method, or leave methods out').optional().meta({
      description: 'the methods taken; others get 405 with Allow',
    }),
    denyPaths: list(Pattern).optional().meta({ description: 'regexes searched in the normalised path; a match gets 403' }),
    denyQuery: list(Pattern).optional().meta({ description: 'regexes searched in the percent-decoded query string; a match gets 403' }),
    headers: list(HeaderRule).optional().meta({ description: 'header rules: { name, require: true | regex } or { name, deny: true | regex }' }),
    limits: FilterLimits.optional(),
    timeouts: FilterTimeouts.optional().meta({ description: 'how long a client may take to send its request (against slow clients)' }),
  })
  .meta({ description: 'refuse requests by address, method, path, query, headers and size before they are forwarded' });
export type FilterConfig = z.output<typeof FilterSchema>;

/** A proxy's fields: `filter`. */
export const ProxyFilterFields = {
  filter: FilterSchema.optional(),
};
