/**
 * The aggregation lesson's second step refuses the fixes that only look right: clearing the fault brings
 * every profile back under `fail-whole` too, but then `orders` answers again, which is the failure gone;
 * dropping `orders` from the aggregate makes every profile whole without it, and none partial. Neither
 * is the gateway answering through a failure. (lessons.test.ts proves the reference fix, `partial`, meets it.)
 */
import { expect, it, onTestFinished } from 'vitest';
import { aggregationUnderFailure } from './aggregation-under-failure.ts';
import { checkGoal, readMetric } from './checker.ts';
import { applySolution, fetchMetrics } from './client.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';
import type { LessonAction } from './format.ts';

const [failing, answerWhatArrived] = aggregationUnderFailure.steps;
const POLL_MS = 100;
const TIMEOUT_MS = 20_000;

type WrongFix = LessonAction[];

/** The lesson's start config with `orders` dropped from the aggregate (its traffic and ports as the sandbox has them). */
function withoutOrders(config: typeof aggregationUnderFailure.startConfig): typeof config {
  const copy = structuredClone(config);
  for (const node of copy.nodes) {
    if (node.kind !== 'gateway') continue;
    for (const route of node.routes) if (route.aggregate) route.aggregate.upstreams = route.aggregate.upstreams.filter((upstream) => upstream.name !== 'orders');
  }
  return copy;
}

it.each<[string, WrongFix, string]>([
  ['clearing the fault (orders answers again)', [{ action: 'clearFaults' }], 'partial'],
  ['dropping orders from the aggregate (whole answers, none partial)', [{ action: 'config', body: withoutOrders(aggregationUnderFailure.startConfig) }], 'partial'],
])('%s does not meet "answer what arrived"', { timeout: 60_000 }, async (_name, wrongFix, named) => {
  const sandbox = await startSandbox(aggregationUnderFailure.startConfig, { traffic: false });
  onTestFinished(() => sandbox.stop());
  const { baseUrl } = sandbox;
  await applySolution(baseUrl, failing.solution.map(actionWithEphemeralPorts));
  const baseline = (await fetchMetrics(baseUrl)).nodes;

  await applySolution(baseUrl, wrongFix.map(actionWithEphemeralPorts));
  // Wait until the wrong fix has done all it can: as many profiles answered as the goal asks for.
  const deadline = Date.now() + TIMEOUT_MS;
  let nodes = (await fetchMetrics(baseUrl)).nodes;
  while (readMetric(nodes.api, 'statusClasses.2xx') - readMetric(baseline.api, 'statusClasses.2xx') < 10 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    nodes = (await fetchMetrics(baseUrl)).nodes;
  }
  expect(readMetric(nodes.api, 'statusClasses.2xx') - readMetric(baseline.api, 'statusClasses.2xx')).toBeGreaterThanOrEqual(10);

  const report = checkGoal(answerWhatArrived.goal, nodes, baseline);
  expect(report.met, report.detail).toBe(false);
  expect(report.detail).toContain(named);
});
