/**
 * Consistent hashing: each target puts `points × weight` points on a circle of 2^32 and a key goes to the first point at or after its
 * hash, so removing a target moves only its keys. O(log points) per pick; the ring is rebuilt (O(points log points)) only when ids,
 * weights or addresses change, never on eligibility: an ineligible owner is walked past. Prefer it when a key should keep its target.
 * `mode: 'nginx'` is nginx's `hash $key consistent` point for point; `balanceFactor` adds HAProxy's bounded loads (in both modes).
 * Deliberate differences: the default ring is ketama-like (xxHash32 of `address-i`), and without a key it takes a random point, as Envoy.
 */
import type { Decision } from '../../events.ts';
import type { Candidate, Pick, PickContext, Picker } from '../picker.ts';
import { CRC32_INIT, crc32, crc32Final, crc32Update, crc32UpdateUint32LE, utf8, xxHash32 } from './hashing.ts';
import { type SmoothWeights, smoothWeights } from './smooth-weighted.ts';

/** nginx's `hash ... consistent` walks at most this many further points before falling back to round robin. */
const NGINX_MAX_TRIES = 20;
/** nginx's points per unit of weight, fixed in its source (also our ring's default; the config limits the ring's total). */
export const NGINX_POINTS = 160;

type Mode = 'ring' | 'nginx';

interface ConsistentHashOptions {
  mode: Mode;
  /** Points per unit of weight on the default ring. */
  points: number;
  /** HAProxy's hash-balance-factor in percent (125 lets a target carry 1.25× its fair share), or 0 for none. */
  balanceFactor: number;
}

/** The sorted, de-duplicated points and who owns each. */
interface Ring {
  hashes: Uint32Array;
  /** Candidate index (in the order the ring was built for) of each point's owner. */
  owners: Uint32Array;
  /** Points each candidate kept after duplicates were dropped. */
  pointCounts: number[];
}

type Skip = 'not eligible' | 'full';
type DecisionCandidate = NonNullable<Decision['candidates']>[number];

