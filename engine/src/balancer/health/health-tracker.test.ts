/** The health tracker with injected time (no checks, no timers): how passive sources combine and what they emit. */
import { describe, expect, it } from 'vitest';
import type { EngineEventBody } from '../../events.ts';
import { HealthTracker, type HealthSettings } from './health-tracker.ts';

function tracker(settings: HealthSettings, targets = ['a', 'b', 'c']) {
  let now = 0;
  const events: EngineEventBody[] = [];
  const health = new HealthTracker({ node: 'lb', emit: (e) => events.push(e), now: () => now, resolve: () => undefined });
  health.configure(settings, targets);
  return {
    health,
    events,
    at: (ms: number) => (now = ms),
    fail: (target: string, trial = false) => health.settled(target, { status: undefined, error: 'EDGE_UPSTREAM_REFUSED' }, trial),
    succeed: (target: string, trial = false) => health.settled(target, { status: 200, error: undefined }, trial),
  };
}

const outlierDetection = { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionMs: 10_000, maxEjectionPercent: 50 };
const slowStart = { windowMs: 1_000, aggression: 1, minWeightPercent: 10 };

describe('health tracker', () => {
  it('ejects on consecutive failures, says for how long, and the target returns warming up', () => {
    const t = tracker({ outlierDetection, slowStart });
    t.fail('a');
    expect(t.health.exclusion('a')).toBeUndefined();
    t.fail('a');
    expect(t.events).toMatchObject([{ type: 'target.health', target: 'a', source: 'passive', change: 'ejected', healthy: false }]);
    t.at(400);
    expect(t.health.exclusion('a')).toEqual({ text: 'ejected for 600 ms more (ejection 1)', backInMs: 600 });
    t.at(1_000);
    expect(t.health.exclusion('a')).toBeUndefined();
    expect(t.events[1]).toMatchObject({
      change: 'returned',
      healthy: true,
      reason: 'the ejection time is over: back in rotation, warming up over 1000 ms from 10% of its weight',
    });
    t.at(1_500);
    expect(t.health.warming('a')).toBeCloseTo(0.5, 6);
    expect(t.health.view('a')).toMatchObject({
      slowStart: { factor: 0.5, remainingMs: 500 },
      ejection: { ejected: false, timesEjected: 1 },
    });
    t.at(2_000);
    expect(t.health.warming('a')).toBeUndefined();
  });

  it("a client that left is nobody's failure", () => {
    const t = tracker({ outlierDetection });
    t.fail('a');
    t.health.settled('a', { status: undefined, error: 'EDGE_CLIENT_ABORTED' }, false);
    t.fail('a');
    expect(t.events.map((e) => e.type === 'target.health' && e.change)).toEqual(['ejected']);
  });

  it('the cap on ejections counts the targets out now', () => {
    const t = tracker({ outlierDetection: { ...outlierDetection, maxEjectionPercent: 10 } });
    t.fail('a');
    t.fail('a');
    t.fail('b');
    t.fail('b');
    expect(t.events.map((e) => e.type === 'target.health' && `${e.target} ${e.change}`)).toEqual(['a ejected', 'b ejection-skipped']);
    t.at(1_000);
    t.succeed('b');
    t.fail('b');
    t.fail('b');
    expect(t.events.map((e) => e.type === 'target.health' && `${e.target} ${e.change}`).slice(-2)).toEqual(['a returned', 'b ejected']);
  });

  it('the circuit opens, refuses for the cool-down, admits one trial, and closes on its success', () => {
    const t = tracker({ circuitBreaker: { consecutiveFailures: 2, coolDownMs: 500, trialRequests: 1 } });
    t.fail('b');
    t.fail('b');
    expect(t.health.exclusion('b')).toEqual({ text: 'circuit open (500 ms of cool-down left)', backInMs: 500 });
    t.at(500);
    expect(t.health.exclusion('b')).toBeUndefined();
    expect(t.health.dispatched('b')).toBe(true);
    expect(t.health.exclusion('b')?.text).toBe('circuit half-open (trial requests taken: 1 of 1)');
    expect(t.health.dispatched('a')).toBe(false);
    t.succeed('b', true);
    expect(t.events.map((e) => e.type === 'circuit.state' && `${e.from}->${e.to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->closed',
    ]);
    expect(t.events[0]).toMatchObject({ target: 'b', detail: { failures: 2, consecutiveFailures: 2, coolDownMs: 500, trialRequests: 1 } });
  });

  it('a source turned off forgets what it knew', () => {
    const t = tracker({ outlierDetection, circuitBreaker: { consecutiveFailures: 1, coolDownMs: 500, trialRequests: 1 } });
    t.fail('a');
    t.fail('a');
    expect(t.health.exclusion('a')).toBeDefined();
    t.health.configure({}, ['a', 'b', 'c']);
    expect(t.health.exclusion('a')).toBeUndefined();
    expect(t.health.view('a')).toEqual({});
  });
});

describe('the wake-up timer', () => {
  it('holds an ejection as long as a timer can, instead of overflowing into a wake-up every millisecond', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const longest = 2_147_483_647;
    const t = tracker({
      outlierDetection: { ...outlierDetection, consecutiveFailures: 1, baseEjectionMs: longest, maxEjectionMs: longest },
    });
    t.health.start();
    t.fail('a');
    await new Promise((r) => setTimeout(r, 50));
    t.health.stop();
    process.off('warning', onWarning);
    expect(t.health.exclusion('a')).toBeDefined();
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });
});
