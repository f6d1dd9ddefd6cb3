/**
 * An aggregate route: one request fans out to several upstreams at once (GET, each with its own
 * timeout covering its whole answer), and their JSON comes back merged into one object keyed by each
 * upstream's name, in config order: `{ "user": {...}, "orders": [...] }`. The bodies are spliced in
 * as they came (checked to be JSON, never re-serialised, so no number changes on the way).
 *
 * An upstream fails when the call throws (its stable code), its timeout fires
 * (EDGE_UPSTREAM_TIMEOUT), it answers other than 2xx (EDGE_UPSTREAM_ERROR_STATUS, with its status),
 * or its body is not JSON or larger than LIMITS.jsonBody (EDGE_UPSTREAM_NOT_JSON,
 * EDGE_UPSTREAM_TOO_LARGE). The policy decides the answer:
 * - `fail-whole`: the first failure cancels the calls still running and the answer is 502
 *   EDGE_AGGREGATE_FAILED, whose body names each failed upstream with its code and status;
 * - `partial`: every call runs to its end; the answer is 200 with what arrived, the failures under
 *   `_errors` (`{ "orders": { "error": "EDGE_UPSTREAM_TIMEOUT", "status": 504 } }`), their names in
 *   `x-edgelab-partial` and `cache-control: no-store` (a cache must not keep a degraded answer);
 *   502 EDGE_AGGREGATE_FAILED when nothing arrived.
 * A request that lacks what a path needs (`{request.query.id}` absent) is a 400 EDGE_BAD_REQUEST
 * before anything is called. The client going away aborts every call, and the result is 499
 * EDGE_CLIENT_ABORTED with nothing to send. `run` never rejects.
 */
import type { AggregateConfig, AggregatePolicy } from '../../config/gateway/transform.ts';
import { EDGE_ERRORS, ERROR_HEADER, isEdgeErrorCode, type EdgeErrorCode } from '../../errors.ts';
import type { HeaderBag } from '../transform/header-edits.ts';
import { declaredLengthReason, JSON_BODY_LIMIT, notJsonReason, readUpTo, tooLargeReason } from '../transform/json-message.ts';
import type { TemplateScope } from '../transform/template.ts';
import { compileUpstreamPath, type UpstreamPath } from './upstream-path.ts';

/** The header naming the upstreams missing from a partial answer. */
export const PARTIAL_HEADER = 'x-edgelab-partial';

export interface UpstreamReply {
  status: number;
  headers: HeaderBag;
  /** The body, read at most up to LIMITS.jsonBody; an abort of the call's signal must end it (undici's does). */
  body: AsyncIterable<Uint8Array>;
}

/**
 * Sends one GET to `upstream` (a node id or URL) at `path`. Rejects with an error whose `code` is the
 * stable edge code of the failure (EDGE_UPSTREAM_REFUSED, ...; anything else counts as
 * EDGE_UPSTREAM_RESET). `timeoutMs` is this upstream's own (the aggregator enforces it too); `signal`
 * aborts the call. `headers` are shared by every call of a request: read them, never change them.
 */
export type UpstreamCall = (
  upstream: string,
  path: string,
  headers: HeaderBag,
  timeoutMs: number,
  signal: AbortSignal,
) => Promise<UpstreamReply>;

/** What became of one upstream call, for the trace. Times are milliseconds from the start of the aggregate. */
export interface AggregateUpstreamTrace {
  name: string;
  to: string;
  /** The path sent; undefined when the request could not give one. */
  path: string | undefined;
  startMs: number;
  durationMs: number;
  /** `cancelled`: never called, or aborted because the client left or (fail-whole) another upstream failed. */
  outcome: 'ok' | 'failed' | 'cancelled';
  /** The upstream's status, when it answered. */
  status?: number;
  error?: EdgeErrorCode;
  /** What happened, in a few words: `answered 500`, `not JSON (text/html)`, `no answer in 500 ms`. */
  detail?: string;
  /** Bytes of its body in the answer. */
  bytes?: number;
}

export interface AggregateResult {
  /** The answer to send (499 when the client went away: nothing to send). */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** EDGE_AGGREGATE_FAILED, EDGE_BAD_REQUEST or EDGE_CLIENT_ABORTED; undefined for a 200. */
  error: EdgeErrorCode | undefined;
  /** Names of the upstreams that failed (a partial answer's missing parts). */
  failed: string[];
  /** One sentence for the trace: each upstream's outcome and time, then the answer. */
  reason: string;
  upstreams: AggregateUpstreamTrace[];
}

export interface Aggregator {
  /** Calls every upstream for one request. `headers`: the request's after the hop rules (and any request transform). */
  run(scope: TemplateScope, headers: HeaderBag, signal: AbortSignal): Promise<AggregateResult>;
}

export interface AggregatorOptions {
  /** The timeout of upstreams that give none (the gateway's response timeout). */
  timeoutMs: number;
  now?: () => number;
}

