/**
 * A small SSE reader for the stream's tests: a real node:http request whose body is parsed by the
 * wire format of wire.ts, and that can stop reading its socket the way a frozen browser tab does.
 */
import { request, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { EngineEvent } from '../events.ts';
import type { StreamDroppedNotice, StreamItem } from './wire.ts';

export interface SseMessage {
  id: string | undefined;
  items: StreamItem[];
}

export class SseTestClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  readonly #req: ClientRequest;
  readonly #res: IncomingMessage;
  #unparsed = '';
  #lastId: string | undefined;

  private constructor(req: ClientRequest, res: IncomingMessage) {
    this.#req = req;
    this.#res = res;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.#parse(chunk));
    res.on('close', () => (this.ended = true));
    res.on('error', () => (this.ended = true));
  }

  /** Resolves once the response headers arrived. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) =>
        resolve(new SseTestClient(req, res)),
      );
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number | undefined {
    return this.#res.statusCode;
  }

  get headers(): IncomingHttpHeaders {
    return this.#res.headers;
  }

  get items(): StreamItem[] {
    return this.messages.flatMap((message) => message.items);
  }

  get events(): EngineEvent[] {
    return this.items.filter((item): item is EngineEvent => item.type !== 'stream.dropped');
  }

  get notices(): StreamDroppedNotice[] {
    return this.items.filter((item): item is StreamDroppedNotice => item.type === 'stream.dropped');
  }

  /** The id the browser would resume with: the last one received, from a message or from an id-only block (the preamble). */
  get lastId(): string | undefined {
    return this.#lastId;
  }

  /** Stop reading: the socket's receive buffer fills and the server's writes back up. */
  pause(): void {
    this.#res.pause();
  }

  resume(): void {
    this.#res.resume();
  }

  close(): void {
    this.#req.destroy();
  }

  #parse(chunk: string): void {
    this.#unparsed += chunk;
    let end: number;
    while ((end = this.#unparsed.indexOf('\n\n')) !== -1) {
      const block = this.#unparsed.slice(0, end);
      this.#unparsed = this.#unparsed.slice(end + 2);
      let id: string | undefined;
      let data: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data = line.slice(6);
        else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
        else throw new Error(`unexpected SSE line: ${line.slice(0, 80)}`);
      }
      if (id !== undefined) this.#lastId = id;
      if (data !== undefined) this.messages.push({ id, items: JSON.parse(data) as StreamItem[] });
    }
  }
}
