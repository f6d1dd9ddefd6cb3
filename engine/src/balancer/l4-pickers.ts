/**
 * The pickers an l4 balancer can run: every one but `peak-ewma`, which learns from request latencies a
 * TCP balancer never sees. A plain list with a type-only import, so the lab's page can offer exactly
 * these without bundling the pickers (balancer-l4.test.ts checks it against the registry).
 */
import type { PickerId } from './pickers/index.ts';

export const L4_PICKERS: readonly PickerId[] = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'random',
  'p2c',
  'ip-hash',
  'consistent-hash',
  'maglev',
];
