import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { Goal, Lesson } from './format.ts';

export type KeyHash = 'ip-hash' | 'consistent-hash' | 'maglev';

/**
 * `lb` hashes each client's address to one of `servers` copies of an app (`app-1` ... `app-4`); a copy
 * that leaves is taken out of the pool and the topology. Thirty clients take turns, so each sends a
 * request every 3 s: the keys that move when the pool changes show over the seconds after it.
 */
export const movesSandbox = (algorithm: KeyHash, servers: 3 | 4): EdgeConfigInput => {
  const apps = Array.from({ length: servers }, (_, i) => `app-${i + 1}`);
  return {
    version: 1,
    name: 'Who moves when a server leaves',
    nodes: [
      { id: 'lb', kind: 'balancer', listen: 8082, algorithm, targets: apps, label: 'Load balancer' },
      ...apps.map((id, i) => ({ id, kind: 'service' as const, listen: 9001 + i, latency: '20ms', label: 'Warm cache' })),
    ],
    traffic: [{ name: 'users', to: 'lb', rate: 10, clients: 30, paths: ['/profile'] }],
  };
};

/** Let every one of the 30 clients be seen (each sends every 3 s) before the pool changes. */
const SEE_EVERY_CLIENT_MS = 4_000;

/**
 * After a server left: the keys of the servers that stayed stayed (at most one moved: Maglev's table
 * may move a stray key, a ring none), the leaver's keys found a new home, judged over most clients.
 * One rehomed key is enough to show the removal: the page counts from the first tick after a config
 * change, by when some of the leaver's clients may already have been rehomed.
 */
export const onlyTheLeaversKeysMoved: Goal = {
  all: [
    { type: 'metric', node: 'lb', metric: 'keys.moved', op: '<=', value: 1 },
    { type: 'metric', node: 'lb', metric: 'keys.rehomed', op: '>=', value: 1 },
    { type: 'metric', node: 'lb', metric: 'keys.stayed', op: '>=', value: 20 },
  ],
};

export const whoMovesWhenAServerLeaves: Lesson = {
  id: 'who-moves-when-a-server-leaves',
  title: 'Who moves when a server leaves',
  track: 'load-balancing',
  summary:
    'A hash keeps each client on one server, whose cache is warm for it. Take a server out and watch a modulo hash move most clients, then make only the leaving server’s clients move, with a consistent hash or Maglev.',
  startConfig: movesSandbox('ip-hash', 4),
  steps: [
    {
      id: 'a-server-leaves',
      title: 'A server leaves',
      body: [
        '`lb` sends each client to a server by a hash of its address (`ip-hash`): a client always lands on the same one of `app-1` to `app-4`, whose cache is warm with that client’s data. A client that moves starts cold.',
        'Start the traffic and let every client be seen: thirty clients, each sends a request every 3 s. Then take `app-4` out of the pool: remove it from the `targets` of `lb` (the node `app-4` may stay, idle).',
        '`ip-hash` picks by the hash **modulo the number of servers**. From 4 servers to 3, the remainder changes for most clients, not only for those of `app-4`. `lb` counts the keys (here, clients) that **moved** although their server is still there (`keys.moved`), and those of `app-4` that had to find a new one (`keys.rehomed`). Goal: at least 5 moved.',
      ].join('\n\n'),
      goal: { type: 'metric', node: 'lb', metric: 'keys.moved', op: '>=', value: 5 },
      hints: [
        'Press "Resume traffic" and wait a few seconds, so that `lb` has seen every client once.',
        'Open `lb`, open its "Settings", and under `targets` press "Remove" beside `app-4`: the change applies at once. Then watch the key counts in `lb`’s inspector ("Key affinity").',
        'Nothing moved? A client is judged against where it went last: if the traffic was not running before the change, `lb` had nothing to compare with. Put `app-4` back ("Add to targets" in `lb`’s "Settings", type `app-4`), let the clients be seen, and take it out again.',
      ],
      solution: [
        { action: 'traffic', body: { action: 'start' } },
        { action: 'wait', ms: SEE_EVERY_CLIENT_MS },
        { action: 'config', body: movesSandbox('ip-hash', 3) },
      ],
    },
    {
      id: 'move-only-what-must',
      title: 'Move only what must move',
      body: [
        'A **consistent hash** puts each server at many points on a ring and sends a key to the next point after its own hash: when a server leaves, only the keys that landed on its points move. **Maglev** fills a lookup table by turns: nearly as calm on a change, with a more even spread.',
        'Put `app-4` back with `lb` on `consistent-hash` (or `maglev`), let every client be seen again, then take `app-4` out once more.',
        'Goal, after the removal: `app-4`’s clients found another server (`keys.rehomed`), and of the clients of the servers that stayed, at least 20 came back to the same one and at most one moved (`keys.moved` at most 1).',
      ].join('\n\n'),
      goal: onlyTheLeaversKeysMoved,
      hints: [
        'Two changes, a few seconds apart: first `app-4` back in with the new algorithm, then `app-4` out. A change of algorithm starts the counts afresh, so the removal must come after it.',
        'A new algorithm for `lb` is its "Algorithm" in its inspector: `consistent-hash` or `maglev`. Both hash the client address by default (`hashKey: ip`).',
        'In `lb`’s "Settings": "Add to targets" and type `app-4` (Enter applies it), set its "Algorithm" to `consistent-hash`, wait about 4 s with the traffic running, then press "Remove" beside `app-4` under `targets`.',
      ],
      solution: [
        { action: 'config', body: movesSandbox('consistent-hash', 4) },
        { action: 'traffic', body: { action: 'start' } },
        { action: 'wait', ms: SEE_EVERY_CLIENT_MS },
        { action: 'config', body: movesSandbox('consistent-hash', 3) },
      ],
    },
  ],
};
