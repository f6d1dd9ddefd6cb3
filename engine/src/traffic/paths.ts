/**
 * Path templates for generated traffic: `{1..50}` draws an integer in the range, `{a,b,c}` one of the
 * words. `/users/{1..50}` gives `/users/17`. Compiled once; each draw uses the injected random source.
 */
export type PathTemplate = (rng: () => number) => string;

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function compilePath(template: string): PathTemplate {
  const parts: Array<string | ((rng: () => number) => string)> = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index));
    parts.push(placeholder(match[1], template));
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  if (parts.length === 1) return () => template;
  return (rng) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(rng);
    return out;
  };
}

function placeholder(body: string, template: string): (rng: () => number) => string {
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (hi < lo) throw new Error(`path "${template}": range {${body}} is empty`);
    return (rng) => String(lo + Math.floor(rng() * (hi - lo + 1)));
  }
  const words = body.split(',').map((w) => w.trim());
  if (words.length < 2 || words.some((w) => w === '')) throw new Error(`path "${template}": expected {N..M} or {a,b,...}, got {${body}}`);
  return (rng) => words[Math.floor(rng() * words.length)];
}

/** The loopback address of virtual client `index`: 127.0.1.1, 127.0.2.1, ... one /24 per client first. */
export function clientAddress(index: number): string {
  return `127.0.${(index % 250) + 1}.${Math.floor(index / 250) + 1}`;
}
