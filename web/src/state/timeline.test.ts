import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamItem } from '../lib/stream/parse-batch.ts';
import { happyPath } from '../lib/traces/fixtures.ts';
import { labWithTopology, metrics, stubApi } from './state-fixtures.ts';
import { Timeline } from './timeline.svelte.ts';

/** A lab whose timeline reads an injected clock; `arrive` hands a batch to both, as the stream does. */
function labWithTimeline() {
  const lab = labWithTopology();
  const time = { now: 0 };
  const timeline = new Timeline(lab, () => time.now);
  const arrive = (items: StreamItem[], at: number) => {
    time.now = at;
    timeline.record(items, at);
    lab.ingest(items, at);
  };
  return { lab, time, timeline, arrive };
}

const requestsIn = (log: readonly { rid?: string }[]) => log.flatMap((l) => (l.rid === undefined ? [] : [l.rid]));

describe('Timeline', () => {
  beforeEach(() => {
    stubApi();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('paused, shows what had arrived before the pause while the live stream goes on', () => {
    const { lab, time, timeline, arrive } = labWithTimeline();
    arrive(happyPath('a', 5_000), 5_000);
    arrive(happyPath('b', 8_000), 8_000);
    time.now = 10_000;
    timeline.pause();
    arrive(happyPath('c', 11_000), 11_000);
    lab.flushLog();
    expect(requestsIn(lab.log)).toEqual(['c', 'b', 'a']);
    expect(timeline.replay).not.toBeNull();
    expect(requestsIn(timeline.replay!.log)).toEqual(['b', 'a']);
    vi.advanceTimersByTime(100);
    expect(timeline.status).toMatchObject({ live: false, playing: false, behindMs: 1_000 });
  });

  it('scrubbing back rebuilds the view from the recording, and a replay at 4x moves it on', () => {
    const { time, timeline, arrive } = labWithTimeline();
    arrive(happyPath('a', 5_000), 5_000);
    arrive(happyPath('b', 8_000), 8_000);
    arrive(happyPath('c', 11_000), 11_000);
    time.now = 12_000;
    timeline.scrubTo(6_000);
    vi.advanceTimersByTime(100);
    expect(requestsIn(timeline.replay!.log)).toEqual(['a']);
    timeline.setSpeed(4);
    timeline.play();
    time.now = 12_500;
    vi.advanceTimersByTime(100);
    // 0.5 s of real time at 4x: the view is at 8 s, where b arrived.
    expect(requestsIn(timeline.replay!.log)).toEqual(['b', 'a']);
    expect(timeline.status).toMatchObject({ live: false, playing: true, speed: 4, behindMs: 4_500 });
  });

  it('shows the box counts of the moment shown', () => {
    const { timeline, arrive } = labWithTimeline();
    const tick = (seq: number, requests: number, at: number) =>
      arrive([{ type: 'metrics.tick', seq, ts: at, nodes: { 'users-1': { ...metrics, requests } } }], at);
    tick(1, 10, 1_000);
    tick(2, 20, 2_000);
    tick(3, 30, 3_000);
    timeline.step(1_000);
    expect(timeline.replay).toBeNull();
    timeline.step(-1_500);
    expect(timeline.replay!.metrics['users-1'].requests).toBe(10);
    timeline.step(-60_000);
    expect(timeline.status.behindMs).toBe(2_000);
  });

  it('a replay that catches up with now becomes live, and Live returns from anywhere', () => {
    const { lab, time, timeline, arrive } = labWithTimeline();
    arrive(happyPath('a', 5_000), 5_000);
    timeline.setSpeed(0.5);
    expect(timeline.status.live).toBe(false);
    timeline.setSpeed(4);
    time.now = 6_000;
    vi.advanceTimersByTime(100);
    expect(timeline.status.live).toBe(true);
    expect(timeline.replay).toBeNull();
    timeline.pause();
    expect(timeline.replay).not.toBeNull();
    timeline.goLive();
    expect(timeline.replay).toBeNull();
    expect(lab.selection.selectedTrace).toBeNull();
  });

  it('shows the selected request’s trace from the stream on screen', () => {
    const { lab, time, timeline, arrive } = labWithTimeline();
    const events = happyPath('a', 5_000);
    arrive(events.slice(0, 3), 5_000);
    lab.selection.openTrace('a');
    time.now = 5_500;
    timeline.pause();
    arrive(events.slice(3), 6_000);
    lab.flush();
    expect(lab.selection.selectedTrace?.done).toBe(false);
    timeline.goLive();
    expect(lab.selection.selectedTrace?.done).toBe(true);
  });
});
