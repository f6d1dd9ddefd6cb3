/**
 * The goal the load-balancing lessons share, as a data builder: a node's error rate (its 5xx answers
 * over its requests) over a sliding window, "under 1% over the last 200 requests" (checker.ts).
 */
import type { RatioGoal, RatioWindow } from './format.ts';

export function errorRateUnder(node: string, value: number, over: RatioWindow, atLeast: number): RatioGoal {
  return {
    type: 'ratio',
    label: `${node}’s error rate`,
    counted: `requests at ${node}`,
    part: { node, metrics: ['statusClasses.5xx'] },
    whole: { node, metrics: ['requests'] },
    over,
    atLeast,
    op: '<',
    value,
  };
}
