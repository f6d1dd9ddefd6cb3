/**
 * Header edits, compiled once from a route's config: remove, then set, then add (names lower-case, as
 * Node and undici hold them). `set` owns its header: when its value cannot be made for a request (no
 * consumer, a missing header), the header is removed rather than left as the client sent it, so a
 * client can never supply a value the gateway was meant to set. A value filled from the request is
 * checked as a field value (a decoded query parameter may hold CR or LF); one that fails is not set.
 */
import type { HeaderEditsConfig } from '../../config/gateway/transform.ts';
import { headerValueProblem } from '../../traffic/request-rules.ts';
import { shownValue } from './notes.ts';
import { compileTemplate, renderTemplate, type Template, type TemplateScope } from './template.ts';
import { ownField, setField } from '../../pipeline/headers.ts';

/** A message's headers as the node holds them: Node's IncomingHttpHeaders, OutgoingHttpHeaders, undici's. */
export type HeaderBag = Record<string, string | string[] | number | undefined>;

export interface HeaderEdits {
  /** Edits `headers` in place for one request, and says what it did in `notes`. */
  apply(headers: HeaderBag, scope: TemplateScope, notes: string[]): void;
}

interface Edit {
  name: string;
  template: Template;
}

export function compileHeaderEdits(config: HeaderEditsConfig): HeaderEdits {
  const edits = (record: Record<string, string> | undefined): Edit[] =>
    Object.entries(record ?? {}).map(([name, text]) => ({ name: name.toLowerCase(), template: compileTemplate(text) }));
  const removes = (config.remove ?? []).map((name) => name.toLowerCase());
  const sets = edits(config.set);
  const adds = edits(config.add);
  return {
    apply(headers, scope, notes) {
      for (const name of removes) {
        if (ownField(headers, name) === undefined) continue;
        delete headers[name];
        notes.push(`removed ${name}`);
      }
      for (const { name, template } of sets) {
        const value = valueOf(template, scope);
        if (value.ok) {
          setField(headers, name, value.text);
          notes.push(`set ${name}: ${shownValue(name, value.text)}`);
          continue;
        }
        const sent = ownField(headers, name) !== undefined;
        if (sent) delete headers[name];
        notes.push(`did not set ${name}: ${value.why}${sent ? ' (removed the one sent)' : ''}`);
      }
      for (const { name, template } of adds) {
        const value = valueOf(template, scope);
        if (!value.ok) {
          notes.push(`did not add ${name}: ${value.why}`);
          continue;
        }
        const existing = ownField(headers, name);
        setField(
          headers,
          name,
          existing === undefined ? value.text : Array.isArray(existing) ? [...existing, value.text] : [String(existing), value.text],
        );
        notes.push(`added ${name}: ${shownValue(name, value.text)}`);
      }
    },
  };
}

function valueOf(template: Template, scope: TemplateScope): { ok: true; text: string } | { ok: false; why: string } {
  const rendered = renderTemplate(template, scope);
  if (typeof rendered !== 'string') return { ok: false, why: rendered.absent };
  // A constant was checked with the config; only what came from the request is checked here.
  const problem = template.constant === undefined ? headerValueProblem(rendered) : undefined;
  return problem === undefined ? { ok: true, text: rendered } : { ok: false, why: problem };
}
