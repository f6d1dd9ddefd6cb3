/**
 * A balancer's key affinity counts (`keys` in its metrics, engine/src/events.ts KeyMetrics) as the
 * inspector reads them out: how many returning keys (clients, or the hashed key) came back to the same
 * target, moved although theirs was still there, or were rehomed because theirs left or could not take
 * them. The engine reports nothing until the first returning key: then there is no readout.
 */
import type { KeyMetrics } from '../../../../engine/src/events.ts';

export interface KeyAffinityRow {
  /** The metric's name, as a lesson's goal reads it (`keys.moved`). */
  metric: `keys.${keyof KeyMetrics}`;
  label: string;
  count: number;
  /** What the count means, in one line. */
  meaning: string;
}

export interface KeyAffinityReadout {
  /** Returning keys judged so far: the sum of the three counts. */
  returning: number;
  rows: KeyAffinityRow[];
}

const MEANINGS: Record<keyof KeyMetrics, { label: string; meaning: string }> = {
  stayed: { label: 'stayed', meaning: 'came back to the same target as last time' },
  moved: { label: 'moved', meaning: 'went elsewhere though their last target was still in the pool' },
  rehomed: { label: 'rehomed', meaning: 'went elsewhere because their last target left or could not take them' },
};

export function keyAffinityReadout(keys: KeyMetrics | undefined): KeyAffinityReadout | null {
  if (keys === undefined) return null;
  const order = ['stayed', 'moved', 'rehomed'] as const;
  const rows = order.map((outcome) => ({ metric: `keys.${outcome}` as const, count: keys[outcome] ?? 0, ...MEANINGS[outcome] }));
  return { returning: rows.reduce((sum, row) => sum + row.count, 0), rows };
}
