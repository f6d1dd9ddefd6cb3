/**
 * A node's `capacity`, the same shape and meaning on every kind that has one: at most `concurrency`
 * requests are processed at once, up to `queue` more wait first in first out, and a request that finds
 * the queue full, or waited `queueTimeout`, is turned away with 503. A service has always had it (its
 * worker pool); a proxy, gateway or balancer may set it too (its worker connections), applied before its
 * stages, so the edge itself can be the saturated hop. Only the refusal's code differs: SERVICE_* from
 * a service, EDGE_* from a forwarding node, so a trace says which hop turned the request away.
 */
import { z } from 'zod';
import { Duration } from './duration.ts';

/** The codes a node of one family answers a refusal with (errors.ts). */
export interface CapacityCodes {
  overloaded: 'SERVICE_OVERLOADED' | 'EDGE_OVERLOADED';
  queueTimeout: 'SERVICE_QUEUE_TIMEOUT' | 'EDGE_QUEUE_TIMEOUT';
}

export const SERVICE_CAPACITY_CODES: CapacityCodes = { overloaded: 'SERVICE_OVERLOADED', queueTimeout: 'SERVICE_QUEUE_TIMEOUT' };
export const EDGE_CAPACITY_CODES: CapacityCodes = { overloaded: 'EDGE_OVERLOADED', queueTimeout: 'EDGE_QUEUE_TIMEOUT' };

const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

/** The `capacity` field of a node whose refusals carry `codes`. */
export function capacitySpec(codes: CapacityCodes) {
  return z
    .strictObject({
      concurrency: z
        .number({ error: (issue) => (issue.input === undefined ? 'required: how many requests are processed at once' : undefined) })
        .int()
        .min(1)
        .max(100_000)
        .meta({ description: 'requests processed at once; more wait in the queue' }),
      queue: z
        .number()
        .int()
        .min(0)
        .max(100_000)
        .default(0)
        .meta({ description: 'requests that may wait for a slot, first in first out (default 0)' }),
      queueTimeout: PositiveDuration.optional().meta({
        description: `a request that waited this long is rejected with 503 ${codes.queueTimeout} (default: it waits until served)`,
      }),
    })
    .meta({ description: `overload: beyond concurrency requests queue, beyond the queue they get 503 ${codes.overloaded}` });
}

export type CapacityConfig = z.output<ReturnType<typeof capacitySpec>>;