/** Request fields an aggregate does not pass on: its calls are plain GETs of whole JSON bodies. */
const NOT_PASSED = new Set([
  // Each call addresses its own upstream.
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'expect',
  // A 304 or a range would not be a whole JSON body.
  'if-none-match',
  'if-match',
  'if-modified-since',
  'if-unmodified-since',
  'if-range',
  'range',
  // A compressed body could not be checked or spliced.
  'accept-encoding',
]);

interface Part {
  name: string;
  /** `"name":`, ready to splice. */
  key: string;
  to: string;
  path: UpstreamPath;
  timeoutMs: number;
}

const CANCELLED = Symbol('cancelled');
const TIMED_OUT = Symbol('timed out');

export function createAggregator(spec: AggregateConfig, call: UpstreamCall, options: AggregatorOptions): Aggregator {
  const now = options.now ?? (() => performance.now());
  const policy = spec.policy;
  const parts: Part[] = spec.upstreams.map((u) => ({
    name: u.name,
    key: `${JSON.stringify(u.name)}:`,
    to: u.to,
    path: compileUpstreamPath(u.path),
    timeoutMs: u.timeout ?? options.timeoutMs,
  }));

  return {
    async run(scope, headers, signal) {
      const started = now();
      const paths = parts.map((part) => part.path.render(scope));
      const lacking = paths.findIndex((p) => p.problem !== undefined);
      if (lacking !== -1) return badRequest(parts, paths, lacking);
      if (signal.aborted)
        return finish(
          policy,
          parts,
          parts.map((p, i) => notCalled(p, paths[i].path)),
          [],
          true,
        );

      const sent = passedHeaders(headers);
      const controllers = parts.map(() => new AbortController());
      const cancelAll = () => controllers.forEach((c) => c.abort(CANCELLED));
      signal.addEventListener('abort', cancelAll, { once: true });
      const calls = await Promise.all(
        parts.map(async (part, i) => {
          const result = await callPart(part, paths[i].path!, sent, controllers[i], call, now, started);
          if (result.trace.outcome === 'failed' && policy === 'fail-whole') cancelAll();
          return result;
        }),
      );
      signal.removeEventListener('abort', cancelAll);
      return finish(
        policy,
        parts,
        calls.map((c) => c.trace),
        calls.map((c) => c.body),
        signal.aborted,
      );
    },
  };
}

/** One upstream's call, bounded by its timeout; never rejects. `body` is its JSON when it arrived. */
async function callPart(
  part: Part,
  path: string,
  headers: HeaderBag,
  controller: AbortController,
  call: UpstreamCall,
  now: () => number,
  started: number,
): Promise<{ trace: AggregateUpstreamTrace; body?: Buffer }> {
  const startMs = now() - started;
  const trace: AggregateUpstreamTrace = { name: part.name, to: part.to, path, startMs, durationMs: 0, outcome: 'failed' };
  const failed = (error: EdgeErrorCode, detail: string | undefined) => {
    trace.error = error;
    if (detail) trace.detail = detail;
    return { trace };
  };
  const timer = setTimeout(() => controller.abort(TIMED_OUT), part.timeoutMs);
  try {
    const reply = await call(part.to, path, headers, part.timeoutMs, controller.signal);
    trace.status = reply.status;
    const refused =
      reply.status < 200 || reply.status > 299
        ? { error: 'EDGE_UPSTREAM_ERROR_STATUS' as const, detail: `answered ${reply.status}` }
        : notJson(reply.headers);
    if (refused) {
      // Nothing of this body is wanted: the abort ends it (and its connection).
      controller.abort(CANCELLED);
      return failed(refused.error, refused.detail);
    }
    const read = await readUpTo(reply.body, JSON_BODY_LIMIT);
    if (read.rest) {
      controller.abort(CANCELLED);
      return failed('EDGE_UPSTREAM_TOO_LARGE', tooLargeReason());
    }
    if (!isJson(read.whole)) return failed('EDGE_UPSTREAM_NOT_JSON', 'not valid JSON');
    trace.outcome = 'ok';
    trace.bytes = read.whole.length;
    return { trace, body: read.whole };
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (reason === TIMED_OUT) return failed('EDGE_UPSTREAM_TIMEOUT', `no answer in ${part.timeoutMs} ms`);
    if (reason === CANCELLED) {
      trace.outcome = 'cancelled';
      return { trace };
    }
    const code = (error as { code?: unknown } | null)?.code;
    return failed(isEdgeErrorCode(code) ? code : 'EDGE_UPSTREAM_RESET', (error as Error | null)?.message);
  } finally {
    clearTimeout(timer);
    trace.durationMs = now() - started - startMs;
  }
}

