/**
 * The picker ids, in a module that imports no picker, so the lab's page can use them without bundling
 * the pickers themselves (the registry is pickers/index.ts).
 */
export const PICKER_IDS = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'random',
  'p2c',
  'ip-hash',
  'consistent-hash',
  'maglev',
  'peak-ewma',
] as const;
export type PickerId = (typeof PICKER_IDS)[number];

/** What an l4 balancer can run: every picker but `peak-ewma`, which learns from request latencies a TCP balancer never sees. */
export const L4_PICKERS: readonly PickerId[] = PICKER_IDS.filter((id) => id !== 'peak-ewma');
