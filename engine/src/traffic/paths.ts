/**
 * Path templates for generated traffic: `{1..50}` draws an integer in the range, `{a,b,c}` one of the
 * words, `{key}` a key from the flow's key popularity (uniform or Zipf, see keys.ts). `/users/{1..50}`
 * gives `/users/17`. Compiled once; each draw uses the injected random source. Compiling refuses a
 * template whose text or words could draw a path that cannot be sent (request-rules.ts).
 */
import { pathTextProblem } from './request-rules.ts';

export type PathTemplate = (rng: () => number, key?: () => number) => string;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KEY = 'key';

export function compilePath(template: string): PathTemplate {
  const parts: Array<string | PathTemplate> = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(literal(template.slice(last, match.index), template));
    parts.push(placeholder(match[1], template));
    last = match.index + match[0].length;
  }
  parts.push(literal(template.slice(last), template));
  if (parts.length === 1) return () => template;
  return (rng, key) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(rng, key);
    return out;
  };
}

/** `text`, when every character of it may be sent in a request-target; else throws, naming the template. */
function literal(text: string, template: string): string {
  const problem = pathTextProblem(text);
  if (problem !== undefined) throw new Error(`path ${JSON.stringify(template)}: ${problem}`);
  return text;
}

/** Whether the template draws from the flow's keys (it then needs `keys` in its flow). */
export function usesKey(template: string): boolean {
  for (const match of template.matchAll(PLACEHOLDER)) if (match[1].trim() === KEY) return true;
  return false;
}

function placeholder(body: string, template: string): PathTemplate {
  if (body.trim() === KEY) {
    return (_rng, key) => {
      if (!key) throw new Error(`path "${template}": {key} needs the flow's keys`);
      return String(key());
    };
  }
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (hi < lo) throw new Error(`path "${template}": range {${body}} is empty`);
    return (rng) => String(lo + Math.floor(rng() * (hi - lo + 1)));
  }
  const words = body.split(',').map((w) => w.trim());
  if (words.length < 2 || words.some((w) => w === ''))
    throw new Error(`path "${template}": expected {N..M}, {a,b,...} or {key}, got {${body}}`);
  for (const word of words) literal(word, template);
  return (rng) => words[Math.floor(rng() * words.length)];
}

/**
 * The loopback address of virtual client `index` of flow `flow`: 127.0.1.1, 127.0.2.1, ... one /24 per
 * client first; the second flow's clients are 127.1.1.1, 127.1.2.1, ..., so no two flows share an
 * address and a flow of one abusive client is told apart from the crowd by its address alone.
 */
export function clientAddress(index: number, flow = 0): string {
  return `127.${flow}.${(index % 250) + 1}.${Math.floor(index / 250) + 1}`;
}