export function consistentHash(options: Record<string, unknown> = {}): Picker {
  const config = parseOptions(options);
  const algorithm = 'consistent-hash';
  const label = config.mode === 'nginx' ? 'consistent-hash (nginx)' : 'consistent-hash';
  const roundRobin = smoothWeights();

  let ring: Ring | undefined;
  let builtFor: { ids: string[]; weights: number[]; addresses: string[] } = { ids: [], weights: [], addresses: [] };
  let builds = 0;

  /** The ring for this candidate set, rebuilt only when ids, weights or addresses changed. */
  const ringFor = (candidates: readonly Candidate[]): Ring => {
    if (ring && sameSet(builtFor, candidates)) return ring;
    ring = config.mode === 'nginx' ? buildNginxRing(candidates) : buildRing(candidates, config.points);
    builtFor = { ids: candidates.map((c) => c.id), weights: candidates.map((c) => c.weight), addresses: candidates.map((c) => c.address) };
    builds++;
    return ring;
  };

  /** nginx's round robin over the usable targets, or over all eligible ones when every one is full. */
  const fallback = (candidates: readonly Candidate[], why: string, usable: (i: number) => boolean): Pick => {
    roundRobin.retain(candidates);
    let peers = candidates.filter((_, i) => usable(i));
    if (peers.length === 0) peers = candidates.filter((c) => c.eligible);
    const round = roundRobin.step(peers);
    if (round.index === -1) return { target: null, reason: `${label}: no eligible target` };
    const target = peers[round.index];
    const current = new Map(round.compared.map((peer) => [peer.id, peer.current]));
    return {
      target,
      decision: {
        stage: 'pick',
        algorithm,
        reason: `${label}: ${why}, so nginx's round robin chose ${target.id}`,
        candidates: candidates.map((c) => {
          const entry: DecisionCandidate = { id: c.id, eligible: c.eligible, weight: c.weight, inFlight: c.inFlight, chosen: c === target };
          if (current.has(c.id)) entry.current = current.get(c.id);
          if (c === target) entry.via = 'round-robin';
          return entry;
        }),
      },
    };
  };

  return {
    id: algorithm,
    pick(candidates, ctx: PickContext): Pick {
      if (!candidates.some((c) => c.eligible)) return { target: null, reason: `${label}: no eligible target` };
      const capacity = config.balanceFactor > 0 ? boundedLoadCapacity(candidates, config.balanceFactor) : undefined;
      const usable = (i: number): boolean => candidates[i].eligible && (capacity === undefined || candidates[i].inFlight < capacity[i]);

      const key = ctx.key;
      if (config.mode === 'nginx') {
        // nginx: an empty key or a single server skips the ring for round robin (ngx_http_upstream_get_chash_peer).
        if (key === undefined || key === '') return fallback(candidates, 'the request has no hash key', usable);
        if (candidates.length < 2) return fallback(candidates, 'with a single target nginx does not hash', usable);
      }
      const current = ringFor(candidates);
      const n = current.hashes.length;
      if (n === 0) return fallback(candidates, 'the ring has no points', usable);

      const keyHash = key === undefined ? Math.floor(ctx.rng() * 2 ** 32) : config.mode === 'nginx' ? crc32(key) : xxHash32(key);
      const start = firstPointAtOrAfter(current.hashes, keyHash);
      const walk = { candidates, ring: current, key, keyHash, start, capacity, skipped: new Map<number, Skip>(), label, mode: config.mode };
      const maxSteps = config.mode === 'nginx' ? NGINX_MAX_TRIES + 1 : n;
      let firstEligible = -1;
      let firstEligibleStep = -1;
      for (let step = 0; step < maxSteps && walk.skipped.size < candidates.length; step++) {
        const owner = current.owners[(start + step) % n];
        if (walk.skipped.has(owner)) continue;
        const index = config.mode === 'nginx' ? sameAddressChoice(candidates, owner, usable, roundRobin) : usable(owner) ? owner : -1;
        if (index !== -1) return hashed(walk, index, step);
        walk.skipped.set(owner, candidates[owner].eligible ? 'full' : 'not eligible');
        if (candidates[owner].eligible && firstEligible === -1) {
          firstEligible = owner;
          firstEligibleStep = step;
        }
      }
      if (config.mode === 'nginx')
        return fallback(candidates, `no point within ${NGINX_MAX_TRIES + 1} of the key's had a usable owner`, usable);
      // Every eligible target is at capacity (only possible while ineligible targets still drain
      // requests): bounded loads cannot help, so the unbounded owner takes it.
      if (firstEligible !== -1) {
        walk.skipped.delete(firstEligible);
        return hashed(walk, firstEligible, firstEligibleStep, true);
      }
      return fallback(candidates, 'no eligible target owns a point', usable);
    },
    state(candidates) {
      const current = ringFor(candidates);
      const arcs = ownedArcs(current, candidates.length);
      return {
        mode: config.mode,
        points: current.hashes.length,
        builds,
        balanceFactor: config.balanceFactor,
        targets: candidates.map((c, i) => ({ id: c.id, eligible: c.eligible, points: current.pointCounts[i], share: arcs[i] })),
        /** The owner at 128 evenly spaced hashes around the circle, for drawing the ring. */
        strip: Array.from({ length: 128 }, (_, k) => {
          const n = current.hashes.length;
          if (n === 0) return null;
          return candidates[current.owners[firstPointAtOrAfter(current.hashes, Math.floor((k * 2 ** 32) / 128)) % n]]?.id ?? null;
        }),
      };
    },
  };
}

interface Walk {
  candidates: readonly Candidate[];
  ring: Ring;
  key: string | undefined;
  keyHash: number;
  /** Index of the first point at or after the key's hash; `ring.hashes.length` when it wraps. */
  start: number;
  capacity: number[] | undefined;
  /** Owners walked past, and why. */
  skipped: Map<number, Skip>;
  label: string;
  mode: Mode;
}

