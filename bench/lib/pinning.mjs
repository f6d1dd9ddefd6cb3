/**
 * CPU pinning: the load generator runs on core 0 and the system under test on core 1, so the two never
 * compete for a core. Falls back to no pinning (and says so in the results) when taskset is missing or
 * the machine has a single core.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export const LOAD_CORE = 0;
export const SUT_CORE = 1;

export function detectPinning() {
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  if (!taskset) return { enabled: false, reason: 'taskset not found' };
  if (cpus < 2) return { enabled: false, reason: `only ${cpus} CPU available` };
  return { enabled: true, loadCore: LOAD_CORE, sutCore: SUT_CORE };
}

/** The command and arguments that run `command args` on `core`, or unpinned when pinning is off. */
export function pinned(pinning, core, command, args) {
  return pinning.enabled ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}
