/**
 * One request at one node, from arrival to the last byte sent back (or the client leaving): the
 * request and response, what the node's stages decided on the way (the trace of stages, each with
 * its time and reason), the per-request state stages keep (the node kind's own `local`, the consumer),
 * and the response-phase steps stages registered, applied to whatever answer goes out.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { EDGE_ERRORS, ERROR_HEADER, type EdgeErrorCode } from '../errors.ts';
import type { CacheView, CompressionView, Decision, StageStep } from '../events.ts';
import { ALLOWED_METHODS, reflectTrace } from '../nodes/edge-rules.ts';
import { REQUEST_ID_HEADER } from './headers.ts';

/** Who sent the request, as authentication found it: what rate limits, logs, traces and metrics key on. */
export interface Consumer {
  name: string;
  groups: readonly string[];
}

/**
 * A step a stage adds to the response phase: it sees the answer's status and headers before they go
 * out (any answer: an upstream's, a stage's own, an edge error) and may change the headers in place.
 * With `body`, the answer's body is gathered first (up to a size the step states) and handed to it.
 */
export interface ResponseStep<L = unknown> {
  readonly name: string;
  headers?(exchange: Exchange<L>, status: number, headers: OutgoingHttpHeaders): void;
  /** The whole body, to replace: return the new body, or undefined to keep it. Only asked for bodies up to `maxBodyBytes`. */
  body?(exchange: Exchange<L>, status: number, headers: OutgoingHttpHeaders, body: Buffer): Buffer | undefined;
  /** The largest body `body` is handed; a bigger one goes out unchanged. */
  readonly maxBodyBytes?: number;
  /**
   * The response closed, sent whole or cut (the client left): give back what the request held (a
   * concurrency slot). Runs once, before the node builds the request's `request.completed`.
   */
  closed?(exchange: Exchange<L>): void;
  /**
   * Code the body on its way out (compression): asked once per answer, with its final head just before
   * it goes out (after `headers` and `body`), to edit the head to match and return the coder the body
   * goes through; undefined leaves the body as it is.
   */
  encode?(exchange: Exchange<L>, status: number, headers: OutgoingHttpHeaders): BodyCoder | undefined;
}

/**
 * What a response step's `encode` returns: it codes the body into the response and ends it (the writer
 * keeps to `write`'s backpressure). Its bytes in and out go in `request.completed`.
 */
export interface BodyCoder {
  readonly coding: CompressionView['coding'];
  /** Body bytes handed to the coder so far, and coded bytes out of it. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Code a chunk of the body; false when the writer should wait for `onDrain`. */
  write(chunk: Buffer): boolean;
  /** The body ended: finish the coding and end the response. */
  end(): void;
  /** Call `listener` once the coder takes chunks again. */
  onDrain(listener: () => void): void;
  /** The body will not come whole (the upstream failed): stop, and the response is cut. */
  abandon(): void;
}

/**
 * A stage that must see the upstream's answer before the client does (the cache: it stores it, or turns
 * the origin's 304 into the stored 200) holds it: the forwarder gathers the head and the body (up to the
 * size `begin` asks for) and writes whatever `complete` returns instead; a longer body streams past it.
 * One hold per exchange; each of its calls is made at most once, and exactly one of complete, passed
 * and failed ends it.
 */
export interface UpstreamHold {
  /** The response head came: how many body bytes to gather before answering (0: let it stream now, through `passed`). */
  begin(status: number, headers: OutgoingHttpHeaders): number;
  /** The whole response came: the answer the client gets in its place. */
  complete(status: number, headers: OutgoingHttpHeaders, body: Buffer): HeldAnswer;
  /** The body streams to the client as it comes (longer than `begin` asked for, or 0 asked): edit `headers` in place first. */
  passed(status: number, headers: OutgoingHttpHeaders): void;
  /**
   * No whole response came (refused, reset, timed out, or the client left): an answer in its place, or
   * undefined for the node's own edge error. `clientGone` when nobody is left to answer.
   */
  failed(error: EdgeErrorCode, clientGone: boolean): HeldAnswer | undefined;
}

/** What a hold answers with. */
export interface HeldAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  /** Undefined for an answer without a body (a 304). */
  body: Buffer | undefined;
}

/** The exchange a response belongs to, found from the response (a 'drain' listener, a client error mid-request). */
export const EXCHANGE = Symbol('exchange');

export class Exchange<L = unknown> {
  readonly startedAt = performance.now();
  error: EdgeErrorCode | undefined = undefined;
  upstream: string | undefined = undefined;
  /** Set when a stage answered by itself, so the completion event says why. */
  decision: Decision | undefined = undefined;
  /** The upstream try in flight (forwarder.ts), told when the client leaves before the answer ends or catches up. */
  upstreamTry: { clientClosed(): void; drained(): void } | undefined = undefined;
  /**
   * The request came from another node of the engine (or a balancer's trusted proxy), so the
   * forwarding headers it carries (X-Forwarded-Proto, X-Forwarded-Host) stand; a client's are replaced.
   */
  trustedHop = false;
  /** The stages the request passed at this node, in order, with the time each took and why. */
  readonly steps: StageStep[] = [];
  /** What the node kind's stages keep about this request (a gateway: the matched route). */
  local: L | undefined = undefined;
  /** The consumer authentication found, when there is one. */
  consumer: Consumer | undefined = undefined;
  /** Response-phase steps in the order they were added; none on most requests. */
  responseSteps: ResponseStep<L>[] | undefined = undefined;
  /**
   * The request's headers as a stage edited them (a request transform), for the forwarder to apply the
   * hop rules to instead of the headers as received; undefined on most requests.
   */
  requestHeaders: IncomingHttpHeaders | undefined = undefined;
  /** The request body as a stage read or rewrote it, sent instead of streaming the request through. */
  requestBody: Buffer | AsyncIterable<Uint8Array> | undefined = undefined;
  /** A stage's hold on the upstream's answer (UpstreamHold); undefined on most requests. */
  hold: UpstreamHold | undefined = undefined;
  /** What the proxy's cache did with this request, for its `request.completed` event. */
  cache: CacheView | undefined = undefined;
  /** The upstreams a partial aggregate answer went without, for its `request.completed` event. */
  partial: string[] | undefined = undefined;
  /** The coder the answer's body goes through, when a response step codes it (`codeBody`). */
  bodyCoder: BodyCoder | undefined = undefined;

