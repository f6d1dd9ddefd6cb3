/**
 * The picker registry: kebab-case id -> factory, and the options each factory reads. The config, the
 * events, the UI and lessons use these ids unchanged.
 */
import type { PickerFactory } from '../picker.ts';
import { consistentHash } from './consistent-hash.ts';
import { ipHash } from './ip-hash.ts';
import { leastConnections } from './least-connections.ts';
import { maglev } from './maglev.ts';
import { p2c } from './p2c.ts';
import { peakEwma } from './peak-ewma.ts';
import { random } from './random.ts';
import { roundRobin } from './round-robin.ts';
import { weightedRoundRobin } from './weighted-round-robin.ts';

import type { PickerId } from '../picker-ids.ts';

export { PICKER_IDS, type PickerId } from '../picker-ids.ts';

export const PICKERS: Record<PickerId, PickerFactory> = {
  'round-robin': roundRobin,
  'weighted-round-robin': weightedRoundRobin,
  'least-connections': leastConnections,
  random,
  p2c,
  'ip-hash': ipHash,
  'consistent-hash': consistentHash,
  maglev,
  'peak-ewma': peakEwma,
};

/** The `options` keys each algorithm reads (config keys; durations already in ms). */
export const PICKER_OPTIONS: Record<PickerId, readonly string[]> = {
  'round-robin': [],
  'weighted-round-robin': ['maxFails'],
  'least-connections': ['maxFails'],
  random: [],
  p2c: [],
  'ip-hash': ['fullAddress'],
  'consistent-hash': ['mode', 'points', 'balanceFactor'],
  maglev: ['tableSize'],
  'peak-ewma': ['tau', 'defaultRtt'],
};

/** Pickers that hash a request key (`hashKey`); ip-hash always hashes the client address. */
export const KEYED_PICKERS: readonly PickerId[] = ['consistent-hash', 'maglev'];

/** Config options as the factory reads them (the config says `defaultRtt`, peak-ewma `defaultRttMs`). */
export function factoryOptions(options: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!options) return {};
  const { defaultRtt, ...rest } = options;
  return defaultRtt === undefined ? rest : { ...rest, defaultRttMs: defaultRtt };
}
