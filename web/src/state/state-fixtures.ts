/** A small edge (proxy, gateway, balancer, two services) and a lab showing it, for the state tests; `stubApi` answers its reads. */
import { vi } from 'vitest';
import type { Topology } from '../lib/api-types.ts';
import { LabState } from './lab-state.svelte.ts';

export const topology: Topology = {
  name: 'Classic edge',
  nodes: [
    { id: 'edge', kind: 'proxy', port: 8080, state: 'up', upstreams: [{ to: 'api' }] },
    { id: 'api', kind: 'gateway', port: 8081, state: 'up', upstreams: [{ to: 'users', route: '/users/*' }] },
    { id: 'users', kind: 'balancer', port: 8082, state: 'up', algorithm: 'round-robin', upstreams: [{ to: 'users-1' }, { to: 'users-2' }] },
    { id: 'users-1', kind: 'service', port: 9001, state: 'up', upstreams: [] },
    { id: 'users-2', kind: 'service', port: 9002, state: 'up', upstreams: [] },
  ],
  traffic: { running: true, sent: 0, flows: [{ name: 'browse', to: 'edge', rate: 4, clients: 6 }] },
};

export const metrics = {
  kind: 'service' as const,
  requests: 12,
  inFlight: 1,
  errors: 2,
  statusClasses: { '1xx': 0, '2xx': 10, '3xx': 0, '4xx': 0, '5xx': 2 },
  errorCodes: {},
  latency: { p50: 40, p95: 60, p99: 70, max: 80, mean: 45 },
  recent: { seconds: 5, requests: 4, latency: { p50: 40, p95: 60, p99: 70, max: 80, mean: 45 } },
  ratePerSecond: 4,
};

export function labWithTopology(): LabState {
  const lab = new LabState();
  lab.topology = topology;
  lab.traffic = topology.traffic;
  return lab;
}

/** Answers the control API's reads with the topology above, no faults, and a metrics snapshot taken at ts 1. */
export function stubApi(): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async (url: string) =>
        new Response(
          JSON.stringify(
            url.endsWith('/api/faults') ? [] : url.endsWith('/api/metrics') ? { ts: 1, nodes: {}, traffic: topology.traffic } : topology,
          ),
        ),
    ),
  );
}
