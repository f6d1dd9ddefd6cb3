/**
 * The TLS side of one proxy node (`tls:`): its certificate, made or loaded when the node starts; its
 * HTTPS listener (HTTP/2 and HTTP/1.1 by ALPN, listener.ts) carrying the node's request envelope; the
 * plain-HTTP redirect listener when `redirectHttp` asks for one; and the events a learner watches: one
 * `tls.certificate` per start (where the certificate is, its fingerprint) and one `tls.connection` per
 * connection (its handshake). A self-signed certificate is kept across a stop and start of the node,
 * so a client that trusts it keeps trusting it; certificate files are read again at every start, as
 * nginx reads them again at a reload.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EventBus } from '../../bus.ts';
import type { TlsSettings } from '../../config/proxy/tls.ts';
import { InputError } from '../../errors.ts';
import type { TlsView } from '../../events.ts';
import type { ServingCertificate } from './certificate.ts';
import { createTlsListener, type TlsListener, type TlsListenerOptions } from './listener.ts';
import { createHttpsRedirect, type RedirectAnswer } from './redirect.ts';
import { servingCertificate } from './serving.ts';

/** The node's request envelope, as NodeServer hands it to a listener it did not make. */
export interface Envelope {
  request(req: IncomingMessage, res: ServerResponse): void;
  expectation(req: IncomingMessage, res: ServerResponse): void;
  continue(req: IncomingMessage, res: ServerResponse): void;
  clientError(error: NodeJS.ErrnoException, socket: Duplex): void;
  connect(req: IncomingMessage, socket: Duplex | ServerResponse): void;
}

export interface TlsEdgeOptions {
  nodeId: string;
  settings: TlsSettings;
  bus: EventBus;
  /** The port the HTTPS listener has (the redirect's target; known once it listens). */
  httpsPort(): number;
  /** The host both listeners bind. */
  host: string;
  /** Where a self-signed certificate is written (default `$TMPDIR/edgelab-tls`). */
  certDir?: string;
}

/** HTTP/1.1 keep-alive on the TLS listener, as on the plain one (node-server.ts). */
const KEEP_ALIVE_MS = 5_000;

export class TlsEdge {
  #certificate: ServingCertificate | undefined;
  #redirect: HttpServer | undefined;
  /** The redirect's port once bound, kept so a restart binds it again (a config's 0 picks one once). */
  #redirectPort: number | undefined;

  constructor(readonly options: TlsEdgeOptions) {
    this.#redirectPort = options.settings.redirectHttp;
  }

  /** The certificate served now (undefined before the first start). */
  get certificate(): ServingCertificate | undefined {
    return this.#certificate;
  }

  /**
   * The HTTPS listener, not yet listening, once the certificate is ready and the redirect listens.
   * Rejects with an InputError naming the field (`tls.cert`, `tls.key`, `tls.redirectHttp`) when a file
   * cannot be used or the redirect's port is taken.
   */
  async listener(envelope: Envelope, timeouts: { headersMs: number; requestMs: number; checkEveryMs: number }): Promise<TlsListener> {
    const { nodeId, settings, bus } = this.options;
    const kept = this.#certificate?.selfSigned === true ? this.#certificate : undefined;
    const certificate = kept ?? (await servingCertificate(settings, { nodeId, now: Date.now(), certDir: this.options.certDir }));
    this.#certificate = certificate;
    if (this.#redirectPort !== undefined && this.#redirect === undefined) await this.#listenRedirect(this.#redirectPort);
    const server = createTlsListener({
      certificate,
      http2: settings.http2,
      onRequest: envelope.request as TlsListenerOptions['onRequest'],
      onConnection: (info) => bus.emit({ type: 'tls.connection', node: nodeId, outcome: 'established', ...info }),
      onHandshakeFailed: ({ peer, reason, afterMs }) =>
        bus.emit({ type: 'tls.connection', node: nodeId, peer, outcome: 'failed', handshakeMs: afterMs, reason }),
      onSessionError: ({ peer, message, code }) =>
        bus.emit({ type: 'engine.error', node: nodeId, message: `HTTP/2 session from ${peer} closed: ${message} (${code})` }),
      onStreamsRefused: ({ message, refused }) =>
        bus.emit({ type: 'engine.error', node: nodeId, message: `HTTP/2 ${message}`, ...(refused > 0 ? { h2RefusedStreams: refused } : {}) }),
      http1: { keepAliveTimeoutMs: KEEP_ALIVE_MS, headersTimeoutMs: timeouts.headersMs, requestTimeoutMs: timeouts.requestMs, checkEveryMs: timeouts.checkEveryMs },
    });
    server.on('clientError', envelope.clientError);
    server.on('connect', envelope.connect);
    server.on('checkExpectation', envelope.expectation);
    server.on('checkContinue', envelope.continue);
    bus.emit({ type: 'tls.certificate', node: nodeId, tls: this.view()! });
    return server;
  }

  /** What the lab shows of it: the certificate's fingerprint and file, the protocols, the redirect. */
  view(): TlsView | undefined {
    const certificate = this.#certificate;
    if (certificate === undefined) return undefined;
    return {
      fingerprint256: certificate.fingerprint256,
      certFile: certificate.certFile,
      selfSigned: certificate.selfSigned,
      ...(certificate.subjectAltName ? { subjectAltName: certificate.subjectAltName } : {}),
      validTo: certificate.validTo.toISOString(),
      protocols: this.options.settings.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      ...(this.#redirect !== undefined ? { redirectPort: this.#redirectPort } : {}),
      ...(certificate.warnings.length > 0 ? { warnings: certificate.warnings } : {}),
    };
  }

  /**
   * A request the redirect listener answered, as the proxy's request: received and completed at once, with
   * the redirect's 308 (a decision saying where to) or its refusal's code, so the page draws it.
   */
  readonly #redirected = (req: IncomingMessage, { rid, status, location, error, durationMs }: RedirectAnswer): void => {
    const { bus, nodeId } = this.options;
    const path = req.url ?? '/';
    bus.emit({ type: 'request.received', rid, node: nodeId, from: 'client', method: req.method ?? 'GET', path, peer: req.socket.remoteAddress ?? '' });
    bus.emit({
      type: 'request.completed',
      rid,
      node: nodeId,
      status,
      durationMs,
      ...(error !== undefined
        ? { error }
        : { decision: { stage: 'proxy' as const, reason: `plain HTTP on the redirect port ${this.#redirectPort}: 308 to ${location}` } }),
    });
  };

  /** Stop the redirect listener (with the node: a stopped node answers nothing, on either port). */
  async closeRedirect(): Promise<void> {
    const redirect = this.#redirect;
    if (redirect === undefined) return;
    this.#redirect = undefined;
    const closed = new Promise<void>((resolve) => redirect.close(() => resolve()));
    redirect.closeAllConnections();
    await closed;
  }

  async #listenRedirect(port: number): Promise<void> {
    const redirect = createHttpsRedirect(this.options.httpsPort, this.#redirected);
    try {
      await new Promise<void>((resolve, reject) => {
        redirect.once('error', reject);
        redirect.listen(port, this.options.host, () => {
          redirect.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError('tls.redirectHttp', code === 'EADDRINUSE' ? `port ${port} is already in use` : (error as Error).message);
    }
    this.#redirect = redirect;
    this.#redirectPort = (redirect.address() as { port: number }).port;
  }
}
