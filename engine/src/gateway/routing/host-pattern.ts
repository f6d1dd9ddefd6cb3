/**
 * A route's `host`: an exact name (`api.example.com`) or a leading wildcard (`*.example.com`, one or
 * more labels before the suffix, never the bare suffix: as Gateway API hostnames and Envoy's virtual
 * host domains read it). Names compare case-insensitively (RFC 9110 section 4.2.3); a trailing dot is
 * dropped; the port is compared only when the pattern writes one (a Host without a port is port 80).
 */

export interface HostPattern {
  /** As written, for descriptions. */
  readonly text: string;
  /** Lower case, without `*.` or port: `example.com` for `*.example.com`. */
  readonly name: string;
  /** `.example.com` for `*.example.com`; undefined for an exact name. */
  readonly suffix: string | undefined;
  readonly port: string | undefined;
}

/** The Host of a request, split once: lower-case name without a trailing dot, and the port if any. */
export interface RequestHost {
  readonly name: string;
  readonly port: string | undefined;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** Why `text` cannot be a host pattern, or undefined when it can. */
export function hostPatternProblem(text: string): string | undefined {
  const { name, port } = splitHostPort(text.toLowerCase());
  if (port !== undefined && !/^[1-9]\d{0,4}$/.test(port)) return `"${text}": the port must be a number from 1 to 65535`;
  if (port !== undefined && Number(port) > 65535) return `"${text}": the port must be a number from 1 to 65535`;
  if (name === '*') return 'leave host out to match every host';
  if (IPV6.test(name)) return undefined;
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  if (bare.length === 0 || bare.length > 253) return `"${text}": expected a host name such as api.example.com or *.example.com`;
  if (bare.includes('*')) return `"${text}": a wildcard is only allowed as the whole first label (*.example.com)`;
  const labels = (bare.endsWith('.') ? bare.slice(0, -1) : bare).split('.');
  if (!labels.every((label) => LABEL.test(label))) {
    return `"${text}": expected a host name such as api.example.com or *.example.com (labels of letters, digits and dashes)`;
  }
  return undefined;
}

/** The compiled form of a pattern that passed hostPatternProblem. */
export function compileHostPattern(text: string): HostPattern {
  const { name, port } = splitHostPort(text.toLowerCase());
  const bare = stripDot(name.startsWith('*.') ? name.slice(2) : name);
  return { text, name: bare, suffix: name.startsWith('*.') ? `.${bare}` : undefined, port };
}

/** A request's Host header, split for matching (undefined when there is none). */
export function requestHost(header: string | undefined): RequestHost | undefined {
  if (header === undefined) return undefined;
  const { name, port } = splitHostPort(header.toLowerCase());
  return { name: stripDot(name), port };
}

export function hostMatches(pattern: HostPattern, host: RequestHost | undefined): boolean {
  if (host === undefined) return false;
  if (pattern.port !== undefined && (host.port ?? '80') !== pattern.port) return false;
  return pattern.suffix === undefined
    ? host.name === pattern.name
    : host.name.length > pattern.suffix.length && host.name.endsWith(pattern.suffix);
}

/** True when every host `inner` matches is also matched by `outer` (for shadowed routes). */
export function hostCovers(outer: HostPattern, inner: HostPattern): boolean {
  if (outer.port !== undefined && inner.port !== outer.port) return false;
  if (outer.suffix === undefined) return inner.suffix === undefined && inner.name === outer.name;
  const innerName = inner.suffix === undefined ? inner.name : inner.suffix;
  return innerName.length > outer.suffix.length ? innerName.endsWith(outer.suffix) : inner.suffix === outer.suffix;
}

function splitHostPort(host: string): { name: string; port: string | undefined } {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || (host.startsWith('[') && host.indexOf(']') > colon)) return { name: host, port: undefined };
  return { name: host.slice(0, colon), port: host.slice(colon + 1) };
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
