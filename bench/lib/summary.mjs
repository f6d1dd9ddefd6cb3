/**
 * Reduces repetitions to medians (each metric on its own), and checks the ratios the project targets
 * (bench/README.md explains each). Ratios are computed on requests per second and, because the machine
 * is shared, also on requests per CPU-second of the system under test, which noise disturbs far less.
 */

export const METRICS = ['rps', 'p50Ms', 'p99Ms', 'sutCpu', 'reqPerCpuSecond'];

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function medians(runs) {
  return Object.fromEntries(METRICS.map((m) => [m, median(runs.map((r) => r[m]))]));
}

/** Half the range of the runs' req/s over their median: how far apart the repetitions were. */
export function spread(runs) {
  const rps = runs.map((r) => r.rps);
  const mid = median(rps);
  return runs.length > 1 && mid ? (Math.max(...rps) - Math.min(...rps)) / 2 / mid : null;
}

const ratioOf = (a, b) => (a && b ? a / b : null);

/**
 * Each target: `value(m)` from the per-case medians `m` (null when a case is missing), `met(value)`,
 * and how to print the value.
 */
export const TARGETS = [
  {
    id: 'engine-chain-vs-undici-3hop',
    target: 'engine chain >= 70% of undici-3hop',
    value: (m) => ratioOf(m['engine-chain'], m['undici-3hop']),
    met: (v) => v >= 0.7,
    show: percent,
  },
  {
    id: 'engine-chain-vs-undici-3hop-fields',
    target: 'the engine chain against bare undici proxies doing the same header work (engine-chain / undici-3hop-fields); no target',
    value: (m) => ratioOf(m['engine-chain'], m['undici-3hop-fields']),
    met: null,
    verdict: () => 'recorded',
    show: percent,
  },
  {
    id: 'engine-1hop-vs-http-proxy',
    target: 'engine 1 hop beats http-proxy',
    value: (m) => ratioOf(m['engine-1hop'], m['http-proxy-1hop']),
    met: (v) => v > 1,
    show: times,
  },
  {
    id: 'sse-client-cost',
    target: 'one SSE client costs <= 15% more (engine-chain / engine-chain-sse - 1)',
    value: (m) => (m['engine-chain'] && m['engine-chain-sse'] ? m['engine-chain'] / m['engine-chain-sse'] - 1 : null),
    met: (v) => v <= 0.15,
    show: (v) => `${v >= 0 ? '+' : ''}${percent(v)}`,
  },
  {
    id: 'idle-fault-layer-cost',
    target: 'an idle fault layer costs < 2% (engine-chain / engine-chain-faults-idle - 1)',
    value: (m) => (m['engine-chain'] && m['engine-chain-faults-idle'] ? m['engine-chain'] / m['engine-chain-faults-idle'] - 1 : null),
    met: (v) => v < 0.02,
    show: (v) => `${v >= 0 ? '+' : ''}${percent(v)}`,
  },
  {
    id: 'gateway-policies-cost',
    target: 'auth and a never-throttling rate limit cost < 5% (engine-chain / engine-chain-policies - 1)',
    value: (m) => (m['engine-chain'] && m['engine-chain-policies'] ? m['engine-chain'] / m['engine-chain-policies'] - 1 : null),
    met: (v) => v < 0.05,
    show: (v) => `${v >= 0 ? '+' : ''}${percent(v)}`,
  },
  {
    id: 'cache-hit-vs-pass-through',
    target: 'a cache HIT >= 5x the throughput of the same request passed through (engine-1hop-cache-hit / engine-1hop)',
    value: (m) => ratioOf(m['engine-1hop-cache-hit'], m['engine-1hop']),
    met: (v) => v >= 5,
    show: times,
  },
  {
    id: 'bare-answer-vs-bare-pass-through',
    target: "the HIT target's ceiling in Node: a bare node:http answer against a bare undici pass-through to the same kind of service (direct / undici-1hop); no target",
    value: (m) => ratioOf(m['direct'], m['undici-1hop']),
    met: null,
    verdict: () => 'recorded',
    show: times,
  },
  {
    id: 'cache-miss-cost',
    target: 'a cache that cannot help costs < 5% (engine-1hop / engine-1hop-cache-miss - 1)',
    value: (m) => (m['engine-1hop'] && m['engine-1hop-cache-miss'] ? m['engine-1hop'] / m['engine-1hop-cache-miss'] - 1 : null),
    met: (v) => v < 0.05,
    show: (v) => `${v >= 0 ? '+' : ''}${percent(v)}`,
  },
  {
    id: 'compression-cost',
    target: 'what gzipping a 2 KB JSON answer costs the proxy (engine-1hop-json / engine-1hop-gzip - 1); no target',
    value: (m) => (m['engine-1hop-json'] && m['engine-1hop-gzip'] ? m['engine-1hop-json'] / m['engine-1hop-gzip'] - 1 : null),
    met: null,
    verdict: () => 'recorded',
    show: (v) => `${v >= 0 ? '+' : ''}${percent(v)}`,
  },
  {
    id: 'undici-vs-node-http-chain',
    target: 'undici vs node:http on the chain: keep the faster (undici-3hop / node-http-3hop)',
    value: (m) => ratioOf(m['undici-3hop'], m['node-http-3hop']),
    met: null,
    verdict: (v) => (v >= 1 ? 'keep undici' : 'keep node:http'),
    show: times,
  },
  {
    id: 'undici-vs-node-http-1hop',
    target: 'undici vs node:http, one hop (undici-1hop / node-http-1hop)',
    value: (m) => ratioOf(m['undici-1hop'], m['node-http-1hop']),
    met: null,
    verdict: (v) => (v >= 1 ? 'undici faster' : 'node:http faster'),
    show: times,
  },
];

/** Evaluate every target on one metric (`rps` or `reqPerCpuSecond`) of the summarised cases. */
export function evaluateTargets(cases, metric) {
  const m = Object.fromEntries(cases.filter((c) => c.median).map((c) => [c.name, c.median[metric]]));
  return TARGETS.map((t) => {
    const value = t.value(m);
    if (value === null) return { id: t.id, target: t.target, value: null, shown: 'n/a', verdict: 'not measured' };
    const verdict = t.verdict ? t.verdict(value) : t.met(value) ? 'met' : 'missed';
    return { id: t.id, target: t.target, value, shown: t.show(value), verdict };
  });
}

function percent(v) {
  return `${(v * 100).toFixed(1)}%`;
}

function times(v) {
  return `${v.toFixed(2)}x`;
}
