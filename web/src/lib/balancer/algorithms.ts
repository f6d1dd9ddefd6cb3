/**
 * The balancing algorithms as the page offers them: the engine's picker ids (the same strings the
 * config, the events and the lessons use), which options each accepts and whether it hashes a
 * request key. Kept here rather than imported so the page does not bundle the pickers themselves;
 * `algorithms.test.ts` holds it equal to the engine's registry.
 */
import type { PickerId } from '../../../../engine/src/balancer/pickers/index.ts';

export type { PickerId };

export interface AlgorithmInfo {
  id: PickerId;
  /** What it does, in one line a learner can read next to the switcher. */
  summary: string;
  /** The `options` keys the engine accepts for it. */
  options: readonly string[];
  /** Reads the balancer's `hashKey` (ip-hash always hashes the client address instead). */
  keyed: boolean;
}

export const ALGORITHMS: readonly AlgorithmInfo[] = [
  {
    id: 'round-robin',
    summary: 'Each request goes to the next target in a fixed rotation; weights are ignored.',
    options: [],
    keyed: false,
  },
  {
    id: 'weighted-round-robin',
    summary: 'nginx’s smooth weighted round robin: every target adds its weight to a running score and the highest wins.',
    options: ['maxFails'],
    keyed: false,
  },
  {
    id: 'least-connections',
    summary: 'The target with the fewest requests in flight per unit of weight wins; ties go round robin.',
    options: ['maxFails'],
    keyed: false,
  },
  { id: 'random', summary: 'Each request draws a target at random, with probability weight / total weight.', options: [], keyed: false },
  {
    id: 'p2c',
    summary: 'Power of two choices: draw two targets at random, send to the one with fewer requests in flight.',
    options: [],
    keyed: false,
  },
  {
    id: 'ip-hash',
    summary: 'nginx ip_hash: the first three octets of the client address decide the target, so a whole /24 sticks together.',
    options: ['fullAddress'],
    keyed: false,
  },
  {
    id: 'consistent-hash',
    summary: 'A ring of points per target; a key goes to the first point at or after its hash, so removing a target moves only its keys.',
    options: ['mode', 'points', 'balanceFactor'],
    keyed: true,
  },
  {
    id: 'maglev',
    summary: 'A lookup table of a prime number of slots filled in turns by the targets; a key’s hash picks a slot.',
    options: ['tableSize'],
    keyed: true,
  },
  {
    id: 'peak-ewma',
    summary: 'Latency-aware: cost = peak-weighted average response time × (in flight + 1), cheaper of two random draws wins.',
    options: ['tau', 'defaultRtt'],
    keyed: false,
  },
];

export const ALGORITHM_IDS: readonly PickerId[] = ALGORITHMS.map((a) => a.id);

export function isPickerId(value: unknown): value is PickerId {
  return typeof value === 'string' && (ALGORITHM_IDS as readonly string[]).includes(value);
}

export function algorithmInfo(id: string | undefined): AlgorithmInfo | undefined {
  return ALGORITHMS.find((a) => a.id === id);
}

/** What a hash picker hashes, as the form edits it: `ip`, `path`, or a named header, cookie or query parameter. */
export type HashKeySource = 'ip' | 'path' | 'header' | 'cookie' | 'query';

export interface HashKeyParts {
  source: HashKeySource;
  name: string;
}

export const HASH_KEY_SOURCES: readonly HashKeySource[] = ['ip', 'path', 'header', 'cookie', 'query'];

export function needsName(source: HashKeySource): boolean {
  return source === 'header' || source === 'cookie' || source === 'query';
}

/** `header:x-user` -> { source: 'header', name: 'x-user' }; anything unreadable reads as the default, `ip`. */
export function parseHashKey(spec: string | undefined): HashKeyParts {
  if (spec === 'path') return { source: 'path', name: '' };
  const match = /^(header|cookie|query):(.+)$/.exec(spec ?? '');
  return match ? { source: match[1] as HashKeySource, name: match[2] } : { source: 'ip', name: '' };
}

export function formatHashKey({ source, name }: HashKeyParts): string {
  return needsName(source) ? `${source}:${name.trim()}` : source;
}
