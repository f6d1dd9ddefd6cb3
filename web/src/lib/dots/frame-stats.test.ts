import { describe, expect, it } from 'vitest';
import { FrameStats } from './frame-stats.ts';

describe('FrameStats', () => {
  it('is empty before the first frame', () => {
    expect(new FrameStats().snapshot()).toEqual({ samples: [], frames: 0, mean: 0, p95: 0, max: 0 });
  });

  it('keeps the most recent frames, oldest first, and summarises them', () => {
    const stats = new FrameStats(4);
    for (const ms of [9, 1, 2, 3, 4]) stats.record(ms);
    expect(stats.snapshot()).toEqual({ samples: [1, 2, 3, 4], frames: 5, mean: 2.5, p95: 4, max: 4 });
  });
});
