/**
 * A goal's live readout in words, from the checker's report (lessons/checker.ts): the measured value
 * against its target ("212 ms", "< 150 ms") and, for a goal that must hold, how long it has held. Pure,
 * so every goal type's readout is tested without a page; the numbers are the checker's, never made here.
 */
import type { GoalReport, Readout } from '../../../../lessons/checker.ts';

export interface ReadoutLine {
  /** What the numbers are: `now` (the measured value) or `held` (a hold's time on end). */
  label: 'now' | 'held';
  measured: string;
  target: string;
  /** One sentence for a screen reader: "now 212 ms, goal below 150 ms". */
  spoken: string;
}

const OP_SIGNS: Record<Readout['op'], string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=' };
const OP_WORDS: Record<Readout['op'], string> = {
  '>=': 'at least',
  '>': 'above',
  '<=': 'at most',
  '<': 'below',
  '==': 'exactly',
};

/** A reading in its unit: 212 ms, 25%, 3.5 s, 12. */
export function withUnit(value: number, unit: Readout['unit']): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (unit === '%') return `${shown}%`;
  return unit === '' ? shown : `${shown} ${unit}`;
}

function line(label: ReadoutLine['label'], readout: Readout): ReadoutLine {
  const measured = withUnit(readout.measured, readout.unit);
  const goal = withUnit(readout.target, readout.unit);
  return {
    label,
    measured,
    target: `${OP_SIGNS[readout.op]} ${goal}`,
    spoken: `${label} ${measured}, goal ${OP_WORDS[readout.op]} ${goal}`,
  };
}

/**
 * The lines a goal's readout shows: the measured value against the target, then for a hold the time it
 * has held against the time it must. None when the report has no reading (a node that reports nothing).
 */
export function readoutLines(report: GoalReport): ReadoutLine[] {
  if (report.holding !== undefined) return [line('now', report.holding), ...(report.readout ? [line('held', report.readout)] : [])];
  if (report.readout === undefined) return [];
  return [line(report.readout.unit === 's' ? 'held' : 'now', report.readout)];
}
