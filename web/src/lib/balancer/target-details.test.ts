import { describe, expect, it } from 'vitest';
import { circuitState, describeDetail, detailColumns, detailHeading } from './target-details.ts';

describe('target details beyond load', () => {
  it('lists the extra fields present, known ones first', () => {
    const targets = [
      { id: 'a', weight: 1, inFlight: 0, eligible: true, address: 'x', zone: 'eu', circuit: { state: 'closed' } },
      { id: 'b', weight: 1, inFlight: 0, eligible: false, address: 'y', health: { state: 'unhealthy' }, excluded: 'unhealthy' },
    ];
    expect(detailColumns(targets)).toEqual(['health', 'circuit', 'excluded', 'zone']);
    expect(detailColumns([{ id: 'a', weight: 1, inFlight: 0, eligible: true, address: 'x' }])).toEqual([]);
    expect(detailHeading('ejection')).toBe('outlier');
    expect(detailHeading('zone')).toBe('zone');
  });

  it.each([
    ['health', { state: 'healthy', streak: 0, rise: 2, fall: 3 }, 'healthy', false],
    ['health', { state: 'healthy', streak: 1, rise: 2, fall: 3 }, 'healthy (1 of 3 failures to leave)', false],
    ['health', { state: 'unhealthy', streak: 1, rise: 2, fall: 3 }, 'unhealthy (1 of 2 passes to return)', true],
    [
      'ejection',
      { ejected: true, remainingMs: 29_100, timesEjected: 1, consecutiveFailures: 0 },
      'ejected, back in 30 s (ejected 1×)',
      true,
    ],
    ['ejection', { ejected: false, remainingMs: 0, timesEjected: 0, consecutiveFailures: 2 }, 'in (2 failures in a row)', false],
    ['circuit', { state: 'open', failures: 5, remainingMs: 8_000 }, 'open, half-opens in 8 s', true],
    ['circuit', { state: 'half-open', trialsInFlight: 1, trialSuccesses: 0 }, 'half-open (1 trial in flight, 0 passed)', false],
    ['circuit', { state: 'closed', failures: 0 }, 'closed', false],
    ['slowStart', { factor: 0.25, remainingMs: 20_000 }, 'warming: 25% of its weight for 20 s', false],
    ['excluded', 'circuit open', 'circuit open', true],
    ['draining', true, 'yes', false],
    ['zone', 'eu', 'eu', false],
    ['mystery', { a: 1 }, '{"a":1}', false],
  ])('writes %s %j as "%s"', (column, value, text, bad) => {
    expect(describeDetail(column, value)).toEqual({ text, bad });
  });

  it('reads a circuit state only when it is one', () => {
    expect(circuitState({ circuit: { state: 'half-open' } })).toBe('half-open');
    expect(circuitState({ circuit: { state: 'weird' } })).toBeUndefined();
    expect(circuitState({})).toBeUndefined();
  });
});
