/**
 * The traffic panel's model: the engine's traffic report folded into one row per flow (what it is set
 * to do beside what it achieved), each traffic shape's parameters as a small form, and the bodies
 * `POST /api/traffic` takes. A live change (`set`) keeps the flow and its counts; a new shape restarts
 * the first flow with that shape (`start` replaces the flow's whole load, engine.startTraffic).
 */
import type { TrafficState } from '../api-types.ts';
import type { FormValues, NumberParam } from '../faults/fault-forms.ts';

export const TRAFFIC_SHAPES = ['constant', 'poisson', 'ramp', 'spike', 'bursts', 'closed'] as const;
export type TrafficShape = (typeof TRAFFIC_SHAPES)[number];

/** One sentence per shape, for the picker. */
export const SHAPE_MEANINGS: Record<TrafficShape, string> = {
  constant: 'open loop: evenly spaced sends at a fixed rate',
  poisson: 'open loop: the same rate with random (exponential) gaps, as independent users arrive',
  ramp: 'open loop: the rate climbs (or falls) steadily, then holds',
  spike: 'open loop: a base rate with one sudden peak',
  bursts: 'open loop: bursts of traffic with pauses between them',
  closed: 'closed loop: N virtual users, each waits for its answer and thinks before the next request',
};

/**
 * Each shape's fields, as the config schema names them (engine/src/config/schema.ts SHAPE_FIELDS);
 * `initial` is a function of the current rate so a new shape starts near what is running.
 */
export const SHAPE_PARAMS: Record<TrafficShape, ReadonlyArray<NumberParam & { from?: (rate: number) => number }>> = {
  constant: [{ key: 'rate', input: 'number', label: 'Rate', unit: 'req/s', min: 0.1, step: 1, from: (r) => r }],
  poisson: [{ key: 'rate', input: 'number', label: 'Mean rate', unit: 'req/s', min: 0.1, step: 1, from: (r) => r }],
  ramp: [
    { key: 'rate', input: 'number', label: 'From', unit: 'req/s', min: 0, step: 1, from: (r) => r },
    { key: 'endRate', input: 'number', label: 'To', unit: 'req/s', min: 0, step: 1, from: (r) => r * 3 },
    { key: 'over', input: 'number', label: 'Over', unit: 'ms', min: 1, step: 1000, initial: 20_000 },
  ],
  spike: [
    { key: 'rate', input: 'number', label: 'Base rate', unit: 'req/s', min: 0, step: 1, from: (r) => r },
    { key: 'peakRate', input: 'number', label: 'Peak rate', unit: 'req/s', min: 0, step: 1, from: (r) => r * 4 },
    { key: 'peakAt', input: 'number', label: 'Peak after', unit: 'ms', min: 0, step: 500, initial: 2000, optional: true },
    { key: 'peakFor', input: 'number', label: 'Peak lasts', unit: 'ms', min: 1, step: 500, initial: 5000 },
  ],
  bursts: [
    { key: 'rate', input: 'number', label: 'Rate in a burst', unit: 'req/s', min: 0.1, step: 1, from: (r) => r * 2 },
    { key: 'on', input: 'number', label: 'Burst lasts', unit: 'ms', min: 1, step: 500, initial: 2000 },
    { key: 'off', input: 'number', label: 'Pause lasts', unit: 'ms', min: 1, step: 500, initial: 3000 },
    { key: 'offRate', input: 'number', label: 'Rate in a pause', unit: 'req/s', min: 0, step: 1, initial: 0, optional: true },
  ],
  closed: [
    { key: 'users', input: 'number', label: 'Virtual users', min: 1, step: 1, initial: 5 },
    { key: 'think', input: 'number', label: 'Think time', unit: 'ms', min: 0, step: 50, initial: 200, optional: true },
  ],
};

