import { describe, expect, it } from 'vitest';
import { completed, forwarded, happyPath, received } from './fixtures.ts';
import { TraceStore } from './trace-store.ts';
import { whyHeading, whyOf } from './why.ts';

function traceOf(events: ReturnType<typeof happyPath>) {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return store.get(events[0].rid);
}

describe('a request’s why', () => {
  it('is the balancer’s pick when there was one', () => {
    const why = whyOf(traceOf(happyPath('a')));
    expect(why?.decision.reason).toBe('round-robin: users-2 is next in rotation (position 2 of 3)');
    expect(whyHeading(why!)).toBe('users → users-2');
  });

  it('is the last pick when a retry picked again', () => {
    const events = [
      received('r', 'users', 'client', 1),
      forwarded('r', 'users', 'users-1', 2, 'round-robin: users-1 is next in rotation (position 1 of 3)'),
      forwarded('r', 'users', 'users-2', 3, 'round-robin: users-2 is next in rotation (position 2 of 3)'),
    ];
    expect(whyOf(traceOf(events))?.to).toBe('users-2');
  });

  it('is the node’s own reason when it answered without forwarding', () => {
    const answer = {
      ...completed('n', 'users', 5, 503, 1, 'EDGE_NO_TARGET'),
      decision: { stage: 'pick' as const, algorithm: 'round-robin', reason: 'round-robin: no eligible target' },
    };
    const why = whyOf(traceOf([received('n', 'users', 'client', 1), answer]));
    expect(why).toEqual({ node: 'users', decision: answer.decision });
    expect(whyHeading(why!)).toBe('users answered by itself');
  });

  it('falls back to the last routing decision, and is nothing for an unknown request', () => {
    const events = [received('o', 'api', 'client', 1), forwarded('o', 'api', 'orders-1', 2, 'route /orders/* matched')];
    expect(whyOf(traceOf(events))?.decision.reason).toBe('route /orders/* matched');
    expect(whyOf(undefined)).toBeUndefined();
  });
});
