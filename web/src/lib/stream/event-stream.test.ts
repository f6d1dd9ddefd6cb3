import { describe, expect, it } from 'vitest';
import { openEventStream, type ConnectionStatus, type EventSourceLike } from './event-stream.ts';
import type { StreamItem } from './parse-batch.ts';

class FakeSource implements EventSourceLike {
  constructor(readonly url: string) {}
  readyState = 0;
  onopen: EventSourceLike['onopen'] = null;
  onmessage: EventSourceLike['onmessage'] = null;
  onerror: EventSourceLike['onerror'] = null;
  closed = false;
  open() {
    this.readyState = 1;
    this.onopen?.call(this, new Event('open'));
  }
  message(data: string, lastEventId = '') {
    this.onmessage?.call(this, new MessageEvent('message', { data, lastEventId }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.call(this, new Event('error'));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function harness() {
  const sources: FakeSource[] = [];
  const statuses: Array<[ConnectionStatus, boolean]> = [];
  const batches: StreamItem[][] = [];
  const timers: Array<() => void> = [];
  const close = openEventStream(
    '/api/events',
    { onBatch: (b) => batches.push(b), onStatus: (s, r) => statuses.push([s, r]) },
    {
      createSource: (url) => {
        const s = new FakeSource(url);
        sources.push(s);
        return s;
      },
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
    },
  );
  return { sources, statuses, batches, timers, close };
}

describe('openEventStream', () => {
  it('hands over parsed batches', () => {
    const h = harness();
    h.sources[0].open();
    h.sources[0].message('[{"type":"config.applied","seq":1,"ts":1,"name":"x","nodes":1}]');
    h.sources[0].message('garbage');
    expect(h.batches).toHaveLength(1);
    expect(h.statuses).toEqual([
      ['connecting', false],
      ['open', false],
    ]);
  });

  it('reports a browser-side reconnect, then the reopen as a reconnection', () => {
    const h = harness();
    h.sources[0].open();
    h.sources[0].fail(0);
    h.sources[0].open();
    expect(h.statuses.slice(2)).toEqual([
      ['reconnecting', false],
      ['open', true],
    ]);
    expect(h.sources).toHaveLength(1);
  });

  it('opens a new source when the browser gives up', () => {
    const h = harness();
    h.sources[0].open();
    h.sources[0].fail(2);
    expect(h.timers).toHaveLength(1);
    h.timers[0]();
    expect(h.sources).toHaveLength(2);
    h.sources[1].open();
    expect(h.statuses.at(-1)).toEqual(['open', true]);
  });

  it('resumes a new source from the last id seen, since a new EventSource sends no Last-Event-ID', () => {
    const h = harness();
    expect(h.sources[0].url).toBe('/api/events');
    h.sources[0].open();
    h.sources[0].message('[{"type":"config.applied","seq":7,"ts":1,"name":"x","nodes":1}]', 'a1b2c3d4-7');
    h.sources[0].fail(2);
    h.timers[0]();
    expect(h.sources[1].url).toBe('/api/events?lastEventId=a1b2c3d4-7');
  });

  it('stops for good when closed', () => {
    const h = harness();
    h.close();
    expect(h.sources[0].closed).toBe(true);
    h.sources[0].fail(2);
    expect(h.timers).toHaveLength(0);
  });
});

describe('openEventStream with liveness', () => {
  /** A stream whose silence timers run when the test says, and whose probe answers as the test says. */
  function watched(answers: boolean[]) {
    const sources: FakeSource[] = [];
    const statuses: Array<[ConnectionStatus, boolean]> = [];
    const timers = new Map<number, () => void>();
    let next = 0;
    const probes: boolean[] = [];
    const close = openEventStream(
      '/api/events',
      { onBatch: () => {}, onStatus: (s, r) => statuses.push([s, r]) },
      {
        createSource: (url) => {
          const s = new FakeSource(url);
          sources.push(s);
          return s;
        },
        setTimer: (fn) => (timers.set(++next, fn), next),
        clearTimer: (h) => timers.delete(h as number),
        liveness: {
          quietMs: 5000,
          probe: async () => {
            const answer = answers.shift() ?? true;
            probes.push(answer);
            return answer;
          },
        },
      },
    );
    /** Runs the one pending silence timer and lets its probe settle. */
    const silence = async () => {
      expect(timers.size).toBe(1);
      const [[handle, fn]] = [...timers];
      timers.delete(handle);
      fn();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    return { sources, statuses, timers, probes, silence, close };
  }

  it('keeps a silent stream whose engine answers, watching on', async () => {
    const w = watched([true]);
    w.sources[0].open();
    await w.silence();
    expect(w.probes).toEqual([true]);
    expect(w.sources).toHaveLength(1);
    expect(w.statuses.at(-1)).toEqual(['open', false]);
    expect(w.timers.size).toBe(1);
  });

  it('a message puts the watch off: one timer, started again', () => {
    const w = watched([]);
    w.sources[0].open();
    w.sources[0].message('[]', 'r-1');
    expect(w.timers.size).toBe(1);
  });

  it('replaces a silent source whose engine does not answer, says so, and reports the reopen as a reconnection', async () => {
    const w = watched([false]);
    w.sources[0].open();
    w.sources[0].message('[{"type":"config.applied","seq":7,"ts":1,"name":"x","nodes":1}]', 'a1b2c3d4-7');
    await w.silence();
    expect(w.statuses.at(-1)).toEqual(['reconnecting', false]);
    expect(w.sources[0].closed).toBe(true);
    expect(w.sources[1].url).toBe('/api/events?lastEventId=a1b2c3d4-7');
    // No watch while the new source connects: it opens when the engine answers again.
    expect(w.timers.size).toBe(0);
    w.sources[1].open();
    expect(w.statuses.at(-1)).toEqual(['open', true]);
  });

  it('stops watching when closed', async () => {
    const w = watched([false]);
    w.sources[0].open();
    w.close();
    expect(w.timers.size).toBe(0);
  });
});
