/**
 * Places in a YAML config's text, both ways: where the cursor is in the config's structure (the path
 * to complete or explain, and whether a key or a value is being typed), and where in the text a path
 * the engine names in an error is (`nodes[2] (users-9).targets[0]`) so the editor can underline it.
 *
 * The cursor's place is found by putting a marker where the learner is typing and parsing the text
 * with the `yaml` library: the marker lands as a key or as a value, and its path is the answer. That
 * works on half-written configs (an empty line under a node, `kind: ` with nothing after it), which a
 * parse of the text as it is cannot place.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { PathSegment } from './schema-at.ts';

const MARKER = 'edgelabcursor';

export interface CursorPlace {
  /** Typing a key of the object at `path`, or the value at `path`. */
  kind: 'key' | 'value';
  path: PathSegment[];
  /** Where the word being typed starts (what a completion replaces, up to the cursor). */
  from: number;
  /** The config as parsed with the word left out (for narrowing unions by `kind`), or undefined if unparseable. */
  doc: unknown;
}

/** What is being typed at `offset` of `text`, or undefined where nothing can be completed (a comment, a broken line). */
export function cursorPlace(text: string, offset: number): CursorPlace | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const word = /[\w.-]*$/.exec(before)![0];
  const from = offset - word.length;
  const lead = before.slice(0, before.length - word.length);
  if (lead.includes('#')) return undefined;
  const lineEnd = text.indexOf('\n', offset);
  const after = text.slice(offset, lineEnd === -1 ? text.length : lineEnd);
  // Only indentation (and list dashes) before the word: a key is being typed; else a value after `key: `.
  const keyPosition = /^\s*$/.test(lead);
  const valuePosition = /:\s+$/.test(lead) || /^\s*(- )+$/.test(lead);
  if (!keyPosition && !valuePosition) return undefined;
  const restOfWord = /^[\w.-]*/.exec(after)![0];
  const tail = text.slice(offset + restOfWord.length);
  const withMarker = text.slice(0, from) + (keyPosition ? `${MARKER}: ` : MARKER) + tail;
  const document = parseDocument(withMarker, { uniqueKeys: false });
  const found = findMarker(document.contents as Node | null, []);
  if (found === undefined) return undefined;
  const withoutWord = parseDocument(text.slice(0, from) + tail, { uniqueKeys: false });
  const doc = valueOf(withoutWord.errors.length === 0 ? withoutWord : document);
  return { kind: found.kind, path: found.path, from, doc: doc === undefined ? undefined : stripMarker(doc) };
}

function findMarker(node: Node | null, path: PathSegment[]): { kind: 'key' | 'value'; path: PathSegment[] } | undefined {
  if (node === null) return undefined;
  if (isScalar(node)) return node.value === MARKER ? { kind: 'value', path } : undefined;
  if (isMap(node)) {
    for (const item of node.items as Pair[]) {
      const key = isScalar(item.key) ? item.key.value : undefined;
      if (key === MARKER) return { kind: 'key', path };
      const found = findMarker(item.value as Node | null, [...path, String(key)]);
      if (found !== undefined) return found;
    }
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const found = findMarker(node.items[i] as Node | null, [...path, i]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function stripMarker(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== MARKER).map(stripMarker);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([k, v]) => k !== MARKER && v !== MARKER).map(([k, v]) => [k, stripMarker(v)]));
  }
  return value;
}

/** The path of the key under `offset` (for hover help), with the parsed config; undefined off a key or in broken text. */
export function keyPathAt(text: string, offset: number): { path: PathSegment[]; doc: unknown } | undefined {
  const document = parseDocument(text, { uniqueKeys: false });
  if (document.errors.length > 0) return undefined;
  const path = findKey(document.contents as Node | null, offset, []);
  return path === undefined ? undefined : { path, doc: valueOf(document) };
}

/** The document's value, or undefined where it has none: aliases that expand without bound (a "billion laughs") throw. */
function valueOf(document: Document): unknown {
  try {
    return document.toJS();
  } catch {
    return undefined;
  }
}

function findKey(node: Node | null, offset: number, path: PathSegment[]): PathSegment[] | undefined {
  if (node === null || !node.range || offset < node.range[0] || offset > node.range[2]) return undefined;
  if (isMap(node)) {
    for (const item of node.items as Pair[]) {
      if (!isScalar(item.key)) continue;
      const keyPath = [...path, String(item.key.value)];
      const [from, to] = item.key.range!;
      if (offset >= from && offset <= to) return keyPath;
      const found = findKey(item.value as Node | null, offset, keyPath);
      if (found !== undefined) return found;
    }
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const found = findKey(node.items[i] as Node | null, offset, [...path, i]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export interface TextRange {
  from: number;
  to: number;
}

/**
 * Where `path` is in `text`: the key and value of that field, the item of a list, or, for a field
 * that is missing, the nearest place above it that exists (its object's first line). Undefined when
 * the text does not parse.
 */
export function rangeOfPath(text: string, path: readonly PathSegment[]): TextRange | undefined {
  const document = parseDocument(text, { uniqueKeys: false, lineCounter: new LineCounter() });
  let node = document.contents as Node | null;
  if (node === null) return { from: 0, to: firstLineEnd(text, 0) };
  let range: TextRange = wholeFirstLine(text, node);
  for (const segment of path) {
    let next: { node: Node | null; range: TextRange } | undefined;
    if (isMap(node) && typeof segment === 'string') {
      const pair: Pair | undefined = (node.items as Pair[]).find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (pair !== undefined && isPair(pair) && isScalar(pair.key) && pair.key.range) {
        const value = pair.value as Node | null;
        const to: number = value?.range ? valueEnd(text, value) : pair.key.range[1];
        next = { node: value, range: { from: pair.key.range[0], to } };
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item?.range) next = { node: item, range: { from: item.range[0], to: valueEnd(text, item) } };
    }
    if (next === undefined) return range;
    range = next.range;
    if (next.node === null) return range;
    node = next.node;
  }
  return range;
}

/** The end of a value, without the trailing newline a block value's range takes in. */
function valueEnd(text: string, node: Node): number {
  let end = node.range![1];
  while (end > node.range![0] && /\s/.test(text[end - 1])) end--;
  return end;
}

function wholeFirstLine(text: string, node: Node): TextRange {
  const from = node.range?.[0] ?? 0;
  return { from, to: firstLineEnd(text, from) };
}

function firstLineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}
