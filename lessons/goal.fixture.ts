/** Goals and snapshots shared by the checker's tests and the page's readout tests. */
import type { MetricsByNode, RatioGoal } from './format.ts';
import { snapshot } from './metrics.fixture.ts';

/** lb's error rate under 1% over its last 200 requests. */
export const errorsUnder1: RatioGoal = {
  type: 'ratio',
  label: 'lb’s error rate',
  counted: 'requests at lb',
  part: { node: 'lb', metrics: ['statusClasses.5xx'] },
  whole: { node: 'lb', metrics: ['requests'] },
  over: { requests: 200 },
  atLeast: 200,
  op: '<',
  value: 0.01,
};

/** lb having answered `requests`, `errors` of them 5xx. */
export function lbErrors(requests: number, errors: number): MetricsByNode {
  return snapshot({ lb: { requests, statusClasses: { '5xx': errors } } });
}
