/**
 * A goal's live readout in words, from the checker's report (lessons/checker.ts): the measured value
 * against its target ("212 ms", "< 150 ms") and, for a goal that must hold, how long it has held, marked
 * met once it is (the last reading stays in view); and a goal's parts, split into the ones the learner
 * achieves and the guards they must leave standing. Pure, so every goal type's readout is tested without
 * a page; the numbers are the checker's, never made here.
 */
import { OP_WORDS, type GoalReport, type Readout } from '../../../../lessons/checker.ts';

export interface ReadoutLine {
  /** What the numbers are: `now` (the measured value) or `held` (a hold's time on end). */
  label: 'now' | 'held';
  measured: string;
  target: string;
  /** One sentence for a screen reader: "now 212 ms, goal below 150 ms" (", met" once the goal is). */
  spoken: string;
  /** The goal is met: this is the reading it was met at. */
  met: boolean;
}

/** One part of a goal of several parts that the learner achieves. */
export interface AimLine {
  met: boolean;
  detail: string;
}

/** A guard of the goal: a condition the learner must leave standing, which holds or was broken. */
export interface GuardLine {
  holds: boolean;
  /** What must stay, and why (the goal's `rule`). */
  rule: string;
  /** What the checker reads now. */
  detail: string;
}

const OP_SIGNS: Record<Readout['op'], string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=' };

/** A reading in its unit: 212 ms, 25%, 3.5 s, 12. */
export function withUnit(value: number, unit: Readout['unit']): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (unit === '%') return `${shown}%`;
  return unit === '' ? shown : `${shown} ${unit}`;
}

function line(label: ReadoutLine['label'], readout: Readout, met: boolean): ReadoutLine {
  const measured = withUnit(readout.measured, readout.unit);
  const goal = withUnit(readout.target, readout.unit);
  return {
    label,
    measured,
    target: `${OP_SIGNS[readout.op]} ${goal}`,
    spoken: `${label} ${measured}, goal ${OP_WORDS[readout.op]} ${goal}${met ? ', met' : ''}`,
    met,
  };
}

/**
 * The lines a goal's readout shows: the measured value against the target, then for a hold the time it
 * has held against the time it must. None when the report has no reading (a node that reports nothing).
 * A met goal keeps its reading, marked met.
 */
export function readoutLines(report: GoalReport): ReadoutLine[] {
  const { met } = report;
  if (report.holding !== undefined) return [line('now', report.holding, met), ...(report.readout ? [line('held', report.readout, met)] : [])];
  if (report.readout === undefined) return [];
  return [line(report.readout.unit === 's' ? 'held' : 'now', report.readout, met)];
}

/**
 * A goal of several parts, split: the parts to achieve (what the bar counts) and its guards, shown apart
 * as conditions that hold or were broken. Both empty for a goal of one part.
 */
export function goalParts(report: GoalReport): { aims: AimLine[]; guards: GuardLine[] } {
  const parts = report.parts ?? [];
  return {
    aims: parts.filter((p) => p.rule === undefined).map((p) => ({ met: p.met, detail: p.detail })),
    guards: parts.flatMap((p) => (p.rule === undefined ? [] : [{ holds: p.met, rule: p.rule, detail: p.detail }])),
  };
}
