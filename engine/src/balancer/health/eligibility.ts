/**
 * Which targets may take one request, given what rules each out on its own (not listening, draining,
 * failing health checks, ejected, circuit open). Primaries are used while one is eligible, backups
 * only when none is (nginx `backup`). A retry leaves out the targets already tried, unless nothing
 * else is left, so it never goes back to the same target while another exists. Slow start then lets
 * a warming target in with the probability of its ramp, but a request is never refused only because
 * every eligible target is warming. Pure: the random source comes in.
 */

export interface EligibilityQuestion {
  /** Per target, in config order: whether it is a backup. */
  backup: readonly boolean[];
  ids: readonly string[];
  /** Per target: why it is out on its own, or undefined. */
  ruledOut: ReadonlyArray<string | undefined>;
  /** Targets this request has already tried. */
  tried: readonly string[];
  /** Per target: its slow-start factor in [0, 1] while it warms up, else undefined. Omit to skip admission. */
  warming?: (index: number) => number | undefined;
  rng?: () => number;
}

/** Per target, why it is left out of this pick, or undefined when it is eligible. */
export function leftOut(q: EligibilityQuestion): Array<string | undefined> {
  const { backup, ids, tried } = q;
  const n = ids.length;
  const why = Array.from({ length: n }, (_, i) => q.ruledOut[i]);
  const usable = (i: number) => why[i] === undefined;
  const fresh = (i: number) => usable(i) && !tried.includes(ids[i]);
  const tierOf = (ok: (i: number) => boolean): 'primary' | 'backup' | undefined => {
    let sawBackup = false;
    for (let i = 0; i < n; i++) {
      if (!ok(i)) continue;
      if (!backup[i]) return 'primary';
      sawBackup = true;
    }
    return sawBackup ? 'backup' : undefined;
  };
  const tier = tierOf(fresh) ?? tierOf(usable);
  let anyFresh = false;
  for (let i = 0; i < n; i++) if (fresh(i) && backup[i] === (tier === 'backup')) anyFresh = true;
  for (let i = 0; i < n; i++) {
    if (why[i] !== undefined) continue;
    if (anyFresh && tried.includes(ids[i])) why[i] = 'already tried';
    else if (backup[i] && tier === 'primary') why[i] = 'backup (used only when no primary is eligible)';
  }
  const { warming, rng } = q;
  if (warming && rng) {
    const held: number[] = [];
    let admitted = 0;
    for (let i = 0; i < n; i++) {
      if (why[i] !== undefined) continue;
      const factor = warming(i);
      if (factor !== undefined && rng() >= factor) {
        why[i] = `slow start (at ${Math.round(factor * 100)}% of its weight, not admitted this time)`;
        held.push(i);
      } else admitted++;
    }
    if (admitted === 0) for (const i of held) why[i] = undefined;
  }
  return why;
}
