/**
 * A proxy's request filter, compiled once from its `filter` config (config/proxy/filter.ts) and asked
 * once per request, before anything is forwarded: the framing (defence in depth behind Node's parser),
 * the size limits, the method, the address, the path, the query, the header rules, in that order, the
 * cheapest and most basic first. A request that passes costs a walk over its raw headers (counting bytes
 * and framing fields), a method lookup, one BlockList check when address lists are given, and one
 * search per deny pattern; only the path split from its query and a query with escapes to decode are
 * allocated, and only when there are patterns for them. A refusal carries a stable code, its status and
 * one sentence for the trace ("filter: 10.1.2.3 is in deny 10.0.0.0/8 -> 403").
 *
 * Regexes search values of at most MAX_REGEX_INPUT characters (safe-regex.ts); a longer path or query
 * is refused when there are deny patterns for it, since it cannot be checked (fail closed).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { FilterConfig } from '../../config/proxy/filter.ts';
import { EDGE_ERRORS, type EdgeErrorCode } from '../../errors.ts';
import { isPathRefusal, normalizePath } from '../../gateway/routing/normalize-path.ts';
import { compileRegex, MAX_REGEX_INPUT } from '../../gateway/routing/safe-regex.ts';
import { decodeQuery } from './decode-query.ts';
import { ownField } from '../../pipeline/headers.ts';

/** Why the filter refused a request; the runner answers `status` with `code` (and `headers`, Allow on a 405). */
export interface FilterRefusal {
  readonly code: EdgeErrorCode;
  readonly status: number;
  /** One sentence for the trace and the event: `filter: 10.1.2.3 is in deny 10.0.0.0/8 -> 403`. */
  readonly reason: string;
  readonly headers?: Record<string, string>;
}

/** What the filter reads of a request: an IncomingMessage is one. */
export interface FilteredRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
}

export interface RequestFilter {
  /** The refusal for a request from `client` (an IP address, IPv4-mapped IPv6 included), or undefined to let it through. */
  check(req: FilteredRequest, client: string): FilterRefusal | undefined;
  /** The most body bytes a request may send, or undefined for no limit (a body whose size no header announces is counted as it is read: request-buffer.ts). */
  readonly bodyBytes: number | undefined;
  /** The refusal of a body that went past `bodyBytes` as it was read (`bytes` had come by then). */
  bodyRefused(bytes: number): FilterRefusal;
}

interface AddressRule {
  readonly entry: string;
  readonly list: BlockList;
}

interface HeaderRule {
  readonly name: string;
  readonly kind: 'require' | 'deny';
  /** The value pattern, or undefined when the header's presence decides. */
  readonly pattern: RegExp | undefined;
  /** The pattern as the config wrote it, for the reason. */
  readonly source: string;
}

