/**
 * What the frame-budget case installs in the page before the lab's own code runs (`addInitScript`),
 * so its numbers do not rest only on the page's `window.__edgelab` hook:
 *
 * - a requestAnimationFrame loop of its own that counts frames and keeps their timestamps (frames per
 *   second and frame intervals as the browser delivered them), and samples `__edgelab.dotsInFlight()`
 *   once per frame (so the minimum is a real minimum, not a once-a-second sample);
 * - a PerformanceObserver for Chrome's Long Animation Frames (frames over 50 ms, with the script time
 *   the browser attributes to them).
 *
 * `window.__frameProbe.take()` returns what was collected since the previous call and starts afresh.
 * It costs a few microseconds per frame, which Chrome's ScriptDuration counts against the page.
 */
export const FRAME_PROBE_SCRIPT = `(() => {
  const probe = { times: [], dots: [], loaf: [], loafSupported: false };
  const frame = (t) => {
    probe.times.push(t);
    const hook = window.__edgelab;
    if (hook) probe.dots.push(hook.dotsInFlight());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  try {
    if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
      probe.loafSupported = true;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const script = (e.scripts || []).reduce((sum, s) => sum + s.duration, 0);
          probe.loaf.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, script });
        }
      }).observe({ type: 'long-animation-frame' });
    }
  } catch {}
  window.__frameProbe = {
    take() {
      const out = { times: probe.times, dots: probe.dots, loaf: probe.loaf, loafSupported: probe.loafSupported };
      probe.times = [];
      probe.dots = [];
      probe.loaf = [];
      return out;
    },
  };
})();`;
