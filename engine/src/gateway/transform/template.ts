/**
 * Value templates for transforms and aggregate paths: a string in which `{...}` names a value of the
 * request, filled in per request. One syntax everywhere, checked when the config is validated:
 *
 *   {consumer.name}         the consumer authentication identified
 *   {request.method}        GET, POST...
 *   {request.path}          the path as received, without the query
 *   {request.header.NAME}   a request header (several values joined with ", ")
 *   {request.query.NAME}    a query parameter, decoded (the first, when there are several)
 *   {route.param.NAME}      a parameter the route's path captured
 *
 * `{{` and `}}` are literal braces. A template is parsed once into literal text and references; a
 * reference to something the request does not have makes the whole value missing (never an empty
 * string), so the caller can say why and decide what a missing value means.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ownField } from '../../pipeline/headers.ts';

/** What a template reads from one request. The node builds it once per request; nothing here copies it. */
export interface RequestView {
  readonly method: string;
  /** The path as received, without the query. */
  readonly path: string;
  /** The query as received, after `?` (`''` when there is none). */
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  /** The consumer that authentication identified, if any. */
  readonly consumer?: { readonly name: string } | undefined;
  /** The parameters the route's path captured (`/users/:id` gives `id`). */
  readonly params?: Readonly<Record<string, string>> | undefined;
}

/**
 * One request's view while templates read it: the query is parsed on the first query reference only,
 * and once however many references read it.
 */
export class TemplateScope {
  #query: URLSearchParams | undefined;

  constructor(readonly view: RequestView) {}

  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.view.search));
  }
}

export interface Reference {
  /** As written, braces included: `{request.header.x-user}`. */
  readonly text: string;
  /** Why the value is missing, for a reason a learner reads: `the request has no header x-user`. */
  readonly absent: string;
  read(scope: TemplateScope): string | undefined;
}

export interface Template {
  /** Literal text and references, in order. */
  readonly parts: ReadonlyArray<string | Reference>;
  /** The whole text when the template has no reference. */
  readonly constant: string | undefined;
}

export const REFERENCE_FORMS =
  '{consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME}';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A template from its text, or why it is not one. */
export function parseTemplate(text: string): Template | { error: string } {
  const parts: Array<string | Reference> = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if ((char === '{' || char === '}') && text[i + 1] === char) {
      literal += char;
      i += 2;
      continue;
    }
    if (char === '}') return { error: 'a lone "}": write "}}" for a literal brace' };
    if (char !== '{') {
      literal += char;
      i++;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end === -1) return { error: 'a "{" without its "}": write "{{" for a literal brace' };
    const reference = parseReference(text.slice(i + 1, end));
    if ('error' in reference) return reference;
    if (literal) parts.push(literal);
    literal = '';
    parts.push(reference);
    i = end + 1;
  }
  if (literal || parts.length === 0) parts.push(literal);
  return { parts, constant: parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : undefined };
}

/** A template the config check has already accepted (an unchecked one is a bug, and throws). */
export function compileTemplate(text: string): Template {
  const parsed = parseTemplate(text);
  if ('error' in parsed) throw new Error(`unchecked template ${JSON.stringify(text)}: ${parsed.error}`);
  return parsed;
}

function parseReference(name: string): Reference | { error: string } {
  const text = `{${name}}`;
  if (name === 'consumer.name') return { text, absent: 'the request has no consumer', read: (s) => s.view.consumer?.name };
  if (name === 'request.method') return { text, absent: 'the request has no method', read: (s) => s.view.method };
  if (name === 'request.path') return { text, absent: 'the request has no path', read: (s) => s.view.path };
  if (name.startsWith('request.header.')) {
    const header = name.slice('request.header.'.length).toLowerCase();
    if (!HEADER_NAME.test(header)) return { error: `${text}: "${header}" is not a header name` };
    return {
      text,
      absent: `the request has no header ${header}`,
      read: (s) => {
        const value = ownField(s.view.headers, header);
        return Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }
  if (name.startsWith('request.query.')) {
    const key = name.slice('request.query.'.length);
    if (key === '') return { error: `${text}: name the query parameter` };
    return { text, absent: `the request has no query parameter ${key}`, read: (s) => s.query.get(key) ?? undefined };
  }
  if (name.startsWith('route.param.')) {
    const key = name.slice('route.param.'.length);
    if (!PARAM_NAME.test(key)) return { error: `${text}: "${key}" is not a parameter name (letters, digits and _)` };
    return {
      text,
      absent: `the route captured no parameter ${key}`,
      read: (s) => (s.view.params && Object.hasOwn(s.view.params, key) ? s.view.params[key] : undefined),
    };
  }
  return { error: `unknown reference ${text}: expected ${REFERENCE_FORMS}` };
}

/**
 * The template's value for one request, each reference's value passed through `encode` (a path
 * encodes them, a header takes them as they are); or the first reference the request lacks.
 */
export function renderTemplate(template: Template, scope: TemplateScope, encode?: (value: string) => string): string | Reference {
  if (template.constant !== undefined) return template.constant;
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = part.read(scope);
    if (value === undefined) return part;
    out += encode ? encode(value) : value;
  }
  return out;
}
