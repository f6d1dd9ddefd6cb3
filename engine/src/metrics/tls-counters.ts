/**
 * A TLS proxy's handshakes, counted from its `tls.connection` events: established and failed, resumed,
 * by protocol, and the handshake times (HDR histogram; summarised only when a snapshot asks); and the
 * requests that arrived over TLS (`request.received` with a protocol), by protocol; and the HTTP/2 streams
 * its listener reset before the node saw them (`engine.error` with `h2RefusedStreams`).
 */
import type { EventOf, TlsMetrics } from '../events.ts';
import { LatencyHistogram } from './latency-histogram.ts';

export class TlsCounters {
  handshakes = 0;
  failed = 0;
  resumed = 0;
  readonly protocols = { h2: 0, 'http/1.1': 0 };
  readonly requests = { h2: 0, 'http/1.1': 0 };
  refusedStreams = 0;
  readonly #handshakeMs = new LatencyHistogram(10_000);

  observe(event: EventOf<'tls.connection'>): void {
    if (event.outcome === 'failed') {
      this.failed++;
      return;
    }
    this.handshakes++;
    if (event.resumed === true) this.resumed++;
    if (event.protocol !== undefined) this.protocols[event.protocol]++;
    this.#handshakeMs.record(event.handshakeMs);
  }

  received(protocol: 'h2' | 'http/1.1'): void {
    this.requests[protocol]++;
  }

  streamsRefused(count: number): void {
    this.refusedStreams += count;
  }

  snapshot(): TlsMetrics {
    return {
      handshakes: this.handshakes,
      failed: this.failed,
      resumed: this.resumed,
      protocols: { ...this.protocols },
      requests: { ...this.requests },
      ...(this.refusedStreams > 0 ? { refusedStreams: this.refusedStreams } : {}),
      handshakeMs: this.#handshakeMs.summary(),
    };
  }

  reset(): void {
    this.handshakes = this.failed = this.resumed = this.refusedStreams = 0;
    this.protocols.h2 = this.protocols['http/1.1'] = 0;
    this.requests.h2 = this.requests['http/1.1'] = 0;
    this.#handshakeMs.reset();
  }
}
