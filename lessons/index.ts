/** Every lesson, in the order the lesson list shows them. */
import type { Lesson } from './format.ts';
import { roundRobinBasics } from './round-robin-basics.ts';

export const lessons: readonly Lesson[] = [roundRobinBasics];