function hashed(walk: Walk, index: number, step: number, allFull = false): Pick {
  const { candidates, ring, key, keyHash, capacity, skipped, label } = walk;
  const n = ring.hashes.length;
  const first = walk.start % n;
  const point = (walk.start + step) % n;
  const target = candidates[index];
  const keyText =
    key === undefined
      ? 'no hash key, so a random hash'
      : `key ${JSON.stringify(key)} hashes (${walk.mode === 'nginx' ? 'crc32' : 'xxHash32'}) to`;
  const landing =
    walk.start === n
      ? `no point is at or after it, so it wraps to the first, ${hex(ring.hashes[first])}`
      : `the first point at or after it is ${hex(ring.hashes[first])} (#${first + 1} of ${n})`;
  const walked = [...skipped].map(([i, why]) =>
    why === 'full' && capacity
      ? `${candidates[i].id} (full: ${candidates[i].inFlight} in flight, capacity ${capacity[i]})`
      : `${candidates[i].id} (${why})`,
  );
  return {
    target,
    decision: {
      stage: 'pick',
      algorithm: 'consistent-hash',
      reason:
        `${label}: ${keyText} ${hex(keyHash)}; ${landing}, owned by ${candidates[ring.owners[first]].id}` +
        (step > 0 ? `; walking on ${step} point${step === 1 ? '' : 's'} past ${walked.join(', ')} reached ${target.id}` : '') +
        (allFull ? '; every eligible target is full, so the first eligible owner takes it' : ''),
      candidates: candidates.map((c, i) => {
        const entry: DecisionCandidate = {
          id: c.id,
          eligible: c.eligible,
          weight: c.weight,
          inFlight: c.inFlight,
          points: ring.pointCounts[i],
          chosen: i === index,
        };
        if (capacity) entry.capacity = capacity[i];
        const skip = skipped.get(i);
        if (skip) entry.skipped = skip;
        if (i === index)
          Object.assign(entry, { via: key === undefined ? 'random' : 'hash', keyHash, point: ring.hashes[point], pointIndex: point });
        return entry;
      }),
    },
  };
}

function parseOptions(options: Record<string, unknown>): ConsistentHashOptions {
  const { mode = 'ring', points = NGINX_POINTS, balanceFactor = 0 } = options;
  if (mode !== 'ring' && mode !== 'nginx')
    throw new TypeError(`consistent-hash: mode must be "ring" or "nginx", got ${JSON.stringify(mode)}`);
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 1 || points > 10_000) {
    throw new RangeError(`consistent-hash: points must be an integer from 1 to 10000, got ${JSON.stringify(points)}`);
  }
  if (mode === 'nginx' && points !== NGINX_POINTS)
    throw new RangeError(`consistent-hash: nginx mode always uses ${NGINX_POINTS} points per weight`);
  if (typeof balanceFactor !== 'number' || !Number.isInteger(balanceFactor) || (balanceFactor !== 0 && balanceFactor < 100)) {
    throw new RangeError(
      `consistent-hash: balanceFactor must be 0 (off) or an integer percentage of at least 100, got ${JSON.stringify(balanceFactor)}`,
    );
  }
  return { mode, points, balanceFactor };
}

function sameSet(built: { ids: string[]; weights: number[]; addresses: string[] }, candidates: readonly Candidate[]): boolean {
  if (built.ids.length !== candidates.length) return false;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (built.ids[i] !== c.id || built.weights[i] !== c.weight || built.addresses[i] !== c.address) return false;
  }
  return true;
}

/** Our ketama-like ring: point i of a target is xxHash32(`${address}-${i}`). */
function buildRing(candidates: readonly Candidate[], points: number): Ring {
  return sortedRing(candidates, (candidate, emit) => {
    const count = Math.max(0, Math.round(points * candidate.weight));
    // The bytes of `${address}-` once, then the decimal digits of i written after them in place.
    const prefix = utf8(`${candidate.address}-`);
    const buffer = new Uint8Array(prefix.length + 16);
    buffer.set(prefix);
    for (let i = 0; i < count; i++) {
      let end = prefix.length;
      for (const digit of String(i)) buffer[end++] = digit.charCodeAt(0);
      emit(xxHash32(buffer.subarray(0, end)));
    }
  });
}

/**
 * nginx's ring (ngx_http_upstream_update_chash): the server as written splits into host and port at a
 * last `:` followed only by digits (`unix:` paths have no port); the base is crc32 over host, one zero
 * byte and port; each of its `160 × weight` points continues the base with the previous point as four
 * little-endian bytes (zero for the first).
 */
function buildNginxRing(candidates: readonly Candidate[]): Ring {
  return sortedRing(candidates, (candidate, emit) => {
    const { host, port } = nginxHostPort(candidate.address);
    const base = crc32Update(crc32Update(crc32Update(CRC32_INIT, host), new Uint8Array(1)), port);
    let previous = 0;
    const count = Math.max(0, Math.round(NGINX_POINTS * candidate.weight));
    for (let i = 0; i < count; i++) {
      previous = crc32Final(crc32UpdateUint32LE(base, previous));
      emit(previous);
    }
  });
}

