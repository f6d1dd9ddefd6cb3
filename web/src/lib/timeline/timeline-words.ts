/**
 * The timeline bar's words and keys, apart from the component so they can be tested: the badge that
 * says what the view shows and how far behind live it is, and which key does what (space, arrows, l)
 * when focus is not in a field, a button or a box (whose own keys come first).
 */
import type { TimelineStatus } from '../../state/timeline.svelte.ts';

/** Seconds with one decimal under 10 s, whole above: "3.2 s", "47 s". */
export function formatBehind(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
}

/** What the view shows, in a few words. */
export function viewBadge(status: TimelineStatus): string {
  if (status.live) return 'Live';
  const behind = `${formatBehind(status.behindMs)} behind live`;
  if (!status.playing) return `Paused: ${behind}`;
  if (status.speed < 1) return `Slow motion ${status.speed}x: ${behind}`;
  return `Replaying ${status.speed}x: ${behind}`;
}

export type TimelineKey = { action: 'toggle-play' } | { action: 'step'; deltaMs: number } | { action: 'live' };

/** How far one arrow press moves the view; with Shift, ten times as far. */
export const STEP_MS = 1000;

/**
 * The timeline action of a key press on the page, or undefined when the key is not the timeline's or
 * belongs to where focus is: a field, a button, a link, a slider, a box of the diagram.
 */
export function timelineKey(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'defaultPrevented'>,
  target: Element | null,
): TimelineKey | undefined {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (target?.closest('input, textarea, select, button, a, [contenteditable="true"], [role="button"], [role="slider"], [data-node-id]'))
    return undefined;
  if (event.key === ' ') return { action: 'toggle-play' };
  if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
    const size = event.shiftKey ? 10 * STEP_MS : STEP_MS;
    return { action: 'step', deltaMs: event.key === 'ArrowLeft' ? -size : size };
  }
  if (event.key === 'l' || event.key === 'L') return { action: 'live' };
  return undefined;
}
