/** Every lesson, in the order the lesson list shows them. */
import { aggregationUnderFailure } from './aggregation-under-failure.ts';
import { authAtTheEdge } from './auth-at-the-edge.ts';
import { boundaryBurst } from './boundary-burst.ts';
import { buildToSlo } from './build-to-slo.ts';
import { cacheTheHotPath } from './cache-the-hot-path.ts';
import { canaryByHeader } from './canary-by-header.ts';
import { filterTheRange } from './filter-the-range.ts';
import type { Lesson } from './format.ts';
import { freshnessAndRevalidation } from './freshness-and-revalidation.ts';
import { healthChecks } from './health-checks.ts';
import { incidentDrill } from './incident-drill.ts';
import { layer4VsLayer7 } from './layer-4-vs-layer-7.ts';
import { oneDoor } from './one-door.ts';
import { oneServerIsNotEnough } from './one-server-is-not-enough.ts';
import { outlierDetectionAndCircuitBreaking } from './outlier-detection-and-circuit-breaking.ts';
import { redundantPair } from './redundant-pair.ts';
import { roundRobinBasics } from './round-robin-basics.ts';
import { retryStormsAndBudgets } from './retry-storms-and-budgets.ts';
import { roundRobinBlindSpot } from './round-robin-blind-spot.ts';
import { staleKeepsTheSiteUp } from './stale-keeps-the-site-up.ts';
import { stickySessions } from './sticky-sessions.ts';
import { theCostOfAHop } from './the-cost-of-a-hop.ts';
import { theSaturatedHop } from './the-saturated-hop.ts';
import { thunderingHerd } from './thundering-herd.ts';
import { throttleTheAbuser } from './throttle-the-abuser.ts';
import { tlsTermination } from './tls-termination.ts';
import { weightsForUnequalServers } from './weights-for-unequal-servers.ts';
import { whoMovesWhenAServerLeaves } from './who-moves-when-a-server-leaves.ts';
import { whatEachBoxIs } from './what-each-box-is.ts';

export const lessons: readonly Lesson[] = [
  // The fundamentals.
  whatEachBoxIs,
  theCostOfAHop,
  // The load-balancing track.
  roundRobinBasics,
  oneServerIsNotEnough,
  roundRobinBlindSpot,
  healthChecks,
  outlierDetectionAndCircuitBreaking,
  weightsForUnequalServers,
  stickySessions,
  whoMovesWhenAServerLeaves,
  retryStormsAndBudgets,
  layer4VsLayer7,
  // The edge's own weak points.
  redundantPair,
  theSaturatedHop,
  // The gateway track.
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
  // The capstones.
  buildToSlo,
  incidentDrill,
];
