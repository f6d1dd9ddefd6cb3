/**
 * The generator's counts, kept at three levels (all flows, each flow, each phase of a flow) and shaped
 * for the API, the `traffic.state` event and the run report. Open-loop latency is from the intended
 * send time, so a stalled chain or a late event loop shows up as latency, and `intended - sent` (the
 * skipped sends) and the send lag say when the generator itself could not keep up.
 */
import type { EntryCounts, LatencySummary } from '../events.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';

export class Counters {
  /** Sends the schedule asked for (open loop), or sends begun (closed loop). */
  intended = 0;
  sent = 0;
  completed = 0;
  /** Intended sends not made because too many requests were outstanding. */
  skipped = 0;
  outstanding = 0;
  /** Requests sent with the client's validators (the flow's `conditional`). */
  conditional = 0;
  /** Answers 304 Not Modified: a revalidation that saved the body. */
  notModified = 0;
  statusClasses: Record<string, number> = {};
  /** Failures by code: edge codes from `x-edgelab-error`, and connection failures at the client. */
  errorCodes: Record<string, number> = {};
  readonly latency = new LatencyHistogram(3_600_000);

  settle(status: number | undefined, code: string | undefined, latencyMs: number): void {
    this.outstanding--;
    this.completed++;
    if (status !== undefined) {
      if (status === 304) this.notModified++;
      const cls = `${Math.floor(status / 100)}xx`;
      this.statusClasses[cls] = (this.statusClasses[cls] ?? 0) + 1;
    }
    if (code) this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
    this.latency.record(latencyMs);
  }

  /** Start counting again; requests still outstanding stay outstanding (they will settle and count). */
  reset(): void {
    this.intended = this.sent = this.completed = this.skipped = this.conditional = this.notModified = 0;
    this.statusClasses = {};
    this.errorCodes = {};
    this.latency.reset();
  }

  counts(): CountsView {
    return {
      intended: this.intended,
      sent: this.sent,
      completed: this.completed,
      skipped: this.skipped,
      outstanding: this.outstanding,
      conditional: this.conditional,
      notModified: this.notModified,
      statusClasses: { ...this.statusClasses },
      errorCodes: { ...this.errorCodes },
      latency: this.latency.summary(),
    };
  }
}

export interface CountsView {
  intended: number;
  sent: number;
  completed: number;
  skipped: number;
  outstanding: number;
  /** Requests sent conditional (If-None-Match / If-Modified-Since from the client's last answer). */
  conditional: number;
  /** Answers 304 Not Modified. */
  notModified: number;
  statusClasses: Record<string, number>;
  errorCodes: Record<string, number>;
  /** ms: from the intended send time (open loop) or the actual send (closed loop) to the full response. */
  latency: LatencySummary;
}

export interface PhaseStats extends CountsView {
  index: number;
  name: string;
  shape: string;
  loop: 'open' | 'closed';
  state: 'pending' | 'running' | 'done';
  /** The phase's configured length in ms; null when it runs until traffic stops. */
  forMs: number | null;
  /** When it started, in ms from the flow's start; null while pending. */
  startMs: number | null;
  elapsedMs: number;
  /** Open loop: the mean rate the phase's schedule asked for so far (its rate curve's integral over elapsed, with any live rate change), as configured, not the sends made; null for closed loop. */
  targetRate: number | null;
  /** Completed requests sent in this phase, per second of the phase. */
  achievedRate: number;
}

export interface FlowStats extends CountsView {
  name: string;
  to: string;
  /** The loop of the current (or last) phase. */
  loop: 'open' | 'closed';
  running: boolean;
  /** Every phase ran to its end. */
  finished: boolean;
  /** Index of the current phase (of the last one when finished). */
  phase: number;
  elapsedMs: number;
  /** completed / elapsed, per second. */
  achievedRate: number;
  /** Requests completed per second over the last state interval (about a second). */
  ratePerSecond: number;
  /** Open loop: the rate the schedule asks for now (a ramp's current rate); null for closed loop or when stopped. */
  targetRate: number | null;
  /** Closed loop: virtual users now. */
  users: number | null;
  /** Open loop: how late sends left after their intended time, in ms (timers late, event loop busy). */
  lag: LatencySummary;
  phases: PhaseStats[];
  /** With a `failover` list: the entry in use now, the requests retried at another entry, and each entry's tries. */
  entry?: string;
  failovers?: number;
  entries?: EntryCounts[];
}

/** Requests per second with one decimal. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count / ms) * 10_000) / 10 : 0;
}

/**
 * The average rate since a start, per second with one decimal. While the span still runs, over at least
 * one second: a first answer 1 ms after the start is 1 request so far, not 1,000 req/s (before a second
 * has passed it reads the requests so far). A span that ended is averaged over its own length.
 */
export function rateSince(count: number, elapsedMs: number, running: boolean): number {
  return perSecond(count, running && elapsedMs > 0 ? Math.max(elapsedMs, 1_000) : elapsedMs);
}
