/**
 * The balancers' recent picks, as the engine reported them (`request.forwarded` with a `pick`
 * decision), newest first and bounded per balancer: what the inspector's distribution, sequences,
 * rings and sparklines are drawn from. Only the page's sample of the stream is here (a slow tab is
 * sent a sample), so shares are of the picks this page saw, and the view says so.
 */
import type { Decision } from '../../../../engine/src/events.ts';

export interface PickRecord {
  rid: string;
  /** Engine time of the pick. */
  ts: number;
  to: string;
  decision: Decision;
}

export const PICKS_KEPT = 200;

export class PickHistory {
  readonly #byNode = new Map<string, PickRecord[]>();
  readonly #capacity: number;

  constructor(capacity = PICKS_KEPT) {
    this.#capacity = capacity;
  }

  record(node: string, pick: PickRecord): void {
    let list = this.#byNode.get(node);
    if (list === undefined) this.#byNode.set(node, (list = []));
    list.unshift(pick);
    if (list.length > this.#capacity) list.length = this.#capacity;
  }

  /** The newest pick at `node`, published or not. */
  latest(node: string): PickRecord | undefined {
    return this.#byNode.get(node)?.[0];
  }

  clear(): void {
    this.#byNode.clear();
  }

  /** Fresh arrays, newest first, for publishing to reactive state. */
  snapshot(): Record<string, PickRecord[]> {
    return Object.fromEntries([...this.#byNode].map(([node, list]) => [node, [...list]]));
  }
}

export interface TargetShare {
  id: string;
  count: number;
  /** count / total, 0 when nothing was picked. */
  share: number;
}

export interface Distribution {
  /** Picks counted: the newest `window` of them, or all when fewer. */
  total: number;
  shares: TargetShare[];
}

/**
 * Each target's share of the requests the balancer sent since the config was last applied, from the
 * engine's own per-target `picks` counts (never counted in the browser, so sampling cannot skew it).
 */
export function distribution(targets: ReadonlyArray<{ id: string; picks?: number }>): Distribution {
  const total = targets.reduce((sum, t) => sum + (t.picks ?? 0), 0);
  return { total, shares: targets.map((t) => ({ id: t.id, count: t.picks ?? 0, share: total === 0 ? 0 : (t.picks ?? 0) / total })) };
}

/** The picks one algorithm made (a switch leaves a few of the previous one's in flight). */
export function picksBy(picks: readonly PickRecord[], algorithm: string | undefined): PickRecord[] {
  return picks.filter((p) => p.decision.algorithm === algorithm);
}

type DecisionCandidate = NonNullable<Decision['candidates']>[number];

/** The candidate a pick chose, with the numbers the algorithm reported for it. */
export function chosenCandidate(pick: PickRecord): DecisionCandidate | undefined {
  return pick.decision.candidates?.find((c) => c.chosen === true) ?? pick.decision.candidates?.find((c) => c.id === pick.to);
}

/** A numeric field of a candidate, or undefined when the algorithm did not report it. */
export function numberField(candidate: DecisionCandidate | undefined, field: string): number | undefined {
  const value = candidate?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
