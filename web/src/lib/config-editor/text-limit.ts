import { LIMITS } from '../../../../engine/src/config/limits.ts';

/**
 * The most config text the page takes in one piece (a paste, an imported or dropped file, a shared
 * link), checked before anything parses it: YAML parsing and the engine's check both block, and a
 * 10 MB paste would stall the page for seconds. 512 KiB is far above any sandbox (the classic edge is
 * about 2 KB; the engine's own limit of 5000 values in a config fits in a fraction of it) and below the
 * engine's 1 MiB limit on the JSON body of PUT /api/config and POST /api/config/validate.
 */
export const MAX_CONFIG_TEXT = 512 * 1024;

/**
 * The deepest the page lets `[` and `{` nest before it parses: the YAML parser recurses once per level
 * and runs out of stack some thousands deep, after a second of work on every check ("Maximum call stack
 * size exceeded"). A config nests at most LIMITS.depth levels, so 64 refuses nothing that could run.
 */
export const MAX_FLOW_DEPTH = 64;

/** Why a text of `length` characters (or bytes) is refused, or undefined when it fits. */
export function textTooLong(length: number, what = 'this config'): string | undefined {
  if (length <= MAX_CONFIG_TEXT) return undefined;
  return `${what} is ${formatKiB(length)}, over the ${formatKiB(MAX_CONFIG_TEXT)} a config may be: refused before reading it, nothing changed`;
}

function formatKiB(length: number): string {
  return length >= 1024 * 1024 ? `${(length / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(length / 1024)} KiB`;
}

/** Why `text` is refused before parsing (too long, or flow collections nested too deep), or undefined. */
export function textRefused(text: string, what = 'this config'): string | undefined {
  const tooLong = textTooLong(text.length, what);
  if (tooLong !== undefined) return tooLong;
  if (flowDepth(text) <= MAX_FLOW_DEPTH) return undefined;
  return `${what} nests [ ] or { } more than ${MAX_FLOW_DEPTH} deep (a config nests at most ${LIMITS.depth.max} levels): refused before reading it, nothing changed`;
}

/**
 * How deep `[` and `{` nest in `text`, outside quoted scalars and comments. A quote opens a scalar only
 * where one may start (after a space, a line start or `[{,:`); an apostrophe inside a word does not.
 */
export function flowDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | null = null;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const before = i === 0 ? '\n' : text[i - 1];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote !== null) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && /[\s[{,:]/.test(before)) quote = c;
    else if (c === '#' && /\s/.test(before)) comment = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return deepest;
}
