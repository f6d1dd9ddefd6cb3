/** Every lesson, in the order the lesson list shows them. */
import type { Lesson } from './format.ts';
import { layer4VsLayer7 } from './layer-4-vs-layer-7.ts';
import { roundRobinBasics } from './round-robin-basics.ts';

export const lessons: readonly Lesson[] = [roundRobinBasics, layer4VsLayer7];
