/**
 * Where the page's main thread spends its frames, from a short Chrome trace (DevTools protocol
 * `Tracing`): the self time of every trace event on the renderer's main thread, summed by name, per
 * frame. Taken after the measured seconds (tracing costs time of its own), so it explains the
 * numbers without changing them. The names are Chromium's internal trace events (they can change
 * between versions): `FunctionCall` and friends are script, `LayerTreeHost::DoUpdateLayers` is where a
 * canvas without a GPU is rasterised, `ProxyMain::BeginMainFrame::commit` is the hand-over to the
 * compositor.
 */
const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc'];

/** Traces `seconds`; resolves to { frames, seconds, busyMsPerFrame, top: [{ name, msPerFrame }] }. */
export async function mainThreadBreakdown({ cdp, page, seconds = 2, top = 10 }) {
  const events = [];
  const onData = (e) => events.push(...e.value);
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES }, transferMode: 'ReportEvents' });
  await page.evaluate(() => window.__frameProbe.take());
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const frames = (await page.evaluate(() => window.__frameProbe.take())).times.length;
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);

  const threadNames = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name);
  const complete_ = events.filter((e) => e.ph === 'X' && e.dur > 0);
  const mains = [...threadNames].filter(([, name]) => name === 'CrRendererMain').map(([key]) => key);
  // The page's renderer main thread: the busiest one if there are several.
  let best = null;
  let bestEvents = [];
  for (const key of mains) {
    const own = complete_.filter((e) => `${e.pid}:${e.tid}` === key);
    if (own.length > bestEvents.length) [best, bestEvents] = [key, own];
  }
  if (best === null || frames === 0) return null;

  bestEvents.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of bestEvents) {
    while (stack.length > 0 && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, self.get(parent) - e.dur);
    self.set(e, e.dur);
    stack.push(e);
  }
  const byName = new Map();
  let busy = 0;
  for (const [e, us] of self) {
    byName.set(e.name, (byName.get(e.name) ?? 0) + us);
    busy += us;
  }
  const perFrame = (us) => Math.round((us / 1000 / frames) * 100) / 100;
  return {
    frames,
    seconds,
    busyMsPerFrame: perFrame(busy),
    top: [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, msPerFrame: perFrame(us) })),
  };
}