  constructor(
    readonly rid: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}

  /** Add a response-phase step: it runs on the answer, whichever answer it is. */
  onResponse(step: ResponseStep<L>): void {
    (this.responseSteps ??= []).push(step);
  }

  /** Let the response steps see (and change) the headers of the answer about to go out. */
  applyResponseHeaders(status: number, headers: OutgoingHttpHeaders): void {
    const steps = this.responseSteps;
    if (steps === undefined) return;
    for (const step of steps) step.headers?.(this, status, headers);
  }

  /** The response closed: the steps give back what the request held (ResponseStep.closed). */
  responseClosed(): void {
    const steps = this.responseSteps;
    if (steps === undefined) return;
    for (const step of steps) step.closed?.(this);
  }

  /** Whether a response step wants the body, and up to how many bytes (0: none does). */
  bodyStepLimit(): number {
    const steps = this.responseSteps;
    if (steps === undefined) return 0;
    let limit = 0;
    for (const step of steps) if (step.body !== undefined) limit = Math.max(limit, step.maxBodyBytes ?? 0);
    return limit;
  }

  /** Run the body steps over a gathered body; the headers' Content-Length follows the result. */
  applyResponseBody(status: number, headers: OutgoingHttpHeaders, body: Buffer): Buffer {
    let out = body;
    for (const step of this.responseSteps ?? []) {
      if (step.body === undefined || out.length > (step.maxBodyBytes ?? 0)) continue;
      out = step.body(this, status, headers, out) ?? out;
    }
    if (out !== body) headers['content-length'] = out.length;
    return out;
  }

  /**
   * The answer's head is about to go out: the first step that codes the body edits the head and gives
   * its coder, kept in `bodyCoder`; undefined, the body goes as it is.
   */
  codeBody(status: number, headers: OutgoingHttpHeaders): BodyCoder | undefined {
    const steps = this.responseSteps;
    if (steps === undefined) return undefined;
    for (const step of steps) {
      const coder = step.encode?.(this, status, headers);
      if (coder !== undefined) return (this.bodyCoder = coder);
    }
    return undefined;
  }

  /** Send a whole answer: its head, then its body (through the coder, when a step codes it). */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer | undefined): void {
    const { res } = this;
    const coder = this.codeBody(status, headers);
    res.writeHead(status, headers);
    if (coder === undefined) {
      res.end(body);
      return;
    }
    if (body !== undefined && body.length > 0) coder.write(typeof body === 'string' ? Buffer.from(body) : body);
    coder.end();
  }

  /**
   * Answer with an edge error: its status, the code in a header, a small JSON body. After the answer
   * started the connection is cut; after it ended (a timeout answered while the body still came),
   * the answer that went out stands.
   */
  fail(code: EdgeErrorCode, extraHeaders?: Record<string, string>): void {
    const { res } = this;
    if (res.writableEnded) return;
    this.error = code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, message } = EDGE_ERRORS[code];
    const body = JSON.stringify({ error: code, message, requestId: this.rid });
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      [ERROR_HEADER]: code,
      [REQUEST_ID_HEADER]: this.rid,
      ...extraHeaders,
    };
    this.applyResponseHeaders(status, headers);
    this.send(status, headers, body);
  }

  /**
   * A stage's own full answer: status, headers and body, through the response steps. Headers that
   * already carry this request's id are the caller's own copy, and are used (and changed) as they are.
   */
  answer(status: number, headers: OutgoingHttpHeaders, body: string | Buffer | undefined): void {
    const { res } = this;
    if (res.headersSent || res.writableEnded) return;
    const out: OutgoingHttpHeaders = headers[REQUEST_ID_HEADER] === this.rid ? headers : { [REQUEST_ID_HEADER]: this.rid, ...headers };
    let payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    if (payload !== undefined) out['content-length'] = payload.length;
    this.applyResponseHeaders(status, out);
    if (payload !== undefined && this.bodyStepLimit() > 0) payload = this.applyResponseBody(status, out, payload);
    this.send(status, out, payload);
  }

  /** `OPTIONS *`, or OPTIONS that may go no further (Max-Forwards: 0): what this node takes, and no body. */
  answerOptions(): void {
    this.res.writeHead(200, { allow: ALLOWED_METHODS, 'content-length': 0, [REQUEST_ID_HEADER]: this.rid });
    this.res.end();
  }

  /** TRACE at its last recipient: 200 with the request as received, as `message/http` (RFC 9110 section 9.3.8). */
  answerTrace(): void {
    const body = reflectTrace(this.req);
    this.res.writeHead(200, { 'content-type': 'message/http', 'content-length': Buffer.byteLength(body), [REQUEST_ID_HEADER]: this.rid });
    this.res.end(body);
  }
}
