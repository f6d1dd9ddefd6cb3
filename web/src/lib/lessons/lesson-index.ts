/**
 * The lesson index: the lessons grouped under their tracks (lessons/format.ts `TRACKS`), in the tracks'
 * order and, within a track, in the order of the lesson list. A track without a lesson is left out; a
 * lesson without a track is listed last, under "More lessons".
 */
import { TRACKS, type Lesson, type Track } from '../../../../lessons/format.ts';

/** Each track's heading in the index. */
export const TRACK_TITLES: Record<Track, string> = {
  fundamentals: 'Fundamentals',
  'load-balancing': 'Load balancing',
  gateway: 'The API gateway',
  'reverse-proxy': 'The reverse proxy',
  'weak-points': 'The edge’s weak points',
  capstones: 'Capstones',
};

export interface TrackGroup {
  /** The track's id, or `other` for the lessons without one. */
  id: Track | 'other';
  title: string;
  lessons: Lesson[];
}

export function lessonsByTrack(lessons: readonly Lesson[]): TrackGroup[] {
  const groups: TrackGroup[] = TRACKS.map((id) => ({ id, title: TRACK_TITLES[id], lessons: lessons.filter((l) => l.track === id) }));
  groups.push({ id: 'other', title: 'More lessons', lessons: lessons.filter((l) => l.track === undefined) });
  return groups.filter((group) => group.lessons.length > 0);
}
