/**
 * The aggregation lesson's second step refuses the fix that only looks right: clearing the fault brings
 * every profile back under `fail-whole` too, but then `orders` answers again, which is the failure gone,
 * not the gateway answering through it. (lessons.test.ts proves the reference fix, `partial`, meets it.)
 */
import { expect, it, onTestFinished } from 'vitest';
import { aggregationUnderFailure } from './aggregation-under-failure.ts';
import { checkGoal, readMetric } from './checker.ts';
import { applySolution, fetchMetrics } from './client.ts';
import { startSandbox } from './engine.fixture.ts';
import { actionWithEphemeralPorts } from './ephemeral-ports.ts';

const [failing, answerWhatArrived] = aggregationUnderFailure.steps;
const POLL_MS = 100;
const TIMEOUT_MS = 20_000;

it('clearing the fault instead of switching to partial does not meet "answer what arrived"', { timeout: 60_000 }, async () => {
  const sandbox = await startSandbox(aggregationUnderFailure.startConfig, { traffic: false });
  onTestFinished(() => sandbox.stop());
  const { baseUrl } = sandbox;
  await applySolution(baseUrl, failing.solution.map(actionWithEphemeralPorts));
  const baseline = (await fetchMetrics(baseUrl)).nodes;

  await applySolution(baseUrl, [{ action: 'clearFaults' }]);
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
  expect(report.detail).toContain('orders');
});
