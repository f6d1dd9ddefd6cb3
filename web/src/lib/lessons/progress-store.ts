/**
 * The learner's lesson progress, kept in the browser (localStorage) under one key: for each lesson id,
 * how far its latest run got and whether it was ever finished; and the lesson under way, if any, with
 * what the engine ran for it (to tell, after a reload, whether it can go on) and the learner's own
 * sandbox from before the lesson (to put back when they leave it).
 *
 * Stored data is read defensively: whatever another version of the page (or a hand) left there, a
 * field of the wrong shape is dropped, never trusted, and storage that refuses to be read or written
 * (private mode, a full quota) only means nothing is kept. Nothing here knows the lesson list; the
 * reader clamps a stored step to the lesson as it is now (`progressOf`).
 */
import type { LessonView } from './lesson-view.ts';

/** Where the store lives in localStorage. */
export const PROGRESS_KEY = 'edgelab.lessons';
const VERSION = 1;

/** How far a lesson got. */
export interface LessonProgress {
  /** Steps done in the latest run (0: begun, nothing met yet). */
  stepsDone: number;
  /** Finished at least once. */
  done: boolean;
}

/** What the engine ran for a lesson under way: its config's name and node ids, as last seen. */
export interface SandboxMark {
  name: string;
  nodes: string[];
}

/** The learner's sandbox before a lesson replaced it: what "restore my sandbox" puts back. */
export interface KeptSandbox {
  /** The config as `GET /api/config` gave it. */
  config: unknown;
  /** Its name, to say what comes back. */
  name: string;
  /** Whether traffic ran, and each running flow's rate (open loop) or users (closed loop). */
  traffic: { running: boolean; flows: Array<{ name: string; rate?: number; users?: number }> };
  /** The faults injected through the API, as `POST /api/faults` takes them. */
  faults: Array<Record<string, unknown>>;
}

/** The lesson under way. */
export interface ActiveLesson {
  id: string;
  /** Steps done: where a reload resumes (`steps.length`: finished). */
  stepsDone: number;
  sandbox: SandboxMark;
}

export interface StoredLessons {
  progress: Record<string, LessonProgress>;
  active: ActiveLesson | null;
  /** Kept from the first lesson started since the learner last left one; null when there is none to put back. */
  kept: KeptSandbox | null;
}

/** The part of `Storage` the store uses, so tests hand in a map (or one that throws). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>;

const EMPTY: StoredLessons = { progress: {}, active: null, kept: null };

/** The stored lessons, or an empty store when nothing (or nothing readable) is stored. */
export function readLessons(storage: KeyValueStorage | undefined): StoredLessons {
  let text: string | null = null;
  try {
    text = storage?.getItem(PROGRESS_KEY) ?? null;
  } catch {
    return EMPTY;
  }
  if (text === null) return EMPTY;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return EMPTY;
  }
  if (!isRecord(raw) || raw.version !== VERSION) return EMPTY;
  return { progress: readProgress(raw.progress), active: readActive(raw.active), kept: readKept(raw.kept) };
}

/** Stores `lessons`; false when the storage refused (the page goes on without keeping it). */
export function writeLessons(storage: KeyValueStorage | undefined, lessons: StoredLessons): boolean {
  try {
    storage?.setItem(PROGRESS_KEY, JSON.stringify({ version: VERSION, ...lessons }));
    return storage !== undefined;
  } catch {
    return false;
  }
}

/** A run of lesson `id` (of `stepCount` steps) got to `stepsDone`: its progress, and the lesson under way. */
export function recordRun(lessons: StoredLessons, id: string, stepCount: number, stepsDone: number, sandbox: SandboxMark): StoredLessons {
  const done = (lessons.progress[id]?.done ?? false) || stepsDone >= stepCount;
  return {
    ...lessons,
    progress: { ...lessons.progress, [id]: { stepsDone: Math.min(stepsDone, stepCount), done } },
    active: { id, stepsDone, sandbox },
  };
}

