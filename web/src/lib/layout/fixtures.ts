/**
 * Topologies for the layout's tests, as /api/topology describes them: the default sandbox
 * (examples/classic-edge.yaml), fifteen nodes (examples/fifteen-nodes.yaml) and thirty.
 */
import type { LayoutInput, LayoutNodeInput } from './layout.ts';

const services = (prefix: string, count: number): LayoutNodeInput[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i + 1}`, kind: 'service', upstreams: [] }));

const pool = (id: string, count: number): LayoutNodeInput => ({
  id,
  kind: 'balancer',
  upstreams: Array.from({ length: count }, (_, i) => ({ to: `${id}-${i + 1}` })),
});

export const classicEdge: LayoutInput = {
  entries: ['edge'],
  nodes: [
    { id: 'edge', kind: 'proxy', upstreams: [{ to: 'api' }] },
    { id: 'api', kind: 'gateway', upstreams: [{ to: 'users', route: '/users/*' }, { to: 'orders-1', route: '/orders/*' }] },
    { id: 'users', kind: 'balancer', upstreams: [{ to: 'users-1' }, { to: 'users-2' }, { to: 'users-3' }] },
    ...services('users', 3),
    { id: 'orders-1', kind: 'service', upstreams: [] },
  ],
};

export const fifteenNodes: LayoutInput = {
  entries: ['edge'],
  nodes: [
    { id: 'edge', kind: 'proxy', upstreams: [{ to: 'api' }] },
    { id: 'api', kind: 'gateway', upstreams: [{ to: 'users', route: '/users/*' }, { to: 'orders', route: '/orders/*' }] },
    pool('users', 6),
    pool('orders', 5),
    ...services('users', 6),
    ...services('orders', 5),
  ],
};

export const thirtyNodes: LayoutInput = {
  entries: ['edge'],
  nodes: [
    { id: 'edge', kind: 'proxy', upstreams: [{ to: 'api' }] },
    {
      id: 'api',
      kind: 'gateway',
      upstreams: [
        { to: 'users', route: '/users/*' },
        { to: 'orders', route: '/orders/*' },
        { to: 'search', route: '/search/*' },
      ],
    },
    pool('users', 10),
    pool('orders', 8),
    pool('search', 7),
    ...services('users', 10),
    ...services('orders', 8),
    ...services('search', 7),
  ],
};
