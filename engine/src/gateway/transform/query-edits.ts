/**
 * Query edits, compiled once from a route's config: remove, then set. The query is edited as the raw
 * text it arrived as, pair by pair, so the parameters a config does not name pass exactly as sent
 * (re-encoding the whole query would change them, and an upstream that signs URLs would notice).
 * `set` replaces every value of its name with one, added at the end; like a header's `set`, it owns
 * the parameter, so a value that cannot be made removes the one the client sent.
 */
import type { QueryEditsConfig } from '../../config/gateway/transform.ts';
import { shownValue } from './notes.ts';
import { compileTemplate, renderTemplate, type Template, type TemplateScope } from './template.ts';

export interface QueryEdits {
  /** The query to send (without `?`; `''` for none), or undefined when the request's is unchanged. */
  apply(scope: TemplateScope, notes: string[]): string | undefined;
}

export function compileQueryEdits(config: QueryEditsConfig): QueryEdits {
  const removes = new Set(config.remove ?? []);
  const sets: Array<{ name: string; template: Template }> = Object.entries(config.set ?? {}).map(([name, text]) => ({
    name,
    template: compileTemplate(text),
  }));
  const owned = new Set([...removes, ...sets.map((s) => s.name)]);
  return {
    apply(scope, notes) {
      const search = scope.view.search;
      const kept: string[] = [];
      const dropped = new Set<string>();
      if (search !== '') {
        for (const pair of search.split('&')) {
          const name = decodedName(pair);
          if (owned.has(name)) dropped.add(name);
          else kept.push(pair);
        }
      }
      for (const name of removes) if (dropped.has(name)) notes.push(`removed query ${name}`);
      let changed = dropped.size > 0;
      for (const { name, template } of sets) {
        const value = renderTemplate(template, scope);
        if (typeof value === 'string') {
          kept.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
          changed = true;
          notes.push(`set query ${name}=${shownValue(name, value)}`);
        } else {
          notes.push(`did not set query ${name}: ${value.absent}${dropped.has(name) ? ' (removed the one sent)' : ''}`);
        }
      }
      return changed ? kept.join('&') : undefined;
    },
  };
}

/** A pair's name as URLSearchParams reads it (`+` is a space); a malformed escape is compared as written. */
function decodedName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = (eq === -1 ? pair : pair.slice(0, eq)).replaceAll('+', ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A request target with its query replaced: `/a?x=1` with `y=2` is `/a?y=2`, with `''` it is `/a`. */
export function withQuery(target: string, query: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  return query === '' ? path : `${path}?${query}`;
}
