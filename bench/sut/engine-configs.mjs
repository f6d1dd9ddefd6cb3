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

/** Per engine case: its config, the node the load hits, and whether the control server runs. */
export const ENGINE_CASES = {
  'engine-1hop': { config: oneHop, entry: 'edge', control: 'no' },
  'engine-chain': { config: chain, entry: 'edge', control: 'if-available' },
  'engine-chain-sse': { config: chain, entry: 'edge', control: 'required' },
};