/** A lesson's progress against its step count now: a stored count past the end (the lesson lost a step) is clamped. */
export function progressOf(lessons: StoredLessons, id: string, stepCount: number): LessonProgress | null {
  const stored = lessons.progress[id];
  return stored === undefined ? null : { stepsDone: Math.min(stored.stepsDone, stepCount), done: stored.done };
}

/** The index's words for a lesson's progress: "Not started", "Step 2 of 3", "Done". */
export function progressLabel(progress: LessonProgress | null, stepCount: number, underWay = false): string {
  if (progress === null) return 'Not started';
  const step = `Step ${Math.min(progress.stepsDone + 1, stepCount)} of ${stepCount}`;
  if (progress.done && !(underWay && progress.stepsDone < stepCount)) return 'Done';
  return underWay ? `${step}, under way` : step;
}

/**
 * Steps done in a run, as the lesson machine's phase says (lesson-view.ts): 0 at its opening, and a
 * step whose goal is met counts as done. Null when the phase does not tell: before the lesson's sandbox
 * is ready (nothing to resume), and while the engine is away (a page being reloaded loses its stream
 * first: the step it was on, or the end, stays as last recorded).
 */
export function stepsDoneOf(view: Pick<LessonView, 'phase' | 'stepIndex' | 'stepCount'>): number | null {
  switch (view.phase) {
    case 'ready':
    case 'preparing':
    case 'failed':
    case 'disconnected':
      return null;
    case 'intro':
      return 0;
    case 'done':
      return view.stepIndex + 1;
    case 'complete':
      return view.stepCount;
    default:
      return view.stepIndex;
  }
}

/** Whether the engine's config (its name and node ids) is the one a lesson under way last ran on. */
export function sameSandbox(a: SandboxMark, b: SandboxMark): boolean {
  if (a.name !== b.name || a.nodes.length !== b.nodes.length) return false;
  const ids = new Set(a.nodes);
  return b.nodes.every((id) => ids.has(id));
}

function readProgress(raw: unknown): Record<string, LessonProgress> {
  if (!isRecord(raw)) return {};
  const progress: Record<string, LessonProgress> = {};
  for (const [id, entry] of Object.entries(raw)) {
    if (!isRecord(entry) || !isStepCount(entry.stepsDone)) continue;
    progress[id] = { stepsDone: entry.stepsDone, done: entry.done === true };
  }
  return progress;
}

function readActive(raw: unknown): ActiveLesson | null {
  if (!isRecord(raw) || typeof raw.id !== 'string' || !isStepCount(raw.stepsDone)) return null;
  const sandbox = readMark(raw.sandbox);
  return sandbox === null ? null : { id: raw.id, stepsDone: raw.stepsDone, sandbox };
}

function readMark(raw: unknown): SandboxMark | null {
  if (!isRecord(raw) || typeof raw.name !== 'string' || !Array.isArray(raw.nodes) || !raw.nodes.every((n) => typeof n === 'string')) return null;
  return { name: raw.name, nodes: raw.nodes };
}

function readKept(raw: unknown): KeptSandbox | null {
  if (!isRecord(raw) || !isRecord(raw.config) || typeof raw.name !== 'string' || !isRecord(raw.traffic)) return null;
  const { running, flows } = raw.traffic;
  if (typeof running !== 'boolean' || !Array.isArray(flows) || !Array.isArray(raw.faults)) return null;
  const keptFlows = flows.filter(isRecord).flatMap((f) =>
    typeof f.name !== 'string'
      ? []
      : [{ name: f.name, ...(isCount(f.rate) ? { rate: f.rate } : {}), ...(isCount(f.users) ? { users: f.users } : {}) }],
  );
  return { config: raw.config, name: raw.name, traffic: { running, flows: keptFlows }, faults: raw.faults.filter(isRecord) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isStepCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