/** A shape's form, prefilled around the running rate (a rate is never prefilled below 1 req/s). */
export function shapeInitialValues(shape: TrafficShape, currentRate: number): FormValues {
  const rate = Number.isFinite(currentRate) && currentRate >= 1 ? currentRate : 1;
  return Object.fromEntries(SHAPE_PARAMS[shape].map((p) => [p.key, p.from ? Math.round(p.from(rate) * 10) / 10 : (p.initial ?? null)]));
}

/**
 * `{action:'start', shape, ...}`: empty fields left out (the engine applies its default or names the
 * field); `flow` names the flow to change (the engine keeps the others running).
 */
export function shapeStartBody(shape: TrafficShape, values: FormValues, flow?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { action: 'start', ...(flow === undefined ? {} : { flow }), shape };
  for (const param of SHAPE_PARAMS[shape]) {
    const raw = values[param.key];
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    body[param.key] = typeof raw === 'number' ? raw : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return body;
}

/** A live change of one running flow: its rate (open loop) or its users (closed loop). */
export function liveChangeBody(flow: string, change: { rate: number } | { users: number }): Record<string, unknown> {
  return { action: 'set', flow, ...change };
}

/**
 * The body that adds one more client beside the running flows: like flow `like` (its target and
 * paths), one client at its own `rate`, sending as `consumer` when one is named (the gateway must list it).
 */
export function addClientBody(like: string, name: string, rate: number, consumer: string): Record<string, unknown> {
  const as = consumer.trim();
  return { action: 'add', like, name, clients: 1, rate, ...(as === '' ? {} : { auth: { consumers: [as] } }) };
}

/** The first `client-N` not yet taken by a flow. */
export function nextClientName(taken: readonly string[]): string {
  let n = 1;
  while (taken.includes(`client-${n}`)) n++;
  return `client-${n}`;
}

/** One flow as the panel shows it: what it is set to do, and the engine's live numbers for it. */
export interface FlowRow {
  name: string;
  to: string;
  shape: string;
  loop: 'open' | 'closed';
  /** Open loop: the configured rate of the current phase; closed: null. */
  rate: number | null;
  users: number | null;
  clients: number;
  /** How it connects: HTTP/2, and HTTP/1.1 keep-alive (on unless the flow says `keepAlive: false`). */
  http2: boolean;
  keepAlive: boolean;
  /** The entries it fails over to, in order (`failover`); empty without a list. */
  failover: string[];
  /** With a failover list, the entry in use now and the requests retried at another, from the engine's live report. */
  entry: string | null;
  failovers: number | null;
  phase: string | null;
  /** What the schedule asks for now (open loop), from the engine's live report. */
  targetRate: number | null;
  achievedRate: number | null;
  lastSecond: number | null;
  sent: number | null;
  completed: number | null;
  skipped: number | null;
  outstanding: number | null;
}

/** The traffic report as rows, the live numbers matched to their flow by name (absent until the engine sends them). */
export function flowRows(traffic: TrafficState | null): FlowRow[] {
  if (traffic === null) return [];
  return traffic.flows.map((flow) => {
    const live = traffic.live?.find((l) => l.name === flow.name);
    const loop = flow.loop ?? (flow.shape === 'closed' ? 'closed' : 'open');
    return {
      name: flow.name,
      to: flow.to,
      shape: flow.shape ?? 'constant',
      loop,
      rate: loop === 'open' ? flow.rate : null,
      users: flow.users ?? null,
      clients: flow.clients,
      http2: flow.http2 === true,
      keepAlive: flow.keepAlive !== false,
      failover: flow.failover ?? [],
      entry: live?.entry ?? null,
      failovers: live?.failovers ?? null,
      phase: flow.phase && flow.phase.of > 1 ? `phase ${flow.phase.index + 1} of ${flow.phase.of}: ${flow.phase.name}` : null,
      targetRate: live?.targetRate ?? null,
      achievedRate: live?.achievedRate ?? null,
      lastSecond: live?.ratePerSecond ?? null,
      sent: live?.sent ?? null,
      completed: live?.completed ?? null,
      skipped: live?.skipped ?? null,
      outstanding: live?.outstanding ?? null,
    };
  });
}
