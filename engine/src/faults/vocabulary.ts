/**
 * The fault types and where each may be put, without the zod schemas (spec.ts), so the lab's page can
 * import the one list instead of copying it.
 */
export const FAULT_TYPES = [
  'down',
  'hang',
  'latency',
  'errors',
  'reset',
  'bandwidth',
  'slow-close',
  'flap',
  'partition',
  'overload',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** Where a type may be put: on a node, on an edge `from->to`, on either, or on a service node only. */
export const FAULT_PLACES: Record<FaultType, 'node' | 'edge' | 'both' | 'service'> = {
  down: 'node',
  hang: 'both',
  latency: 'both',
  errors: 'both',
  reset: 'both',
  bandwidth: 'both',
  'slow-close': 'both',
  flap: 'node',
  partition: 'edge',
  overload: 'service',
};

/** Types the receiving node applies to each request (node-server's fault gate); the rest act on listeners, pools or capacity. */