/** The filter for `config`, which the schema has validated (every CIDR and regex in it compiles). */
export function compileFilter(config: FilterConfig): RequestFilter {
  const deny = addressRules(config.deny);
  const allow = addressRules(config.allow);
  const denyList = combined(config.deny);
  const allowList = combined(config.allow);
  const methods = config.methods ? new Set(config.methods) : undefined;
  const allowHeader = config.methods ? { allow: [...new Set(config.methods)].join(', ') } : undefined;
  // Sources as the config wrote them, for the reasons (RegExp.source escapes every `/`).
  const denyPathSources = config.denyPaths ?? [];
  const denyQuerySources = config.denyQuery ?? [];
  const denyPaths = denyPathSources.map(compileRegex);
  const denyQuery = denyQuerySources.map(compileRegex);
  const headerRules: HeaderRule[] = (config.headers ?? []).map((rule) => {
    const kind = rule.require !== undefined ? 'require' : 'deny';
    const value = rule.require ?? rule.deny;
    return { name: rule.name, kind, pattern: typeof value === 'string' ? compileRegex(value) : undefined, source: String(value) };
  });
  const limits = config.limits ?? {};
  const { urlLength, headerBytes, headerCount, bodyBytes } = limits;
  const checksHead = headerBytes !== undefined || headerCount !== undefined;

  function bodyRefused(bytes: number): FilterRefusal {
    return refuse('EDGE_BODY_TOO_LARGE', `the body passed limits.bodyBytes ${bodyBytes} at ${bytes} bytes (no Content-Length announced its size)`);
  }

  function check(req: FilteredRequest, client: string): FilterRefusal | undefined {
    const raw = req.rawHeaders;
    let lengths = 0;
    let codings = 0;
    let bytes = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      bytes += name.length + raw[i + 1].length + 4;
      if (name.length === 14 && name.toLowerCase() === 'content-length') lengths++;
      else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') codings++;
    }
    if (lengths > 1 || (lengths === 1 && codings > 0))
      return refuse('EDGE_AMBIGUOUS_FRAMING', lengths > 1 ? `${lengths} Content-Length fields` : 'Content-Length with Transfer-Encoding');
    if (checksHead) {
      const count = raw.length / 2;
      if (headerCount !== undefined && count > headerCount)
        return refuse('EDGE_HEADERS_TOO_LARGE', `${count} header fields, above limits.headerCount ${headerCount}`);
      if (headerBytes !== undefined && bytes > headerBytes)
        return refuse('EDGE_HEADERS_TOO_LARGE', `${bytes} bytes of header fields, above limits.headerBytes ${headerBytes}`);
    }
    const url = req.url ?? '/';
    if (urlLength !== undefined && url.length > urlLength)
      return refuse('EDGE_URI_TOO_LONG', `a target of ${url.length} characters, above limits.urlLength ${urlLength}`);
    if (bodyBytes !== undefined) {
      const length = req.headers['content-length'];
      if (length !== undefined && Number(length) > bodyBytes)
        return refuse('EDGE_BODY_TOO_LARGE', `Content-Length ${length}, above limits.bodyBytes ${bodyBytes}`);
    }
    const method = req.method ?? 'GET';
    if (methods !== undefined && !methods.has(method))
      return refuse('EDGE_FILTER_METHOD_NOT_ALLOWED', `${method} is not in methods [${allowHeader!.allow}]`, allowHeader);
    if (denyList !== undefined || allowList !== undefined) {
      const refusal = checkAddress(client);
      if (refusal !== undefined) return refusal;
    }
    if (denyPaths.length > 0 || denyQuery.length > 0) {
      const refusal = checkTarget(url);
      if (refusal !== undefined) return refusal;
    }
    for (let i = 0; i < headerRules.length; i++) {
      const refusal = checkHeader(headerRules[i], ownField(req.headers, headerRules[i].name));
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }

  function checkAddress(client: string): FilterRefusal | undefined {
    const family = isIP(client);
    if (family === 0) return refuse('EDGE_FILTER_ADDRESS_DENIED', `the client address ${JSON.stringify(client)} is not an IP address`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (denyList?.check(client, type)) return refuse('EDGE_FILTER_ADDRESS_DENIED', `${client} is in deny ${firstMatch(deny, client, type)}`);
    if (allowList !== undefined && !allowList.check(client, type))
      return refuse('EDGE_FILTER_ADDRESS_DENIED', `${client} is in no allow entry`);
    return undefined;
  }

  function checkTarget(url: string): FilterRefusal | undefined {
    const mark = url.indexOf('?');
    if (denyPaths.length > 0) {
      const path = normalizePath(mark === -1 ? url : url.slice(0, mark));
      if (isPathRefusal(path)) return refuse('EDGE_BAD_REQUEST', `the path is refused: ${path.refused}`);
      if (path.length > MAX_REGEX_INPUT)
        return refuse('EDGE_FILTER_PATH_DENIED', `a path of ${path.length} characters is too long to check against denyPaths`);
      for (let i = 0; i < denyPaths.length; i++)
        if (denyPaths[i].test(path)) return refuse('EDGE_FILTER_PATH_DENIED', `${quote(path)} matches denyPaths ${denyPathSources[i]}`);
    }
    if (denyQuery.length > 0 && mark !== -1) {
      const query = decodeQuery(url.slice(mark + 1));
      if (query.length > MAX_REGEX_INPUT)
        return refuse('EDGE_FILTER_QUERY_DENIED', `a query of ${query.length} characters is too long to check against denyQuery`);
      for (let i = 0; i < denyQuery.length; i++)
        if (denyQuery[i].test(query)) return refuse('EDGE_FILTER_QUERY_DENIED', `the query matches denyQuery ${denyQuerySources[i]}`);
    }
    return undefined;
  }

  return { check, bodyBytes, bodyRefused };
}

function checkHeader(rule: HeaderRule, field: string | string[] | undefined): FilterRefusal | undefined {
  const value = field === undefined ? undefined : typeof field === 'string' ? field : field.join(', ');
  const { name, pattern, source } = rule;
  if (rule.kind === 'require') {
    if (value === undefined) return refuse('EDGE_FILTER_HEADER_REQUIRED', `the required header ${name} is missing`);
    if (pattern !== undefined && (value.length > MAX_REGEX_INPUT || !pattern.test(value)))
      return refuse('EDGE_FILTER_HEADER_REQUIRED', `${name} does not match the required ${source}`);
    return undefined;
  }
  if (value === undefined) return undefined;
  if (pattern === undefined) return refuse('EDGE_FILTER_HEADER_DENIED', `the header ${name} is denied`);
  if (value.length > MAX_REGEX_INPUT)
    return refuse('EDGE_FILTER_HEADER_DENIED', `${name} is ${value.length} characters, too long to check against ${source}`);
  if (pattern.test(value)) return refuse('EDGE_FILTER_HEADER_DENIED', `${name} matches the denied ${source}`);
  return undefined;
}

function refuse(code: EdgeErrorCode, what: string, headers?: Record<string, string>): FilterRefusal {
  const { status } = EDGE_ERRORS[code];
  return { code, status, reason: `filter: ${what} -> ${status}`, ...(headers ? { headers } : {}) };
}

/** One BlockList holding every entry, for the per-request check; undefined for no list. */
function combined(entries: readonly string[] | undefined): BlockList | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry);
  return list;
}

/** One BlockList per entry, to name the entry that matched (looked at only on a refusal). */
function addressRules(entries: readonly string[] | undefined): AddressRule[] {
  return (entries ?? []).map((entry) => {
    const list = new BlockList();
    addEntry(list, entry);
    return { entry, list };
  });
}

function addEntry(list: BlockList, entry: string): void {
  const [address, bits] = entry.split('/');
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(bits), type);
}

function firstMatch(rules: readonly AddressRule[], client: string, type: 'ipv4' | 'ipv6'): string {
  return rules.find((rule) => rule.list.check(client, type))?.entry ?? '';
}

/** A value as a reason quotes it: at most 100 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);
}
