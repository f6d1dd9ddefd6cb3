/**
 * The engine configs the engine cases run: the same shapes as the reference cases, so each engine
 * number has a bare counterpart. Every service answers at once (latency 0) and nothing fails.
 */

/** engine-1hop: client -> proxy -> service; compare with undici-1hop and http-proxy-1hop. */
const oneHop = {
  version: 1,
  name: 'bench: engine 1 hop',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'svc-1' },
    { id: 'svc-1', kind: 'service', latency: 0 },
  ],
};

/**
 * engine-chain: client -> proxy -> gateway (route /*) -> round-robin balancer -> 3 services, the default
 * sandbox's shape. Three forwarding hops then a service, like undici-3hop.
 */
const chain = {
  version: 1,
  name: 'bench: engine chain',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'api' },
    { id: 'api', kind: 'gateway', routes: [{ match: { path: '/*' }, to: 'pool' }] },
    { id: 'pool', kind: 'balancer', algorithm: 'round-robin', targets: ['svc-1', 'svc-2', 'svc-3'] },
    { id: 'svc-1', kind: 'service', latency: 0 },
    { id: 'svc-2', kind: 'service', latency: 0 },
    { id: 'svc-3', kind: 'service', latency: 0 },
  ],
};

/**
 * engine-chain-faults-idle: engine-chain plus a side entry (proxy `side` -> service `side-svc`) that no
 * benchmarked request touches, with one fault on the node `side-svc` and one on the edge
 * `side->side-svc`, injected after start (`faults`). The chain's nodes have no fault gate, so this
 * measures what an idle fault layer costs a request: the ratio to engine-chain (target: under 2%).
 */
const chainWithSideFaults = {
  ...chain,
  name: 'bench: engine chain, faults elsewhere',
  nodes: [...chain.nodes, { id: 'side', kind: 'proxy', to: 'side-svc' }, { id: 'side-svc', kind: 'service', latency: 0 }],
};
const SIDE_FAULTS = [
  { target: 'side-svc', type: 'latency', ms: 300, jitter: 50 },
  { target: 'side->side-svc', type: 'errors', rate: 0.5, status: 503 },
];

/**
 * engine-chain-policies: engine-chain whose gateway also authenticates (an API key in the query,
 * looked up per request) and rate limits by consumer with a limit that never throttles at these rates
 * (a token bucket of a million a second): what the gateway's auth and rate-limit stages cost a
 * request, compared head to head with engine-chain (target: under 5%). Requests carry the key.
 */
const chainWithPolicies = {
  ...chain,
  name: 'bench: engine chain with auth and a rate limit',
  nodes: chain.nodes.map((node) =>
    node.id === 'api'
      ? {
          ...node,
          consumers: [{ name: 'bench', apiKeys: ['bench-key-1'] }],
          credentials: { apiKey: { query: 'api_key' } },
          rateLimit: { algorithm: 'token-bucket', rate: 1_000_000, burst: 1_000_000, key: 'consumer' },
        }
      : node,
  ),
};

/**
 * chain-<algorithm>: engine-chain with the balancer's algorithm swapped, every algorithm of the picker
 * registry (engine/src/balancer/pickers/index.ts PICKER_IDS; the `pickers` case warns when the two lists
 * differ), its options at their defaults. Three services, as engine-chain: the picker's cost at 30 and
 * 300 targets comes from the `pickers` case, not from a chain with 30 services.
 *
 * The hash pickers hash the client address (`hashKey: ip`, the default, written out). The balancer sits
 * behind the gateway and trusts no proxy, so the address it hashes is the gateway's, 127.0.0.1, for every
 * request: one key, so one target takes all the load. That costs the same per request as a spread of
 * keys (the services answer at once, in the same process) and is what a learner sees in this sandbox;
 * the `pickers` case times the same pickers with 10,000 different keys.
 */
export const CHAIN_ALGORITHMS = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'random',
  'p2c',
  'ip-hash',
  'consistent-hash',
  'maglev',
  'peak-ewma',
];
const HASH_KEYED = ['consistent-hash', 'maglev'];

