/**
 * Every lesson's own text (titles, steps, hints, goal labels and rules, what a solution says it does)
 * says a comparison as a learner reads it: "at least 20", "at most 5%", "≥ 20", never the programmer's
 * `>=` or `<=`. A goal's `op` is data the checker reads, and says in words on the page (checker.ts OP_WORDS).
 */
import { describe, expect, it } from 'vitest';
import { lessons } from './index.ts';

/** Every string in `value` but a goal's `op` and the start config (the engine's, not the lesson's, words), with its path. */
function texts(value: unknown, path: string): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => texts(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'op' || key === 'startConfig' || key === 'config' ? [] : texts(item, `${path}.${key}`),
  );
}

describe.each(lessons.map((lesson) => ({ id: lesson.id, lesson })))('lesson $id', ({ lesson }) => {
  it('says no ">=" or "<=" to the learner', () => {
    expect(texts(lesson, lesson.id).filter(([, text]) => /[<>]=/.test(text))).toEqual([]);
  });
});
