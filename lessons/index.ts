/** Every lesson, in the order the lesson list shows them. */
import { aggregationUnderFailure } from './aggregation-under-failure.ts';
import { authAtTheEdge } from './auth-at-the-edge.ts';
import { boundaryBurst } from './boundary-burst.ts';
import { canaryByHeader } from './canary-by-header.ts';
import type { Lesson } from './format.ts';
import { layer4VsLayer7 } from './layer-4-vs-layer-7.ts';
import { oneDoor } from './one-door.ts';
import { roundRobinBasics } from './round-robin-basics.ts';
import { throttleTheAbuser } from './throttle-the-abuser.ts';

export const lessons: readonly Lesson[] = [
  roundRobinBasics,
  layer4VsLayer7,
  oneDoor,
  canaryByHeader,
  throttleTheAbuser,
  boundaryBurst,
  authAtTheEdge,
  aggregationUnderFailure,
];
