import { describe, expect, it } from 'vitest';
import { completed, happyPath, received, refusedPath } from './fixtures.ts';
import { TraceStore, type Trace } from './trace-store.ts';
import { NO_PATH, tracePath } from './trace-path.ts';

function traceOf(events: ReturnType<typeof happyPath>): Trace {
  const store = new TraceStore();
  for (const event of events) store.apply(event);
  return store.get(events[0].rid)!;
}

describe('a request’s path on the diagram', () => {
  it('is every edge it crossed and every box it reached, from the clients on', () => {
    const path = tracePath(traceOf(happyPath('a')));
    expect([...path.edges].sort()).toEqual(['api->users', 'client->edge', 'edge->api', 'users->users-2']);
    expect([...path.nodes].sort()).toEqual(['api', 'client', 'edge', 'users', 'users-2']);
  });

  it('includes the edge to a target that refused it (the try crossed it), not the box', () => {
    const path = tracePath(traceOf(refusedPath('b')));
    expect(path.edges.has('users->users-1')).toBe(true);
    expect(path.nodes.has('users-1')).toBe(false);
  });

  it('leaves out an arrival whose sender is unknown (its receipt was not seen)', () => {
    const path = tracePath(traceOf([received('c', 'edge', 'client', 1), completed('c', 'users-2', 50, 200, 40)]));
    expect([...path.edges]).toEqual(['client->edge']);
    expect([...path.nodes].sort()).toEqual(['client', 'edge', 'users-2']);
  });

  it('is empty with nothing selected', () => {
    expect(tracePath(null)).toBe(NO_PATH);
  });
});
