import { describe, expect, it } from 'vitest';
import {
  PROGRESS_KEY,
  progressLabel,
  progressOf,
  readLessons,
  recordRun,
  sameSandbox,
  stepsDoneOf,
  writeLessons,
  type KeyValueStorage,
  type StoredLessons,
} from './progress-store.ts';

/** A storage backed by a map, as localStorage behaves. */
function memory(initial: Record<string, string> = {}): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

const EMPTY: StoredLessons = { progress: {}, active: null, kept: null };
const MARK = { name: 'Round robin', nodes: ['lb', 'app-1', 'app-2'] };
const KEPT = {
  config: { version: 1, name: 'Classic edge', nodes: [] },
  name: 'Classic edge',
  traffic: { running: true, flows: [{ name: 'browse', rate: 12 }] },
  faults: [{ target: 'users-1', type: 'down' }],
};

describe('the lesson progress store', () => {
  it('keeps progress, the lesson under way and the kept sandbox through a write and a read', () => {
    const storage = memory();
    const lessons = { ...recordRun(EMPTY, 'round-robin-basics', 3, 1, MARK), kept: KEPT };
    expect(writeLessons(storage, lessons)).toBe(true);
    expect(JSON.parse(storage.items.get(PROGRESS_KEY)!).version).toBe(1);
    expect(readLessons(storage)).toEqual({
      progress: { 'round-robin-basics': { stepsDone: 1, done: false } },
      active: { id: 'round-robin-basics', stepsDone: 1, sandbox: MARK },
      kept: KEPT,
    });
  });

  it.each([
    ['nothing stored', undefined],
    ['text that is not JSON', '{"version":1,'],
    ['JSON that is not an object', '[1,2,3]'],
    ['another version of the store', JSON.stringify({ version: 0, progress: { a: { stepsDone: 1, done: true } } })],
    ['a version from the future', JSON.stringify({ version: 2, progress: { a: { stepsDone: 1, done: true } } })],
  ])('reads %s as an empty store', (_, text) => {
    expect(readLessons(memory(text === undefined ? {} : { [PROGRESS_KEY]: text }))).toEqual(EMPTY);
  });

  it('drops each stored field of the wrong shape and keeps the rest', () => {
    const stored = {
      version: 1,
      progress: {
        good: { stepsDone: 2, done: true },
        negative: { stepsDone: -1, done: false },
        fractional: { stepsDone: 1.5, done: false },
        text: { stepsDone: '2', done: true },
        null: null,
        notDone: { stepsDone: 0, done: 'yes' },
      },
      active: { id: 'good', stepsDone: 1, sandbox: { name: 'x', nodes: ['a', 3] } },
      kept: { config: 'not an object', name: 'x', traffic: { running: true, flows: [] }, faults: [] },
    };
    expect(readLessons(memory({ [PROGRESS_KEY]: JSON.stringify(stored) }))).toEqual({
      progress: { good: { stepsDone: 2, done: true }, notDone: { stepsDone: 0, done: false } },
      active: null,
      kept: null,
    });
  });

  it('keeps a kept sandbox’s flows by name, without fields of the wrong shape', () => {
    const kept = { ...KEPT, traffic: { running: false, flows: [{ name: 'a', rate: 'fast', users: 4 }, { rate: 3 }, 'b'] }, faults: [KEPT.faults[0], 7] };
    expect(readLessons(memory({ [PROGRESS_KEY]: JSON.stringify({ version: 1, kept }) })).kept).toEqual({
      ...KEPT,
      traffic: { running: false, flows: [{ name: 'a', users: 4 }] },
    });
  });

  it('goes on without keeping anything when the storage refuses to be read or written', () => {
    const refusing: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readLessons(refusing)).toEqual(EMPTY);
    expect(writeLessons(refusing, EMPTY)).toBe(false);
    expect(readLessons(undefined)).toEqual(EMPTY);
    expect(writeLessons(undefined, EMPTY)).toBe(false);
  });

  it('records a run: a lesson finished once stays done when it is taken again', () => {
    let lessons = recordRun(EMPTY, 'a', 2, 0, MARK);
    expect(progressOf(lessons, 'a', 2)).toEqual({ stepsDone: 0, done: false });
    lessons = recordRun(lessons, 'a', 2, 2, MARK);
    expect(progressOf(lessons, 'a', 2)).toEqual({ stepsDone: 2, done: true });
    lessons = recordRun(lessons, 'a', 2, 0, MARK);
    expect(progressOf(lessons, 'a', 2)).toEqual({ stepsDone: 0, done: true });
    expect(lessons.active).toEqual({ id: 'a', stepsDone: 0, sandbox: MARK });
    expect(progressOf(lessons, 'b', 2)).toBeNull();
  });

  it('clamps a stored step count to the lesson as it is now', () => {
    const lessons: StoredLessons = { ...EMPTY, progress: { a: { stepsDone: 5, done: false } } };
    expect(progressOf(lessons, 'a', 3)).toEqual({ stepsDone: 3, done: false });
  });

  it.each([
    [null, false, 'Not started'],
    [{ stepsDone: 0, done: false }, false, 'Step 1 of 3'],
    [{ stepsDone: 2, done: false }, true, 'Step 3 of 3, under way'],
    [{ stepsDone: 3, done: true }, false, 'Done'],
    [{ stepsDone: 1, done: true }, false, 'Done'],
    [{ stepsDone: 1, done: true }, true, 'Step 2 of 3, under way'],
    [{ stepsDone: 3, done: true }, true, 'Done'],
  ])('labels %j (under way: %s) "%s"', (progress, underWay, label) => {
    expect(progressLabel(progress, 3, underWay)).toBe(label);
  });

  it.each([
    ['ready', 0, null],
    ['preparing', 0, null],
    ['failed', 0, null],
    ['intro', 0, 0],
    ['waiting', 1, 1],
    ['checking', 1, 1],
    ['demonstrating', 1, 1],
    ['disconnected', 1, null],
    ['done', 1, 2],
    ['complete', 2, 3],
  ] as const)('counts a run in phase %s at step index %i as %s steps done', (phase, stepIndex, done) => {
    expect(stepsDoneOf({ phase, stepIndex, stepCount: 3 })).toBe(done);
  });

  it('tells the lesson’s sandbox by its name and its node ids, in any order', () => {
    expect(sameSandbox(MARK, { name: 'Round robin', nodes: ['app-2', 'lb', 'app-1'] })).toBe(true);
    expect(sameSandbox(MARK, { name: 'Classic edge', nodes: MARK.nodes })).toBe(false);
    expect(sameSandbox(MARK, { name: 'Round robin', nodes: ['lb', 'app-1'] })).toBe(false);
    expect(sameSandbox(MARK, { name: 'Round robin', nodes: ['lb', 'app-1', 'app-3'] })).toBe(false);
  });
});