function chainWith(algorithm) {
  return {
    ...chain,
    name: `bench: engine chain, ${algorithm}`,
    nodes: chain.nodes.map((node) =>
      node.kind === 'balancer' ? { ...node, algorithm, ...(HASH_KEYED.includes(algorithm) ? { hashKey: 'ip' } : {}) } : node,
    ),
  };
}

/**
 * engine-1hop-cache-hit: engine-1hop with a cache on the proxy and a service that marks every path
 * cacheable for an hour: after the first request every one is a HIT the proxy answers from its store
 * (the load hits one path). Against engine-1hop, where each request goes to the service: the target is
 * a HIT at least 5x the throughput of the same request passed through.
 */
const oneHopCacheHit = {
  version: 1,
  name: 'bench: engine 1 hop, cache hits',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'svc-1', cache: {} },
    { id: 'svc-1', kind: 'service', latency: 0, cache: [{ path: '/*', cacheControl: 'public, max-age=3600', etag: true }] },
  ],
};

/**
 * engine-1hop-cache-miss: engine-1hop with a cache on the proxy in front of a service that sends no
 * cache headers, so every request is looked up, forwarded with the answer held, and found not storable
 * (no explicit freshness, no validator for a heuristic): what the cache costs a request it cannot help,
 * against engine-1hop (target: under 5%).
 */
const oneHopCacheMiss = {
  version: 1,
  name: 'bench: engine 1 hop, cache misses',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'svc-1', cache: {} },
    { id: 'svc-1', kind: 'service', latency: 0 },
  ],
};

/**
 * engine-1hop-json: engine-1hop whose service answers a 2 KB JSON body, the baseline of the compression
 * pair. engine-1hop-gzip: the same with `compression: true` on the proxy and clients that send
 * `Accept-Encoding: gzip`, so every answer is gzipped on its way out (node:zlib at its default level, on
 * libuv's thread pool): what compressing a typical API answer costs the proxy's throughput. No target
 * (issue 11 sets none): the ratio is recorded so that a change to the coder's path shows.
 */
const oneHopJson = {
  version: 1,
  name: 'bench: engine 1 hop, 2 KB JSON',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 'svc-1' },
    { id: 'svc-1', kind: 'service', latency: 0, responseSize: '2kb' },
  ],
};
const oneHopGzip = {
  ...oneHopJson,
  name: 'bench: engine 1 hop, 2 KB JSON gzipped',
  nodes: [{ id: 'edge', kind: 'proxy', to: 'svc-1', compression: true }, oneHopJson.nodes[1]],
};

/** Per engine case: its config, the node the load hits, whether the control server runs, and faults to inject after start. */
export const ENGINE_CASES = {
  'engine-1hop': { config: oneHop, entry: 'edge', control: 'no' },
  'engine-1hop-cache-hit': { config: oneHopCacheHit, entry: 'edge', control: 'no' },
  'engine-1hop-cache-miss': { config: oneHopCacheMiss, entry: 'edge', control: 'no' },
  'engine-1hop-json': { config: oneHopJson, entry: 'edge', control: 'no' },
  'engine-1hop-gzip': { config: oneHopGzip, entry: 'edge', control: 'no', headers: { 'accept-encoding': 'gzip' } },
  'engine-chain': { config: chain, entry: 'edge', control: 'if-available' },
  'engine-chain-sse': { config: chain, entry: 'edge', control: 'required' },
  'engine-chain-faults-idle': { config: chainWithSideFaults, entry: 'edge', control: 'if-available', faults: SIDE_FAULTS },
  'engine-chain-policies': { config: chainWithPolicies, entry: 'edge', control: 'if-available', query: 'api_key=bench-key-1' },
  ...Object.fromEntries(
    CHAIN_ALGORITHMS.map((algorithm) => [`chain-${algorithm}`, { config: chainWith(algorithm), entry: 'edge', control: 'if-available' }]),
  ),
};
