/**
 * JSON body edits, compiled once from a route's config: remove, then rename, then set, as Kong's
 * request transformer orders them (the config check guarantees no two edits touch overlapping paths,
 * so the order only decides what the reasons list first). A string value of `set` is a template;
 * other values are constants. Like a header's `set`, a body `set` owns its field: a value that cannot
 * be made for this request removes the field the client sent.
 */
import type { BodyEditsConfig } from '../../config/gateway/transform.ts';
import { parentOf, parseBodyPath, type BodyPath, type JsonObject } from './body-path.ts';
import { shownValue } from './notes.ts';
import { compileTemplate, renderTemplate, type TemplateScope } from './template.ts';

export interface BodyEdits {
  /** Edits a parsed JSON object body in place; true when anything changed. Notes say what happened. */
  apply(body: JsonObject, scope: TemplateScope, notes: string[]): boolean;
}

interface Field {
  text: string;
  path: BodyPath;
}

export function compileBodyEdits(config: BodyEditsConfig): BodyEdits {
  const removes = (config.remove ?? []).map(field);
  const renames = Object.entries(config.rename ?? {}).map(([from, to]) => ({ from: field(from), to: field(to) }));
  const sets = Object.entries(config.set ?? {}).map(([text, value]) => ({
    ...field(text),
    template: typeof value === 'string' ? compileTemplate(value) : undefined,
    constant: value,
    shownConstant: typeof value === 'string' ? undefined : shownValue(text, JSON.stringify(value)),
  }));
  return {
    apply(body, scope, notes) {
      let changed = false;
      for (const { text, path } of removes) {
        if (take(body, path) === ABSENT) continue;
        changed = true;
        notes.push(`removed body ${text}`);
      }
      for (const { from, to } of renames) {
        const source = parentOf(body, from.path, false);
        const key = last(from.path);
        if (typeof source === 'string' || !Object.hasOwn(source, key)) continue;
        const target = parentOf(body, to.path, true);
        if (typeof target === 'string') {
          notes.push(`did not rename body ${from.text}: ${target} is not an object`);
          continue;
        }
        target[last(to.path)] = source[key];
        delete source[key];
        changed = true;
        notes.push(`renamed body ${from.text} -> ${to.text}`);
      }
      for (const { text, path, template, constant, shownConstant } of sets) {
        let made = constant;
        if (template !== undefined) {
          const rendered = renderTemplate(template, scope);
          if (typeof rendered !== 'string') {
            const sent = take(body, path) !== ABSENT;
            changed ||= sent;
            notes.push(`did not set body ${text}: ${rendered.absent}${sent ? ' (removed the one sent)' : ''}`);
            continue;
          }
          made = rendered;
        }
        const parent = parentOf(body, path, true);
        if (typeof parent === 'string') {
          notes.push(`did not set body ${text}: ${parent} is not an object`);
          continue;
        }
        parent[last(path)] = made;
        changed = true;
        notes.push(`set body ${text} = ${shownConstant ?? shownValue(text, JSON.stringify(made))}`);
      }
      return changed;
    },
  };
}

function field(text: string): Field {
  const path = parseBodyPath(text);
  if ('error' in path) throw new Error(`unchecked body path ${JSON.stringify(text)}: ${path.error}`);
  return { text, path };
}

const ABSENT = Symbol('absent');

/** Removes the field at `path` and gives its value, or ABSENT when there is none. */
function take(body: JsonObject, path: BodyPath): unknown {
  const parent = parentOf(body, path, false);
  const key = last(path);
  if (typeof parent === 'string' || !Object.hasOwn(parent, key)) return ABSENT;
  const value = parent[key];
  delete parent[key];
  return value;
}

function last(path: BodyPath): string {
  return path[path.length - 1];
}
