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
