/**
 * Field builders the config's schema files share (schema.ts and the gateway's fragments in
 * config/gateway/): lists, strings and paths bounded by their limits, with the limits' messages.
 */
import { z } from 'zod';
import { parseByteSize } from '../service/service-body.ts';
import { LIMITS, limitMessage, type Limit } from './limits.ts';
/** A list of at most `limit.max` items, with the limit's message. */
export function limitedArray<T extends z.ZodType>(item: T, limit: Limit) {
  return z.array(item).max(limit.max, limitMessage(limit));
}

/** A string of at most `limit.max` characters, with the limit's message. */
export function limitedString(limit: Limit) {
  return z.string().max(limit.max, limitMessage(limit));
}

/**
 * C0 and C1 control characters (escape sequences, line breaks, tabs, the bell) and the bidirectional
 * controls that reorder the text after them: a name holding them, printed by `edgelab run`, cleared
 * the learner's terminal (ESC [2J) or rewrote its line (CR).
 */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const UNSHOWABLE_EACH = new RegExp(UNSHOWABLE.source, 'g');

/**
 * `text` with each character shownText refuses written as an escape (`\u001b`): what an error echoes of
 * a config (an unknown key, a file name, a regex) could otherwise clear the terminal that prints it.
 */
export function escapeUnshowable(text: string): string {
  return text.replace(UNSHOWABLE_EACH, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string a person reads (a name, a label: in the page, in the terminal): no control characters. */
export function shownText<T extends z.ZodString>(text: T): T {
  return text.refine((value) => !UNSHOWABLE.test(value), {
    message: 'expected text without control characters (escape sequences, line breaks, tabs, bidirectional overrides): it is shown in the page and printed in the terminal',
  }) as T;
}

/** A request path as a config writes it (a route's match, a health check's path): starts with `/`. */
export const PathSpec = limitedString(LIMITS.pathLength).startsWith('/');

/**
 * A byte count as a config writes it: a whole number, or a string with a unit (`512b`, `8kb`, `1.5mb`,
 * `1gb`, any case; 1kb = 1024 bytes), from `min` to `max`, as bytes. `like` gives two examples for the messages ("2kb or
 * 1.5mb"); `bound` says the largest allowed in words ("at most 64mb"), when there is one to say.
 */
export function byteSize({
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
  like,
  bound,
  description,
}: {
  min?: number;
  max?: number;
  like: string;
  bound?: string;
  description?: string;
}) {
  const limits = bound === undefined ? '' : ` (${bound})`;
  description ??= `bytes, or a string with a unit: ${like} (1kb = 1024 bytes)${bound === undefined ? '' : `, ${bound}`}`;
  return (
    z
      // The number's bounds are checked below, with the value in the message; the JSON Schema still states them.
      .union([z.number().meta({ type: 'integer', minimum: min, maximum: max }), z.string()])
      .meta({ description })
      .transform((value, ctx) => {
        const bytes = parseByteSize(value);
        const problem =
          bytes === undefined
            ? `expected a size like ${like}${limits}`
            : bytes < min
              ? `must be at least ${min} ${min === 1 ? 'byte' : 'bytes'}`
              : bytes > max
                ? (bound ?? `must be at most ${max} bytes`)
                : undefined;
        if (problem !== undefined) {
          ctx.addIssue({ code: 'custom', message: `${problem}, got ${JSON.stringify(value)}` });
          return z.NEVER;
        }
        return bytes;
      })
  );
}
