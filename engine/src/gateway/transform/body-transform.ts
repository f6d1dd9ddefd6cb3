/**
 * One side's body step: reads a message body that is a JSON object of at most LIMITS.jsonBody bytes
 * (or takes one a node gathered), edits it, and gives the bytes to send. Everything else passes exactly as it came, with the reason
 * in the notes: no body, not JSON, content-coded, too large (streamed on, never cut), not valid JSON,
 * not an object, or holding a number a rewrite would change. A body nothing changed is sent as the
 * original bytes, so its Content-Length and validators stay right; a changed one is reframed
 * (json-message.ts says how).
 */
import { isJsonObject, type JsonObject } from './body-path.ts';
import type { BodyEdits } from './body-edits.ts';
import type { HeaderBag } from './header-edits.ts';
import {
  declaredLengthReason,
  JSON_BODY_LIMIT,
  notJsonReason,
  parseJsonExactly,
  readUpTo,
  reframeChangedBody,
  tooLargeReason,
} from './json-message.ts';
import type { TemplateScope } from './template.ts';

export interface BodyResult {
  /** Whether the body was rewritten (its headers then are too). */
  changed: boolean;
  /** What to send: the new or original bytes, or the original stream when the body was not read or too large. */
  body: Buffer | AsyncIterable<Uint8Array>;
}

export class BodyTransform {
  /** The largest body `apply` edits: a node that gathers bodies for it gathers at most this much. */
  readonly maxBodyBytes = JSON_BODY_LIMIT;

  constructor(readonly edits: BodyEdits) {}

  /**
   * Reads and transforms the body of a request (`status` undefined) or of a response to `scope.view`'s
   * request. `headers` are the message's as received (the hop rules not yet applied, so a chunked body
   * still says so), edited in place when the body changes. Rejects only when `source` fails.
   */
  async run(
    source: AsyncIterable<Uint8Array>,
    headers: HeaderBag,
    scope: TemplateScope,
    notes: string[],
    status?: number,
  ): Promise<BodyResult> {
    if (!hasBody(headers, scope.view.method, status)) return { changed: false, body: source };
    const unread = notJsonReason(headers) ?? declaredLengthReason(headers);
    if (unread !== undefined) return passed(source, notes, unread);
    const read = await readUpTo(source, JSON_BODY_LIMIT);
    if (read.rest) return passed(read.rest, notes, tooLargeReason());
    const changed = this.#edit(read.whole, headers, scope, notes);
    return changed === undefined ? { changed: false, body: read.whole } : { changed: true, body: changed };
  }

  /**
   * Transforms a body already gathered whole (a response step's): the new bytes, with `headers`
   * reframed in place, or undefined when it passes unchanged (the reason in `notes`).
   */
  apply(body: Buffer, headers: HeaderBag, scope: TemplateScope, notes: string[], status?: number): Buffer | undefined {
    if (!hasBody(headers, scope.view.method, status)) return undefined;
    const unread = notJsonReason(headers) ?? (body.length > JSON_BODY_LIMIT ? tooLargeReason() : undefined);
    if (unread !== undefined) {
      notes.push(passedNote(unread));
      return undefined;
    }
    return this.#edit(body, headers, scope, notes);
  }

  /** The edited body of a JSON message read whole, or undefined when it stays as it is. */
  #edit(original: Buffer, headers: HeaderBag, scope: TemplateScope, notes: string[]): Buffer | undefined {
    if (original.length === 0) return undefined;
    const parsed = parseJsonExactly(original.toString('utf8'));
    const unfit =
      parsed.problem ??
      (isJsonObject(parsed.value) ? undefined : `a JSON ${Array.isArray(parsed.value) ? 'array' : 'value'}, not an object`);
    if (unfit !== undefined) {
      notes.push(passedNote(unfit));
      return undefined;
    }
    if (!this.edits.apply(parsed.value as JsonObject, scope, notes)) return undefined;
    const body = Buffer.from(JSON.stringify(parsed.value));
    reframeChangedBody(headers, body.length);
    return body;
  }
}

function passed(body: AsyncIterable<Uint8Array>, notes: string[], reason: string): BodyResult {
  notes.push(passedNote(reason));
  return { changed: false, body };
}

function passedNote(reason: string): string {
  return `body passed unchanged: ${reason}`;
}

/** Whether the message carries a body at all (RFC 9110 section 6.4.1, RFC 9112 section 6.3). */
function hasBody(headers: HeaderBag, method: string, status: number | undefined): boolean {
  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) === 0) return false;
  if (status === undefined) return declared !== undefined || headers['transfer-encoding'] !== undefined;
  return method !== 'HEAD' && status >= 200 && status !== 204 && status !== 205 && status !== 304;
}
