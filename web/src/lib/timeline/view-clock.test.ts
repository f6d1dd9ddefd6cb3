import { describe, expect, it } from 'vitest';
import { ViewClock } from './view-clock.ts';

function clockAt(start: number) {
  const time = { now: start };
  return { time, clock: new ViewClock(() => time.now) };
}

describe('ViewClock', () => {
  it('is live at first: the position is now and moves with it', () => {
    const { time, clock } = clockAt(10_000);
    expect(clock.live).toBe(true);
    expect(clock.position()).toBe(10_000);
    time.now = 12_000;
    expect(clock.position()).toBe(12_000);
    expect(clock.behindMs()).toBe(0);
  });

  it('pausing holds the position while now goes on, and says how far behind it is', () => {
    const { time, clock } = clockAt(10_000);
    clock.pause();
    time.now = 15_000;
    expect(clock.live).toBe(false);
    expect(clock.playing).toBe(false);
    expect(clock.position()).toBe(10_000);
    expect(clock.behindMs()).toBe(5_000);
  });

  it.each([
    [0.25, 10_250],
    [0.5, 10_500],
    [1, 11_000],
    [2, 12_000],
    [4, 14_000],
  ] as const)('plays at %sx: one real second moves the view to %s', (speed, position) => {
    const { time, clock } = clockAt(10_000);
    clock.pause();
    time.now = 30_000;
    clock.seek(10_000);
    clock.setSpeed(speed);
    clock.play();
    time.now = 31_000;
    expect(clock.position()).toBe(position);
  });

  it('changing speed while playing keeps the position reached', () => {
    const { time, clock } = clockAt(0);
    clock.pause();
    time.now = 20_000;
    clock.seek(0);
    clock.play();
    time.now = 21_000;
    clock.setSpeed(4);
    expect(clock.position()).toBe(1_000);
    time.now = 22_000;
    expect(clock.position()).toBe(5_000);
  });

  it('scrubbing moves the position, paused or playing as before, never past now', () => {
    const { time, clock } = clockAt(50_000);
    clock.seek(40_000);
    expect(clock.playing).toBe(false);
    expect(clock.position()).toBe(40_000);
    clock.seek(39_000);
    expect(clock.position()).toBe(39_000);
    clock.play();
    clock.seek(30_000);
    time.now = 51_000;
    expect(clock.position()).toBe(31_000);
    clock.seek(99_000);
    expect(clock.position()).toBe(51_000);
  });

  it('slow motion from live runs behind it, and a replay that catches up says so', () => {
    const { time, clock } = clockAt(0);
    clock.setSpeed(0.5);
    expect(clock.live).toBe(false);
    expect(clock.caughtUp()).toBe(false);
    time.now = 4_000;
    expect(clock.position()).toBe(2_000);
    expect(clock.behindMs()).toBe(2_000);
    clock.setSpeed(4);
    expect(clock.caughtUp()).toBe(false);
    time.now = 5_000;
    expect(clock.position()).toBe(5_000);
    expect(clock.caughtUp()).toBe(true);
  });

  it('a speed of 1x or more chosen while live stays live, and is kept for the next replay', () => {
    const { time, clock } = clockAt(0);
    clock.setSpeed(2);
    expect(clock.live).toBe(true);
    clock.pause();
    time.now = 10_000;
    clock.seek(0);
    clock.play();
    time.now = 11_000;
    expect(clock.position()).toBe(2_000);
  });

  it('returns to live from anywhere', () => {
    const { time, clock } = clockAt(0);
    clock.pause();
    time.now = 9_000;
    clock.goLive();
    expect(clock.live).toBe(true);
    expect(clock.playing).toBe(true);
    expect(clock.position()).toBe(9_000);
  });
});
