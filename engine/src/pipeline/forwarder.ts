/**
 * Sends one request to an upstream over a keep-alive undici pool and streams the response back,
 * applying the proxy header rules in both directions, and the exchange's response steps. Bodies stream
 * both ways; only a response step that asks for the body (a JSON transform) has it gathered first, and
 * one that codes it (compression) has it stream through its coder, with the client's backpressure.
 * A failure before the response starts becomes a stable edge error (502, 504); after it started, the
 * downstream connection is cut, as nginx does, because the status line is already gone. A caller that
 * retries may take a failure back while nothing has reached the client yet (TryOwner.retries).
 */
import { STATUS_CODES, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { EXCHANGE, type Exchange } from './exchange.ts';
import { downstreamResponseHeadersFromRaw, endToEndFieldsFromRaw, hasHttp2Body, upstreamRequestHeaders } from './headers.ts';
import { upstreamErrorCode } from './failures.ts';
import type { EdgeErrorCode } from '../errors.ts';

export interface ForwardResult {
  status: number | undefined;
  error: EdgeErrorCode | undefined;
}

/**
 * Who sent a try (the node's runner), told how it goes. One long-lived object per node, handed the
 * try's own `context` back, so a try costs no closures.
 */
export interface TryOwner<C> {
  /**
   * Asked at most once, when the try failed (an error, or a 5xx status) while nothing has been sent
   * downstream yet. True means the owner will try again: nothing of this try reaches the client (a
   * 5xx body is read and dropped, keeping the connection), and `ended` still reports the failure.
   */
  retries(exchange: Exchange, context: C, failure: ForwardResult): boolean;
  /** Once, when the try is over (answered, failed, or taken back for a retry). */
  ended(exchange: Exchange, context: C, result: ForwardResult): void;
}

export interface Hop {
  nodeId: string;
  /** This node's `127.0.0.1:PORT` as the `by=` of `Forwarded` (`"127.0.0.1:8080"`), formatted once. */
  forwardedBy: string;
  responseTimeout: number;
  /** The node listens with TLS: its requests go upstream as `X-Forwarded-Proto: https`. */
  secure?: boolean;
}

/**
 * Forward the exchange's request to `pool` at `path`, stream the answer back, and tell `owner` how it
 * went. Uses undici's dispatcher directly (measured about 15% faster than `pool.stream`: bench/README.md):
 * headers and body chunks go from undici's parser straight into the response, unless a response step
 * wants the body (exchange.ts), which gathers it first.
 */
export function forward<C>(exchange: Exchange, pool: Pool, path: string, hop: Hop, owner: TryOwner<C>, context: C, headersTimeout?: number): void {
  const { req } = exchange;
  const received = exchange.requestHeaders ?? req.headers;
  const hasBody = received['content-length'] !== undefined || received['transfer-encoding'] !== undefined || hasHttp2Body(req);
  const dispatchOptions: Dispatcher.DispatchOptions = {
    path,
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(received, {
      nodeId: hop.nodeId,
      httpVersion: req.httpVersion,
      peer: req.socket.remoteAddress ?? '',
      forwardedBy: hop.forwardedBy,
      requestId: exchange.rid,
      trustedHop: exchange.trustedHop,
      secure: hop.secure,
    }),
    // undici takes any (async) iterable body, though its dispatch type lists only streams and buffers.
    body: (exchange.requestBody ?? (hasBody ? req : null)) as Dispatcher.DispatchOptions['body'],
    headersTimeout: headersTimeout ?? hop.responseTimeout,
    bodyTimeout: hop.responseTimeout,
  };
  const handler = new UpstreamExchange(exchange, hop.nodeId, owner, context);
  // undici checks its timeouts about once a second: a try's own (shorter) timeout gets a timer of its own.
  if (headersTimeout !== undefined && headersTimeout < hop.responseTimeout) handler.startTimer(headersTimeout);
  pool.dispatch(dispatchOptions, handler as Dispatcher.DispatchHandler);
}

/**
 * One request's conversation with its upstream, as an undici dispatch handler. It takes undici's raw
 * callbacks (`onConnect`, `onHeaders` with the raw field list, `onData`, `onComplete`, `onError`),
 * which undici 7 still drives every request with: the newer controller API wraps them in an adapter and
 * parses the fields into an object first, that we then copied again (headers.ts). Marked deprecated in
 * undici's types, so an undici upgrade must check them.
 */
class UpstreamExchange<C> {
  /** undici's abort for this request, from `onConnect`; called at most once (`#stop`). */
  #abort: ((reason?: Error) => void) | undefined;
  #aborted = false;
  #resume: (() => void) | undefined;
  #status: number | undefined;
  #settled = false;
  /** A 5xx the owner took back to retry: its body is read and dropped, nothing goes downstream. */
  #heldBack = false;
  /** A response step wants the body: the headers wait here while it is gathered, up to `#limit` bytes. */
  #held: { headers: OutgoingHttpHeaders; chunks: Buffer[]; size: number } | undefined;
  #limit = 0;
  /** The answer streams to the client chunked, as it came, so the upstream's trailer fields can follow it (`passesTrailers`). */
  #passTrailers = false;
  /** The exchange's hold (exchange.ts UpstreamHold) has been told how the response ended. */
  #holdEnded = false;
  /** The try's own time limit to the response headers, when it has one (TryTimeout). */
  #timer: NodeJS.Timeout | undefined;
  #expired = false;

  constructor(
    readonly exchange: Exchange,
    readonly nodeId: string,
    readonly owner: TryOwner<C>,
    readonly context: C,
  ) {
    // The node's own 'close' listener tells the try in flight (no second listener per response);
    // the rare 'drain' listener finds it through the response's exchange.
    exchange.upstreamTry = this;
  }

  /** Give up when the response headers have not come within `ms` of now. */
  startTimer(ms: number): void {
    this.#timer = setTimeout(tryTimedOut, ms, this);
  }

  /** The try's timer fired before the response headers came. */
  timedOut(): void {
    this.#timer = undefined;
    this.#expired = true;
    this.#stop(new TryTimeout());
  }

  /** Abort the upstream request (once: a timer and a leaving client may both ask). */
  #stop(reason: Error): void {
    if (this.#abort === undefined || this.#aborted) return;
    this.#aborted = true;
    this.#abort(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    // The timer may have fired while the request waited for a connection.
    if (this.#expired) this.#stop(new TryTimeout());
    // The client may have left while the request waited for a pooled connection.
    else if (this.exchange.res.destroyed) this.#stop(new ClientAbort());
  }

  /** The response head; false would pause the body (never wanted here). */
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText?: string): boolean {
    // An interim answer: the final one is still to come (RFC 9110 section 15.2).
    if (statusCode < 200) {
      this.#interim(statusCode, rawHeaders, statusText);
      return true;
    }
    this.#resume = resume;
    this.#status = statusCode;
    if (this.#timer) clearTimeout(this.#timer);
    const { exchange } = this;
    if (statusCode >= 500 && this.owner.retries(exchange, this.context, { status: statusCode, error: undefined })) {
      this.#heldBack = true;
      return true;
    }
    const out = downstreamResponseHeadersFromRaw(rawHeaders, { nodeId: this.nodeId, requestId: exchange.rid }, statusCode);
    this.#passTrailers = passesTrailers(exchange, statusCode, out);
    // Node refuses a head that announces trailers it will not send (ERR_HTTP_TRAILER_INVALID): a 502 for a good answer.
    if (!this.#passTrailers && out.trailer !== undefined) delete out.trailer;
    const hold = exchange.hold;
    if (hold !== undefined) {
      this.#limit = hold.begin(statusCode, out);
      if (this.#limit > 0) {
        this.#held = { headers: out, chunks: [], size: 0 };
        return true;
      }
      this.#holdEnded = true;
      hold.passed(statusCode, out);
      exchange.applyResponseHeaders(statusCode, out);
    } else if (exchange.responseSteps !== undefined) {
      exchange.applyResponseHeaders(statusCode, out);
      this.#limit = mayHaveBody(exchange.req.method, statusCode) ? exchange.bodyStepLimit() : 0;
      if (this.#limit > 0) {
        this.#held = { headers: out, chunks: [], size: 0 };
        return true;
      }
    }
    this.#writeHead(statusCode, out);
    return true;
  }

  /**
   * An interim answer goes on to the client before the final one, as RFC 9110 section 15.2 asks of a
   * proxy, unless the answer already started, and never to an HTTP/1.0 client (HTTP/1.0 has no 1xx). A
   * 103 Early Hints with its Link fields (Node writes it, over HTTP/2 too: `writeEarlyHints`), so the
   * client may act on it before the final answer comes; any other (102, an unknown 1xx) to an HTTP/1.1
   * client with its end-to-end fields. A 100 never comes here: undici refuses one it did not ask for
   * (failures.ts), and this node answered the client's own Expect.
   */
  #interim(status: number, rawHeaders: Buffer[], statusText: string | undefined): void {
    const { req, res } = this.exchange;
    if (res.headersSent || res.destroyed || (req.httpVersionMajor === 1 && req.httpVersionMinor === 0)) return;
    if (status === 103) {
      const links: string[] = [];
      for (let i = 0; i < rawHeaders.length; i += 2) {
        if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'link') links.push(rawHeaders[i + 1]!.toString('latin1'));
      }
      if (links.length > 0) res.writeEarlyHints({ link: links });
      return;
    }
    if (req.httpVersionMajor !== 1) return;
    let head = `HTTP/1.1 ${status} ${statusText || STATUS_CODES[status] || ''}\r\n`;
    const fields = endToEndFieldsFromRaw(rawHeaders, status);
    for (const name in fields) for (const value of [fields[name]!].flat()) head += `${name}: ${value}\r\n`;
    // How Node writes its own interim answers (writeContinue, writeProcessing): raw, ahead of the head.
    (res as unknown as RawWriter)._writeRaw(`${head}\r\n`, 'latin1');
  }

  /** The head goes out; from here the body goes through the exchange's coder, when a response step codes it. */
  #writeHead(status: number, headers: OutgoingHttpHeaders): void {
    this.exchange.codeBody(status, headers);
    this.exchange.res.writeHead(status, headers);
  }

  /** A body chunk; false pauses undici until `drained` resumes it (the client is behind). */
  onData(chunk: Buffer): boolean {
    if (this.#heldBack) return true;
    const held = this.#held;
    if (held !== undefined) {
      held.chunks.push(chunk);
      held.size += chunk.length;
      if (held.size <= this.#limit) return true;
      // Too big for the steps (or the hold) that wanted it: it goes out as it came.
      this.#held = undefined;
      const { hold } = this.exchange;
      if (hold !== undefined && !this.#holdEnded) {
        this.#holdEnded = true;
        hold.passed(this.#status!, held.headers);
        this.exchange.applyResponseHeaders(this.#status!, held.headers);
      }
      this.#writeHead(this.#status!, held.headers);
      chunk = Buffer.concat(held.chunks);
    }
    const coder = this.exchange.bodyCoder;
    if (coder !== undefined) {
      if (coder.write(chunk)) return true;
      coder.onDrain(() => this.drained());
      return false;
    }
    if (this.exchange.res.write(chunk)) return true;
    this.exchange.res.once('drain', onDrain);
    return false;
  }

  /** The trailer section, as undici's raw `[name, value, ...]` list, when the upstream sent one. */
  onComplete(trailers?: Buffer[] | string[] | null): void {
    if (this.#heldBack) return this.#settle({ status: this.#status, error: undefined });
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      this.#answerHeld(held.headers, Buffer.concat(held.chunks, held.size));
    } else {
      if (this.#passTrailers && trailers) this.#addTrailers(trailers);
      this.#endBody();
    }
    this.#settle({ status: this.#status, error: undefined });
  }

  /** The upstream's trailer fields go after the last chunk, as they came (RFC 9110 section 6.5). */
  #addTrailers(raw: Buffer[] | string[]): void {
    const fields: Array<[string, string]> = [];
    const text = (item: Buffer | string) => (typeof item === 'string' ? item : item.toString('latin1'));
    for (let i = 0; i + 1 < raw.length; i += 2) fields.push([text(raw[i]!), text(raw[i + 1]!)]);
    if (fields.length > 0) this.exchange.res.addTrailers(fields);
  }

  /** The whole response was gathered: the hold's answer goes out in its place, or the body steps' result. */
  #answerHeld(headers: OutgoingHttpHeaders, body: Buffer): void {
    const { exchange } = this;
    const { hold } = exchange;
    if (hold !== undefined && !this.#holdEnded) {
      this.#holdEnded = true;
      const answer = hold.complete(this.#status!, headers, body);
      exchange.answer(answer.status, answer.headers, answer.body);
      return;
    }
    exchange.send(this.#status!, headers, exchange.applyResponseBody(this.#status!, headers, body));
  }

  /** The body ended: the coder finishes its coding and ends the response, or the response ends now. */
  #endBody(): void {
    const { exchange } = this;
    if (exchange.bodyCoder !== undefined) exchange.bodyCoder.end();
    else exchange.res.end();
  }

  onError(error: Error): void {
    if (this.#heldBack) return this.#settle({ status: this.#status, error: undefined });
    const { exchange } = this;
    if ((this.#status === 304 || this.#status === 204) && (error as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      // undici refuses a 304 (or 204) that names a Content-Length, though RFC 9110 section 8.6 lets a
      // 304 name the length of the 200 it stands for: the message is complete, so the answer is too.
      const held = this.#held;
      this.#held = undefined;
      if (held !== undefined) this.#answerHeld(held.headers, Buffer.alloc(0));
      else this.#endBody();
      return this.#settle({ status: this.#status, error: undefined });
    }
    // A gathered answer never started: the failure can still be told to the client as an edge error.
    this.#held = undefined;
    const aborted = error instanceof ClientAbort || (exchange.res.destroyed && !exchange.res.writableFinished);
    const code = aborted ? 'EDGE_CLIENT_ABORTED' : upstreamErrorCode(error);
    // A coded body that will not come whole: the coder stops (the response is cut below).
    exchange.bodyCoder?.abandon();
    if (!aborted && !exchange.res.headersSent && this.owner.retries(exchange, this.context, { status: undefined, error: code })) {
      return this.#settle({ status: undefined, error: code });
    }
    const { hold } = exchange;
    if (hold !== undefined && !this.#holdEnded) {
      // The hold hears of it either way (a cache releases its lock); its answer stands in for the error.
      this.#holdEnded = true;
      const answer = hold.failed(code, aborted || exchange.res.headersSent);
      if (answer !== undefined && !aborted && !exchange.res.headersSent) {
        exchange.answer(answer.status, answer.headers, answer.body);
        return this.#settle({ status: undefined, error: code });
      }
    }
    // A response the node already ended (a request timeout answered while the body still came) keeps its error.
    if (aborted) {
      if (!exchange.res.writableEnded) exchange.error = code;
    } else exchange.fail(code);
    this.#settle({ status: exchange.res.headersSent ? this.#status : undefined, error: code });
  }

  #settle(result: ForwardResult): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.exchange.upstreamTry === this) this.exchange.upstreamTry = undefined;
    this.owner.ended(this.exchange, this.context, result);
  }

  /** The client left before the answer, or its own body, was complete: stop the upstream request too. */
  clientClosed(): void {
    // The answer may be finished (a 400 for a body that went bad) while the upstream still waits for the body.
    if (!this.exchange.res.writableFinished || !this.exchange.req.complete) this.#stop(new ClientAbort());
  }

  /** The client caught up: let undici read on. */
  drained(): void {
    this.#resume?.();
  }
}

/**
 * Whether the upstream's trailer fields can reach the client: only after a chunked body (RFC 9112 section
 * 7.1.2), which Node sends an HTTP/1.1 client for an answer with a body and no Content-Length, streamed as
 * it came (no hold, no response step gathering or coding it). Elsewhere they are dropped, and with them
 * the Trailer field that announced them (nginx drops the fields and keeps the field that promises them).
 */
function passesTrailers(exchange: Exchange, status: number, headers: OutgoingHttpHeaders): boolean {
  const { req } = exchange;
  return (
    req.httpVersionMajor === 1 &&
    req.httpVersionMinor === 1 &&
    headers['content-length'] === undefined &&
    exchange.hold === undefined &&
    exchange.responseSteps === undefined &&
    mayHaveBody(req.method, status)
  );
}

/** Whether an answer can carry a body (RFC 9110 section 6.4.1): not to HEAD, not 1xx, 204 or 304. */
function mayHaveBody(method: string | undefined, status: number): boolean {
  return method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
}

/** Node's own writer of bytes ahead of an answer's head (OutgoingMessage#_writeRaw, what writeContinue uses). */
interface RawWriter {
  _writeRaw(data: string, encoding: BufferEncoding): boolean;
}

function onDrain(this: ServerResponse & { [EXCHANGE]?: Exchange }): void {
  this[EXCHANGE]?.upstreamTry?.drained();
}

function tryTimedOut(handler: UpstreamExchange<unknown>): void {
  handler.timedOut();
}

/** Why we aborted an upstream request: its response headers did not come within the try's own timeout. */
class TryTimeout extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
  constructor() {
    super('the upstream did not answer within the timeout');
    this.name = 'TryTimeout';
  }
}

/** Why we aborted an upstream request: our client went away. */
class ClientAbort extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientAbort';
  }
}
