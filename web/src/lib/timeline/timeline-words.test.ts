import { describe, expect, it } from 'vitest';
import { formatBehind, timelineKey, viewBadge } from './timeline-words.ts';

const key = (k: string, more: Partial<KeyboardEvent> = {}) => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  defaultPrevented: false,
  ...more,
});

describe('timeline words', () => {
  it.each([
    [{ live: true, playing: true, speed: 1, behindMs: 0, recordedMs: 5000 }, 'Live'],
    [{ live: false, playing: false, speed: 1, behindMs: 12_400, recordedMs: 60_000 }, 'Paused: 12 s behind live'],
    [{ live: false, playing: true, speed: 0.25, behindMs: 3_210, recordedMs: 60_000 }, 'Slow motion 0.25x: 3.2 s behind live'],
    [{ live: false, playing: true, speed: 4, behindMs: 40_000, recordedMs: 60_000 }, 'Replaying 4x: 40 s behind live'],
  ] as const)('says what the view shows', (status, words) => {
    expect(viewBadge(status)).toBe(words);
  });

  it('never says a negative time', () => {
    expect(formatBehind(-5)).toBe('0.0 s');
  });

  it('maps space, the arrows and l on the page, and leaves fields, buttons and boxes their own keys', () => {
    const body = document.body;
    expect(timelineKey(key(' '), body)).toEqual({ action: 'toggle-play' });
    expect(timelineKey(key('ArrowLeft'), body)).toEqual({ action: 'step', deltaMs: -1000 });
    expect(timelineKey(key('ArrowRight', { shiftKey: true }), body)).toEqual({ action: 'step', deltaMs: 10_000 });
    expect(timelineKey(key('L'), body)).toEqual({ action: 'live' });
    expect(timelineKey(key('p'), body)).toBeUndefined();
    expect(timelineKey(key(' ', { defaultPrevented: true }), body)).toBeUndefined();
    expect(timelineKey(key('l', { ctrlKey: true }), body)).toBeUndefined();
    const box = document.createElement('g');
    box.setAttribute('data-node-id', 'edge');
    for (const target of [document.createElement('input'), document.createElement('button'), box])
      expect(timelineKey(key(' '), target)).toBeUndefined();
  });
});
