/**
 * An aggregate upstream's path template (`/users/{route.param.id}`, `/orders?user={route.param.id}`),
 * compiled once. Each value filled in is percent-encoded, so a value can never add a segment or a
 * parameter (`1/../admin` stays one segment, `1&all=true` one value). In the path part, a value that
 * is empty, `.` or `..` is refused: it would name another resource (`/users/` is the collection), and
 * a normalising upstream would resolve `%2E%2E` as `..`.
 */
import { compileTemplate, renderTemplate, type Template, type TemplateScope } from '../transform/template.ts';

export interface UpstreamPath {
  /** The path to send for this request, or why the request cannot give one. */
  render(scope: TemplateScope): { path: string; problem?: undefined } | { path?: undefined; problem: string };
}

const NOT_A_SEGMENT = new Set(['', '.', '..']);

export function compileUpstreamPath(text: string): UpstreamPath {
  const template = compileTemplate(text);
  if (template.constant !== undefined) return { render: () => ({ path: template.constant! }) };
  const [path, query] = splitAtQuery(template);
  return {
    render(scope) {
      let refused: string | undefined;
      const renderedPath = renderTemplate(path, scope, (value) => {
        if (NOT_A_SEGMENT.has(value)) refused ??= JSON.stringify(value);
        return encodeURIComponent(value);
      });
      if (typeof renderedPath !== 'string') return { problem: renderedPath.absent };
      if (refused !== undefined) return { problem: `a path value cannot be ${refused}` };
      if (query === undefined) return { path: renderedPath };
      const renderedQuery = renderTemplate(query, scope, encodeURIComponent);
      if (typeof renderedQuery !== 'string') return { problem: renderedQuery.absent };
      return { path: `${renderedPath}?${renderedQuery}` };
    },
  };
}

/** The template's path part and, after the first literal `?`, its query part. */
function splitAtQuery(template: Template): [Template, Template | undefined] {
  const at = template.parts.findIndex((part) => typeof part === 'string' && part.includes('?'));
  if (at === -1) return [template, undefined];
  const literal = template.parts[at] as string;
  const q = literal.indexOf('?');
  const before = [...template.parts.slice(0, at), literal.slice(0, q)];
  const after = [literal.slice(q + 1), ...template.parts.slice(at + 1)];
  return [partsTemplate(before), partsTemplate(after)];
}

function partsTemplate(parts: Template['parts']): Template {
  const kept = parts.filter((part) => part !== '');
  return { parts: kept, constant: kept.every((part) => typeof part === 'string') ? kept.join('') : undefined };
}
