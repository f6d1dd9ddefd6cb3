/**
 * Whether the head a connection's HTTP/1.1 parser is reading is still in its request line, across the
 * TCP reads it came in. Node's parser reports an oversized head (HPE_HEADER_OVERFLOW) with the last
 * read alone, and a request line that began in an earlier read looks there like the tail of a header:
 * it got 431 where one read got 414. After each read the parser took whole and ended inside a head,
 * that read is searched for the line's end; a read that ends no head inside (every ordinary request,
 * every body) costs one check. Nothing is known of a read's split between two pipelined messages: a
 * head that begins in a read after the previous message's body is taken to begin after its last blank line.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** The slot of the callback Node's parser calls after each read it parsed (Node sets it per connection, and clears it when the parser is freed). */
const ON_EXECUTE = (createRequire(import.meta.url)('_http_common') as { HTTPParser: { kOnExecute: number } }).HTTPParser.kOnExecute;

const HEAD = Symbol('head in progress');

interface HeadInProgress {
  /** Whether the head in progress at the end of the last read had not ended its first line; undefined when no head was in progress. */
  lineOpen: boolean | undefined;
  /** The last message whose head was complete at the end of the last read (a new one means a head ended, and maybe another began, in a read). */
  incoming: unknown;
}

type ParsedSocket = Socket & { parser?: Parser | null; [HEAD]?: HeadInProgress };
type Parser = {
  headersCompleted(): boolean;
  getCurrentBuffer(): Buffer;
  incoming: unknown;
} & Record<number, ((ret: unknown) => unknown) | null>;

const LF = 0x0a;

/** Follow the heads on a connection an HTTP server just took (its parser is set by then); a no-op where Node's parser is not there. */
export function watchRequestLine(socket: Socket): void {
  const parser = (socket as ParsedSocket).parser;
  const onExecute = parser?.[ON_EXECUTE];
  if (!parser || typeof onExecute !== 'function' || typeof parser.headersCompleted !== 'function') return;
  const head: HeadInProgress = { lineOpen: undefined, incoming: parser.incoming };
  (socket as ParsedSocket)[HEAD] = head;
  parser[ON_EXECUTE] = (ret: unknown) => {
    if (typeof ret === 'number') follow(parser, head);
    return onExecute(ret);
  };
}

/** Whether the connection's head in progress had not ended its request line by the end of the read before the last. */
export function requestLineOpen(socket: Socket): boolean {
  return (socket as ParsedSocket)[HEAD]?.lineOpen === true;
}

function follow(parser: Parser, head: HeadInProgress): void {
  const began = parser.incoming !== head.incoming;
  head.incoming = parser.incoming;
  if (parser.headersCompleted()) {
    head.lineOpen = undefined;
    return;
  }
  const read = parser.getCurrentBuffer();
  if (head.lineOpen === undefined || began) head.lineOpen = read.indexOf(LF, headStart(read)) === -1;
  else if (head.lineOpen) head.lineOpen = read.indexOf(LF) === -1;
}

/** Where a head that began in `read` begins: after the read's last blank line (the end of the head before it), and any empty lines. */
function headStart(read: Buffer): number {
  let at = read.lastIndexOf('\n\r\n');
  at = at === -1 ? 0 : at + 3;
  while (at < read.length && (read[at] === 0x0d || read[at] === LF)) at++;
  return at;
}
