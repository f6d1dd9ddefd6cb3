/**
 * The benchmark cases, side by side in one run. Reference cases are bare proxies written only for the
 * benchmark (bench/reference/); engine cases run the real engine (engine/src). Every case's service
 * answers the same small JSON body, and every system under test runs in one process on one core, as the
 * engine runs all its nodes in one process.
 *
 * Three cases are different: `frame-budget` (browser: true) measures the lab page in Chromium with 1,000 dots
 * in flight (bench/frame-budget.mjs) instead of requests per second, `pickers` (micro: true) times
 * the balancer's pickers in a loop (bench/pickers.mjs), `limiters` (limiters: true) the gateway's rate
 * limiters (bench/limiters.mjs), and `generator-max` (generatorMax: true) steps
 * the engine's traffic generator up to its highest sustained rate (bench/generator-max.mjs), `editing`
 * (editing: true) edits a 30-node topology in the page with traffic flowing (bench/editing.mjs), and
 * `head-to-head` (headToHead: true) runs the cases of each ratio target at the same time on one core
 * (bench/head-to-head.mjs); each has its own table and result.
 *
 * A group names several cases at once for `--only`: `chain-per-algorithm` is `chain-<algorithm>` for every
 * algorithm, the engine chain with that algorithm in its balancer.
 */
import { CHAIN_ALGORITHMS } from '../sut/engine-configs.mjs';

const reference = (name) => ({ entry: 'reference.mjs', args: [name] });
const engine = (name) => ({ entry: 'engine.mjs', args: [name], tsx: true });

