import { describe, expect, it } from 'vitest';
import { TRACKS, type Lesson } from '../../../../lessons/format.ts';
import { lessons } from '../../../../lessons/index.ts';
import { roundRobinBasics } from '../../../../lessons/round-robin-basics.ts';
import { lessonsByTrack } from './lesson-index.ts';

const lesson = (id: string, track?: Lesson['track']): Lesson => ({ ...roundRobinBasics, id, track });

describe('lessonsByTrack', () => {
  it('groups the lessons under their tracks in the tracks’ order, each in list order, the untracked last', () => {
    const groups = lessonsByTrack([lesson('a', 'gateway'), lesson('b'), lesson('c', 'fundamentals'), lesson('d', 'gateway')]);
    expect(groups.map((g) => [g.id, g.title, g.lessons.map((l) => l.id)])).toEqual([
      ['fundamentals', 'Fundamentals', ['c']],
      ['gateway', 'The API gateway', ['a', 'd']],
      ['other', 'More lessons', ['b']],
    ]);
  });

  it('lists every lesson of the lab once', () => {
    const listed = lessonsByTrack(lessons).flatMap((g) => g.lessons.map((l) => l.id));
    expect(listed.toSorted()).toEqual(lessons.map((l) => l.id).toSorted());
    const order = lessonsByTrack(lessons).map((g) => g.id);
    expect(order).toEqual(TRACKS.filter((t) => order.includes(t)));
  });
});