function notJson(headers: HeaderBag): { error: EdgeErrorCode; detail: string } | undefined {
  const notJsonBody = notJsonReason(headers);
  if (notJsonBody !== undefined) return { error: 'EDGE_UPSTREAM_NOT_JSON', detail: notJsonBody };
  const tooLarge = declaredLengthReason(headers);
  return tooLarge === undefined ? undefined : { error: 'EDGE_UPSTREAM_TOO_LARGE', detail: tooLarge };
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function passedHeaders(headers: HeaderBag): HeaderBag {
  const sent: HeaderBag = {};
  for (const name in headers) if (!NOT_PASSED.has(name) && headers[name] !== undefined) sent[name] = headers[name];
  sent.accept = 'application/json';
  return sent;
}

function notCalled(part: Part, path: string | undefined): AggregateUpstreamTrace {
  return { name: part.name, to: part.to, path, startMs: 0, durationMs: 0, outcome: 'cancelled' };
}

/** The answer once every call has ended. */
function finish(
  policy: AggregatePolicy,
  parts: Part[],
  traces: AggregateUpstreamTrace[],
  bodies: ReadonlyArray<Buffer | undefined>,
  clientGone: boolean,
): AggregateResult {
  const failed = traces.filter((t) => t.outcome === 'failed').map((t) => t.name);
  const arrived = traces.filter((t) => t.outcome === 'ok').length;
  const told = traces.map(describeUpstream).join(', ');
  if (clientGone) {
    return {
      status: 499,
      headers: {},
      body: Buffer.alloc(0),
      error: 'EDGE_CLIENT_ABORTED',
      failed,
      reason: `aggregate: ${told} -> the client went away`,
      upstreams: traces,
    };
  }
  if (failed.length > 0 && (policy === 'fail-whole' || arrived === 0)) {
    const body = Buffer.from(
      JSON.stringify({ error: 'EDGE_AGGREGATE_FAILED', message: EDGE_ERRORS.EDGE_AGGREGATE_FAILED.message, failed: marks(traces) }),
    );
    return {
      ...errorAnswer('EDGE_AGGREGATE_FAILED', body),
      failed,
      reason: `aggregate (${policy}): ${told} -> 502, ${failed.join(' and ')} failed`,
      upstreams: traces,
    };
  }
  const chunks: Buffer[] = [Buffer.from('{')];
  let first = true;
  parts.forEach((part, i) => {
    const body = bodies[i];
    if (body === undefined) return;
    chunks.push(Buffer.from(`${first ? '' : ','}${part.key}`), body);
    first = false;
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (failed.length > 0) {
    chunks.push(Buffer.from(`,"_errors":${JSON.stringify(marks(traces))}`));
    headers[PARTIAL_HEADER] = failed.join(', ');
    headers['cache-control'] = 'no-store';
  }
  chunks.push(Buffer.from('}'));
  const body = Buffer.concat(chunks);
  headers['content-length'] = String(body.length);
  const outcome = failed.length > 0 ? `200 partial, without ${failed.join(' and ')}` : '200';
  return {
    status: 200,
    headers,
    body,
    error: undefined,
    failed,
    reason: `aggregate (${policy}): ${told} -> ${outcome}`,
    upstreams: traces,
  };
}

function badRequest(parts: Part[], paths: Array<{ path?: string; problem?: string }>, lacking: number): AggregateResult {
  const part = parts[lacking];
  const message = `upstream ${part.name} of the aggregate cannot be called: ${paths[lacking].problem}`;
  const traces = parts.map((p, i): AggregateUpstreamTrace =>
    i === lacking
      ? { ...notCalled(p, undefined), outcome: 'failed', error: 'EDGE_BAD_REQUEST', detail: paths[i].problem }
      : notCalled(p, paths[i].path),
  );
  const body = Buffer.from(JSON.stringify({ error: 'EDGE_BAD_REQUEST', message }));
  return { ...errorAnswer('EDGE_BAD_REQUEST', body), failed: [part.name], reason: `aggregate: ${message} -> 400`, upstreams: traces };
}

function errorAnswer(code: EdgeErrorCode, body: Buffer): Pick<AggregateResult, 'status' | 'headers' | 'body' | 'error'> {
  return {
    status: EDGE_ERRORS[code].status,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), [ERROR_HEADER]: code },
    body,
    error: code,
  };
}

/**
 * How the failed upstreams are marked in the answer, by name: the code, and the upstream's own status
 * when it answered with an error, else the code's status.
 */
function marks(traces: AggregateUpstreamTrace[]): Record<string, { error: EdgeErrorCode; status: number }> {
  const out: Record<string, { error: EdgeErrorCode; status: number }> = {};
  for (const t of traces) {
    if (t.outcome !== 'failed') continue;
    const error = t.error!;
    out[t.name] = { error, status: error === 'EDGE_UPSTREAM_ERROR_STATUS' ? t.status! : EDGE_ERRORS[error].status };
  }
  return out;
}

function describeUpstream(trace: AggregateUpstreamTrace): string {
  const ms = `${Math.round(trace.durationMs)} ms`;
  if (trace.outcome === 'ok') return `${trace.name} ${trace.status} in ${ms}`;
  if (trace.outcome === 'cancelled') return `${trace.name} cancelled`;
  return `${trace.name} ${trace.error}${trace.detail ? ` (${trace.detail})` : ''} in ${ms}`;
}
