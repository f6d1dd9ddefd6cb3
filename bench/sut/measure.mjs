/** Helpers the loop-timing children (pickers.mjs, limiters.mjs) share: CPU time, medians, optional imports. */

/** CPU time of the process (every thread), in ns. */
export function cpuNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** The median of the finite values, or null when there are none. */
export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round1(x) {
  return Math.round(x * 10) / 10;
}

/** The module, or null when it does not exist (yet): the child then says the case is unavailable. */
export async function importOrNull(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}