export const CASES = [
  {
    name: 'direct',
    hops: 0,
    sut: reference('direct'),
    what: 'the trivial node:http JSON service, hit directly: the floor of every other case',
  },
  {
    name: 'undici-1hop',
    hops: 1,
    sut: reference('undici-1hop'),
    what: 'a bare node:http proxy forwarding with an undici Pool (keep-alive, streamed bodies, hop-by-hop headers stripped)',
  },
  {
    name: 'node-http-1hop',
    hops: 1,
    sut: reference('node-http-1hop'),
    what: 'the same bare proxy on the node:http client with a keep-alive http.Agent, piping',
  },
  {
    name: 'undici-3hop',
    hops: 3,
    sut: reference('undici-3hop'),
    what: 'three bare undici proxies chained in one process: p1 -> p2 -> p3 -> service',
  },
  {
    name: 'undici-3hop-fields',
    hops: 3,
    sut: reference('undici-3hop-fields'),
    what: 'undici-3hop whose proxies also write the fields every engine hop must (Via, X-Forwarded-For, Forwarded, X-Forwarded-Proto and -Host, X-Request-Id; Via and X-Request-Id back): the same header work as the engine chain, none of its stages, events or metrics',
  },
  {
    name: 'node-http-3hop',
    hops: 3,
    sut: reference('node-http-3hop'),
    what: 'three bare node:http proxies chained in one process (the other half of "undici vs node:http on the chain")',
  },
  {
    name: 'http-proxy-1hop',
    hops: 1,
    sut: reference('http-proxy-1hop'),
    what: 'the `http-proxy` 1.18 library with a keep-alive agent, one hop',
  },
  {
    name: 'engine-1hop',
    hops: 1,
    engine: true,
    sut: engine('engine-1hop'),
    what: 'the engine: one proxy node -> one service node (latency 0)',
  },
  {
    name: 'engine-chain',
    hops: 3,
    engine: true,
    sut: engine('engine-chain'),
    what: 'the engine: proxy -> gateway (route /*) -> round-robin balancer -> 3 services (latency 0); events, metrics and the control server on, no SSE client',
  },
  {
    name: 'engine-chain-sse',
    hops: 3,
    engine: true,
    sse: true,
    sut: engine('engine-chain-sse'),
    what: 'engine-chain with one SSE client reading GET /api/events from the control server',
  },
  {
    name: 'engine-chain-faults-idle',
    hops: 3,
    engine: true,
    sut: engine('engine-chain-faults-idle'),
    what: 'engine-chain with a fault on a node and one on an edge off the benchmarked path (a side proxy -> service): the cost of an idle fault layer',
  },
  {
    name: 'engine-chain-policies',
    hops: 3,
    engine: true,
    sut: engine('engine-chain-policies'),
    what: 'engine-chain whose gateway authenticates an API key and rate limits by consumer with a limit that never throttles',
  },
  {
    name: 'engine-1hop-cache-hit',
    hops: 1,
    engine: true,
    sut: engine('engine-1hop-cache-hit'),
    what: 'engine-1hop with a cache on the proxy and a cacheable answer: every request after the first a HIT from the store',
  },
  {
    name: 'engine-1hop-cache-miss',
    hops: 1,
    engine: true,
    sut: engine('engine-1hop-cache-miss'),
    what: 'engine-1hop with a cache on the proxy and an answer it may not store: every request a MISS, forwarded with its answer held',
  },
  {
    name: 'engine-1hop-json',
    hops: 1,
    engine: true,
    sut: engine('engine-1hop-json'),
    what: 'engine-1hop whose service answers a 2 KB JSON body (the compression pair\'s baseline)',
  },
  {
    name: 'engine-1hop-gzip',
    hops: 1,
    engine: true,
    sut: engine('engine-1hop-gzip'),
    what: 'engine-1hop-json with `compression: true` on the proxy and clients sending Accept-Encoding: gzip: every answer gzipped',
  },
  {
    name: 'cache-memory',
    hops: null,
    cacheMemory: true,
    what: "a caching proxy flooded with 60,000 distinct keys at two cache sizes: the store's bytes never pass maxSize and the heap levels off (bench/cache-memory.mjs)",
  },
  {
    name: 'generator-max',
    hops: null,
    generatorMax: true,
    what: "the engine's traffic generator alone (open loop, 50 clients, its own core) against the trivial service: the highest rate it sustains (achieved ≥ 95% of target, nothing skipped)",
  },
  {
    name: 'head-to-head',
    hops: null,
    headToHead: true,
    what: "every ratio target with both of its cases running at once on the SUT core (the same machine drift for both): the median ratio of 5 or more fresh trials",
  },
  {
    name: 'pickers',
    hops: null,
    micro: true,
    what: 'every registered picker in a loop at 3, 30 and 300 targets (and a third of them ineligible): ns per pick; Maglev table and hash ring builds',
  },
  {
    name: 'limiters',
    hops: null,
    limiters: true,
    what: 'every registered rate limiter in a loop over 10,000 keys: decisions per second (and a limit set with its RateLimit fields); bytes per key; a 1,000,000-key flood',
  },
  ...CHAIN_ALGORITHMS.map((algorithm) => ({
    name: `chain-${algorithm}`,
    hops: 3,
    engine: true,
    group: 'chain-per-algorithm',
    algorithm,
    sut: engine(`chain-${algorithm}`),
    what: `engine-chain with ${algorithm} in its balancer${['consistent-hash', 'maglev'].includes(algorithm) ? ' (hashKey ip)' : ''}`,
  })),
  {
    name: 'editing',
    hops: null,
    editing: true,
    what: 'the lab page in Chromium editing a 30-node topology with traffic flowing: PUT to the change on the page (≤ 300 ms) and script ms per frame (bench/editing.mjs)',
  },
  {
    name: 'frame-budget',
    hops: null,
    browser: true,
    what: 'the lab page in Chromium (playwright-core) with 1,000 dots in flight and the charts drawing: script ms per frame against 8 ms',
  },
];

/** Group name -> its cases' names. */
export const GROUPS = CASES.reduce((groups, c) => {
  if (c.group) groups[c.group] = [...(groups[c.group] ?? []), c.name];
  return groups;
}, {});

/** The cases `--only` names (all when empty; a group stands for its cases), in catalogue order; throws on an unknown name. */
export function selectCases(only) {
  if (only.length === 0) return CASES;
  const known = new Set(CASES.map((c) => c.name));
  const unknown = only.filter((name) => !known.has(name) && !GROUPS[name]);
  if (unknown.length > 0) {
    throw new Error(`unknown case ${unknown.join(', ')}; cases: ${[...known].join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  }
  const wanted = new Set(only.flatMap((name) => GROUPS[name] ?? [name]));
  return CASES.filter((c) => wanted.has(c.name));
}
