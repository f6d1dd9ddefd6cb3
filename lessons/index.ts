/** Every lesson, in the order the lesson list shows them. */
import { aggregationUnderFailure } from './aggregation-under-failure.ts';
import { authAtTheEdge } from './auth-at-the-edge.ts';
import { boundaryBurst } from './boundary-burst.ts';
import { cacheTheHotPath } from './cache-the-hot-path.ts';
import { canaryByHeader } from './canary-by-header.ts';
import { filterTheRange } from './filter-the-range.ts';
import type { Lesson } from './format.ts';
import { freshnessAndRevalidation } from './freshness-and-revalidation.ts';
import { layer4VsLayer7 } from './layer-4-vs-layer-7.ts';
import { oneDoor } from './one-door.ts';
import { redundantPair } from './redundant-pair.ts';
import { roundRobinBasics } from './round-robin-basics.ts';
import { staleKeepsTheSiteUp } from './stale-keeps-the-site-up.ts';
import { theSaturatedHop } from './the-saturated-hop.ts';
import { thunderingHerd } from './thundering-herd.ts';
import { throttleTheAbuser } from './throttle-the-abuser.ts';
import { tlsTermination } from './tls-termination.ts';

export const lessons: readonly Lesson[] = [
  roundRobinBasics,
  layer4VsLayer7,
  // The edge's own weak points.
  redundantPair,
  theSaturatedHop,
  oneDoor,
  canaryByHeader,
  throttleTheAbuser,
  boundaryBurst,
  authAtTheEdge,
  aggregationUnderFailure,
  // The reverse-proxy track.
  cacheTheHotPath,
  freshnessAndRevalidation,
  thunderingHerd,
  staleKeepsTheSiteUp,
  filterTheRange,
  tlsTermination,
];
