/**
 * A request's "why" in one sentence: the engine's own reason for where it went. A balancer's pick
 * explains it best (the last one, when a retry picked again); else a node that answered by itself
 * says why; else the last routing decision. Only what the engine reported: nothing is made up here.
 */
import type { Decision } from '../../../../engine/src/events.ts';
import type { Trace } from './trace-store.ts';

export interface Why {
  /** The node that decided. */
  node: string;
  /** Where it sent the request; absent when it answered by itself. */
  to?: string;
  decision: Decision;
}

export function whyOf(trace: Trace | undefined): Why | undefined {
  if (trace === undefined) return undefined;
  let lastForward: Why | undefined;
  let pick: Why | undefined;
  for (const hop of trace.hops) {
    for (const forward of hop.forwards) {
      const why = { node: hop.node, to: forward.to, decision: forward.decision };
      lastForward = why;
      if (forward.decision.stage === 'pick') pick = why;
    }
  }
  if (pick) return pick;
  const answered = trace.hops.find((hop) => hop.answer !== undefined);
  if (answered) return { node: answered.node, decision: answered.answer! };
  return lastForward;
}

/** "users → users-2" or "users answered by itself": who decided what, for the tip's heading. */
export function whyHeading(why: Why): string {
  return why.to === undefined ? `${why.node} answered by itself` : `${why.node} → ${why.to}`;
}