export function nginxHostPort(server: string): { host: string; port: string } {
  if (server.length >= 5 && server.slice(0, 5).toLowerCase() === 'unix:') return { host: server.slice(5), port: '' };
  for (let j = server.length - 1; j >= 0; j--) {
    const c = server[j];
    if (c === ':') return { host: server.slice(0, j), port: server.slice(j + 1) };
    if (c < '0' || c > '9') break;
  }
  return { host: server, port: '' };
}

/**
 * Sort all points and drop duplicates, keeping the first of equal hashes. nginx sorts with qsort and
 * keeps the first of a run; we break ties by config order (what a stable sort gives), which only
 * matters when two servers' points collide exactly.
 */
function sortedRing(candidates: readonly Candidate[], pointsOf: (candidate: Candidate, emit: (hash: number) => void) => void): Ring {
  const packed: number[] = [];
  // hash × 2^20 + owner stays below 2^52, so one numeric sort orders by hash, then by config order.
  candidates.forEach((candidate, owner) => pointsOf(candidate, (hash) => packed.push(hash * 1048576 + owner)));
  const sorted = Float64Array.from(packed).sort();
  const hashes: number[] = [];
  const owners: number[] = [];
  const pointCounts = new Array<number>(candidates.length).fill(0);
  for (const value of sorted) {
    const hash = Math.floor(value / 1048576);
    if (hashes.length > 0 && hashes[hashes.length - 1] === hash) continue;
    const owner = value - hash * 1048576;
    hashes.push(hash);
    owners.push(owner);
    pointCounts[owner]++;
  }
  return { hashes: Uint32Array.from(hashes), owners: Uint32Array.from(owners), pointCounts };
}

/** The index of the first point `>= hash`, or `hashes.length` when the key wraps past the last point. */
function firstPointAtOrAfter(hashes: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid] < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * nginx keys points by the server as written, so all usable peers with that address share the point
 * and its smooth weighted round robin picks among them; with distinct addresses that is the owner.
 */
function sameAddressChoice(
  candidates: readonly Candidate[],
  owner: number,
  usable: (i: number) => boolean,
  roundRobin: SmoothWeights,
): number {
  const address = candidates[owner].address;
  const sharing: number[] = [];
  for (let i = 0; i < candidates.length; i++) if (candidates[i].address === address && usable(i)) sharing.push(i);
  if (sharing.length <= 1) return sharing.length === 1 ? sharing[0] : -1;
  return sharing[roundRobin.step(sharing.map((i) => candidates[i])).index];
}

/**
 * HAProxy's bounded loads (chash_server_is_eligible): the slots in use plus this request, times the
 * factor, rounded up, shared among the eligible targets in proportion to weight (in config order, so
 * the remainders add up); never fewer than one. A target is full when its in-flight count reaches
 * its slots. In-flight counts of ineligible targets still count as load, as HAProxy's `served` does.
 */
export function boundedLoadCapacity(candidates: readonly Candidate[], balanceFactor: number): number[] {
  const served = candidates.reduce((sum, c) => sum + c.inFlight, 0);
  const totalWeight = candidates.reduce((sum, c) => sum + (c.eligible ? c.weight : 0), 0);
  const totalSlots = Math.floor(((served + 1) * balanceFactor + 99) / 100);
  let cumulative = 0;
  return candidates.map((c) => {
    if (!c.eligible) return 0;
    const slots = Math.floor(((cumulative + c.weight) * totalSlots) / totalWeight) - Math.floor((cumulative * totalSlots) / totalWeight);
    cumulative += c.weight;
    return Math.max(1, slots);
  });
}

/** The share of the 2^32 circle whose keys land on each candidate's points. */
function ownedArcs(ring: Ring, count: number): number[] {
  const shares = new Array<number>(count).fill(0);
  const n = ring.hashes.length;
  for (let i = 0; i < n; i++) {
    const previous = i === 0 ? ring.hashes[n - 1] - 2 ** 32 : ring.hashes[i - 1];
    shares[ring.owners[i]] += (ring.hashes[i] - previous) / 2 ** 32;
  }
  return shares;
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;
