import { describe, expect, it } from 'vitest';
import type { Fault } from '../api-types.ts';
import { activeFor, combinedLabel, edgeLabel, faultEffect, faultParameters, faultsSentence, markerLabel } from './fault-words.ts';

const base = { id: 'f1', target: 'users-1', source: 'api', startedAt: 0 } as const;
const FAULTS: Record<string, Fault> = {
  down: { ...base, type: 'down' },
  hang: { ...base, type: 'hang' },
  latency: { ...base, type: 'latency', ms: 300, jitter: 50 },
  errors: { ...base, type: 'errors', rate: 0.5, status: 503 },
  reset: { ...base, type: 'reset', after: 0 },
  bandwidth: { ...base, type: 'bandwidth', bytesPerSecond: 2048 },
  'slow-close': { ...base, type: 'slow-close', delay: 500 },
  flap: { ...base, type: 'flap', period: 4000, downFor: 1000 },
  partition: { ...base, target: 'api->users', type: 'partition', mode: 'reject' },
  overload: { ...base, type: 'overload', capacity: 2 },
};

describe('fault words', () => {
  it.each([
    ['down', 'down', 'down', ''],
    ['hang', 'hang', 'hang', ''],
    ['latency', 'latency +300 ms', '+300 ms', '300 ms ± 50 ms added to each request'],
    ['errors', 'errors 50% → 503', 'errors 50%', '50% of requests answered 503'],
    ['reset', 'reset', 'reset', 'reset as soon as a request arrives'],
    ['bandwidth', 'bandwidth 2 KB/s', '2 KB/s', 'at most 2 KB/s'],
    ['slow-close', 'slow close 500 ms', 'slow close', 'close held 500 ms'],
    ['flap', 'flap', 'flap', 'down 1.00 s of every 4.00 s'],
    ['partition', 'partition', 'partition', 'reject: connections refused at once'],
    ['overload', 'overload: 2 at once', 'overload', 'capacity cut to 2 at once'],
  ])('name a %s fault on a node, on an edge, and in words', (type, marker, edge, words) => {
    expect(markerLabel(FAULTS[type])).toBe(marker);
    expect(edgeLabel(FAULTS[type])).toBe(edge);
    expect(faultParameters(FAULTS[type])).toBe(words);
  });

  it('label several faults on one place by the first and a count', () => {
    expect(combinedLabel([], markerLabel)).toBe('');
    expect(combinedLabel([FAULTS.latency, FAULTS.errors, FAULTS.hang], markerLabel)).toBe('latency +300 ms +2');
    expect(faultsSentence([FAULTS.latency, FAULTS.hang])).toBe('latency: 300 ms ± 50 ms added to each request; hang');
  });

  it('say what starting and ending a fault does', () => {
    expect(faultEffect(FAULTS.down, true)).toBe('its listener is closed, connections are refused');
    expect(faultEffect(FAULTS.hang, true)).toBe('requests are accepted and never answered: callers time out (504)');
    expect(faultEffect(FAULTS.hang, false)).toBe('held requests are released and handled');
    expect(faultEffect(FAULTS.overload, false)).toBe('its capacity is back to the configured one');
  });

  it.each([
    [0, '0 s'],
    [8_999, '8 s'],
    [125_000, '2 min 05 s'],
    [3_660_000, '1 h 01 min'],
    [-500, '0 s'],
  ])('count %i ms active as %s', (ms, text) => {
    expect(activeFor(1_000_000, 1_000_000 + ms)).toBe(text);
  });
});
