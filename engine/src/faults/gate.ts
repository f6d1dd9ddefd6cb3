/**
 * The receiving side of the request faults (`hang`, `latency`, `errors`, `reset`, `bandwidth`,
 * `slow-close`): a node with such a fault on itself, or on an edge into it, gets a gate, and every
 * request it receives passes the gate before the node handles it. A node without one pays a single
 * property read per request (node-server.ts). An edge fault `a->b` lives in b's gate, keyed by the
 * sender a (the `x-edgelab-from` header each engine hop sets), so other edges into b are untouched.
 *
 * The faults act in a fixed order, as they would on the wire: a reset (at once, or armed for later),
 * then a hang, the added latency, an injected error, and last the shaping of the response (bandwidth,
 * slow close). The node's `GET /health` answer passes the same faults (the node's, and the edge's
 * when the probe names its sender, as a balancer's active checks do), so health checks see what
 * traffic sees.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { EDGE_ERRORS, ERROR_HEADER } from '../errors.ts';
import type { Exchange } from '../pipeline/exchange.ts';
import { REQUEST_ID_HEADER } from '../pipeline/headers.ts';
import type { ActiveFault, Held } from './active-fault.ts';
import { holdClose, throttleResponse } from './response-shaping.ts';

/** The order faults act in on one request. */
const PHASE: Record<string, number> = { reset: 0, hang: 1, latency: 2, errors: 3, bandwidth: 4, 'slow-close': 5 };

function inOrder(faults: readonly ActiveFault[]): readonly ActiveFault[] {
  return [...faults].sort((a, b) => PHASE[a.info.type] - PHASE[b.info.type]);
}

export class FaultGate {
  /** The node's own faults: every request, and its health probe. */
  readonly node: readonly ActiveFault[];
  /** By sender id: the node's faults and those on the edge from that sender, in the order they act. */
  readonly #bySender = new Map<string, readonly ActiveFault[]>();

  constructor(
    node: readonly ActiveFault[],
    edges: ReadonlyMap<string, readonly ActiveFault[]>,
    readonly rng: () => number,
  ) {
    this.node = inOrder(node);
    for (const [sender, faults] of edges) this.#bySender.set(sender, inOrder([...node, ...faults]));
  }

  /** Run a request through the faults that touch it; `proceed` hands it to the node when they let it. */
  admit(exchange: Exchange, from: string | undefined, proceed: (exchange: Exchange) => void): void {
    const faults = (from !== undefined && this.#bySender.get(from)) || this.node;
    if (faults.length === 0) return proceed(exchange);
    new Admission(this.rng, exchange.req, exchange.res, exchange, faults, () => proceed(exchange)).run(0);
  }

  /**
   * A health probe under the node's own faults, and those of the edge it came over when it names its
   * sender (a balancer's active check): hang hangs, errors answer the error, reset resets.
   */
  admitProbe(req: IncomingMessage, res: ServerResponse, from: string | undefined, answer: () => void): void {
    const faults = (from !== undefined && this.#bySender.get(from)) || this.node;
    if (faults.length === 0) return answer();
    new Admission(this.rng, req, res, undefined, faults, answer).run(0);
  }
}

/** One request passing the faults, from `run(i)` on; a hold resumes it where it stopped. */
class Admission {
  constructor(
    readonly rng: () => number,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly exchange: Exchange | undefined,
    readonly faults: readonly ActiveFault[],
    readonly proceed: () => void,
  ) {}

  run(from: number): void {
    if (this.res.destroyed) return;
    for (let i = from; i < this.faults.length; i++) {
      const fault = this.faults[i];
      if (!fault.active) continue;
      const info = fault.info;
      switch (info.type) {
        case 'reset':
          if (info.after <= 0) return this.reset();
          this.#armReset(fault, info.after);
          break;
        case 'hang':
          return this.#hold(fault, undefined, i + 1);
        case 'latency': {
          const delay = Math.max(0, info.ms + (info.jitter > 0 ? (2 * this.rng() - 1) * info.jitter : 0));
          if (delay > 0) return this.#hold(fault, delay, i + 1);
          break;
        }
        case 'errors':
          if (info.rate >= 1 || (info.rate > 0 && this.rng() < info.rate)) return this.#answerError(info.status, info.id);
          break;
        case 'bandwidth':
          throttleResponse(this.res, info.bytesPerSecond, fault);
          break;
        case 'slow-close':
          holdClose(this.res, info.delay, fault);
          break;
      }
    }
    this.proceed();
  }

  /**
   * A TCP reset on the request's connection, as a crashing server's kernel would send. Over TLS (a TLS
   * proxy's, HTTP/2 included) the reset goes to the TCP socket under the TLS one: only a TCP handle can
   * be reset, and every request on the connection goes with it, as with a crash.
   */
  reset(): void {
    if (this.exchange) this.exchange.error = 'FAULT_INJECTED_RESET';
    const socket = this.req.socket as Socket & { encrypted?: boolean; _parent?: Socket | null };
    const tcp = socket.encrypted === true ? socket._parent : socket;
    if (tcp) tcp.resetAndDestroy();
    else socket.destroy();
  }

  /** Hold the request (for `ms`, or until the fault ends), then go on from fault `resumeAt`. */
  #hold(fault: ActiveFault, ms: number | undefined, resumeAt: number): void {
    let timer: NodeJS.Timeout | undefined;
    const held: Held = {
      release: () => {
        clearTimeout(timer);
        fault.forget(held);
        this.res.off('close', forget);
        this.run(resumeAt);
      },
    };
    const forget = () => {
      clearTimeout(timer);
      fault.forget(held);
    };
    if (ms !== undefined) timer = setTimeout(held.release, ms);
    fault.hold(held);
    this.res.once('close', forget);
  }

  /** Reset the connection `ms` from now unless the response is complete by then. */
  #armReset(fault: ActiveFault, ms: number): void {
    const disarm = () => {
      clearTimeout(timer);
      fault.forget(held);
    };
    const held: Held = { release: disarm };
    const timer = setTimeout(() => {
      fault.forget(held);
      this.res.off('close', disarm);
      if (!this.res.writableFinished && !this.res.destroyed) this.reset();
    }, ms);
    fault.hold(held);
    this.res.once('close', disarm);
  }

  #answerError(status: number, faultId: string): void {
    const code = 'FAULT_INJECTED_ERROR';
    const rid = this.exchange?.rid;
    if (this.exchange) this.exchange.error = code;
    const body = JSON.stringify({ error: code, message: EDGE_ERRORS[code].message, fault: faultId, ...(rid ? { requestId: rid } : {}) });
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      [ERROR_HEADER]: code,
      ...(rid ? { [REQUEST_ID_HEADER]: rid } : {}),
    });
    this.res.end(this.req.method === 'HEAD' ? undefined : body);
  }
}
