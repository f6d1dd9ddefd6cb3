import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, Lesson } from './format.ts';

const apps: [string, ...string[]] = ['app-1', 'app-2', 'app-3'];

/** How `lb` picks: by turns or at random (sessions break), or by hashing something a shopper sends every time. */
export type StickyPick =
  | { algorithm: 'round-robin' | 'least-connections' | 'random' | 'ip-hash' }
  | { algorithm: 'consistent-hash' | 'maglev'; hashKey: 'ip' | 'cookie:session' };

/**
 * Three copies of a shop behind `lb`; each keeps the carts of the shoppers it served in its own memory.
 * Ten shoppers, each from its own address (127.0.1.1 ... 127.0.10.1) with its own `session` cookie, two
 * requests a second each. Ten is not a multiple of three, so round robin moves a shopper on every request.
 */
export const stickySandbox = (pick: StickyPick): EdgeConfigInput => ({
  version: 1,
  name: 'Sticky sessions',
  nodes: [
    { id: 'lb', kind: 'balancer', listen: 8082, targets: apps, label: 'Load balancer', ...pick },
    ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '20ms', label: 'Carts in memory' })),
  ],
  traffic: [{ name: 'shoppers', to: 'lb', rate: 20, clients: 10, paths: ['/cart', '/cart/items/{1..20}'], cookies: { name: 'session', count: 10 } }],
});

/**
 * Every returning shopper lands where it landed last: no key moved to another target while its last one
 * was in the pool, judged over at least 100 returning requests (counted since the fix was applied).
 */
export const sessionsKept: Goal = {
  all: [
    { type: 'metric', node: 'lb', metric: 'keys.moved', op: '==', value: 0 },
    { type: 'metric', node: 'lb', metric: 'keys.stayed', op: '>=', value: 100 },
  ],
};

export const stickySessions: Lesson = {
  id: 'sticky-sessions',
  title: 'Sticky sessions: keep each shopper on one server',
  track: 'load-balancing',
  summary:
    'Each copy of the shop keeps its shoppers’ carts in memory, and round robin sends every next request of a shopper to another copy. Pick by something each shopper sends every time, so each stays on one server.',
  startConfig: stickySandbox({ algorithm: 'round-robin' }),
  steps: [
    {
      id: 'keep-each-shopper-on-one-server',
      title: 'Keep each shopper on one server',
      body: [
        'Three copies of a shop sit behind `lb`. Each keeps the carts of the shoppers it served **in its own memory**: a shopper whose next request lands on another copy finds an empty cart.',
        'Start the traffic: ten shoppers, each from its own address and with its own `session` cookie. **Round robin** hands each request to the next server in turn, so a shopper’s next request almost always goes elsewhere. The goal counts it: a returning key (here a shopper) that `lb` **moved** to another server while its last one was still there.',
        'Goal: over at least 100 returning requests, no shopper moved (`keys.moved` stays 0), with all three servers in the pool.',
      ].join('\n\n'),
      goal: sessionsKept,
      hints: [
        'Press "Resume traffic" and watch the goal: each returning shopper that lands on another server than last time counts as moved.',
        'Stickiness comes from hashing something a shopper sends with every request: its address, or its `session` cookie. The same input always gives the same server.',
        'Open `lb` and switch its "Algorithm" to `ip-hash` (one server per client address); or switch it to `consistent-hash`, set its "Hash key" to cookie with the name `session`, and press "Apply" (one server per cookie, which survives a change of address). The inspector’s "Key affinity" counts who stayed and who moved.',
      ],
      solution: [
        { action: 'config', body: stickySandbox({ algorithm: 'ip-hash' }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
