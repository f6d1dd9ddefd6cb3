/**
 * Maglev as Envoy builds it (maglev_lb.cc, paper section 3.4): targets sorted by address fill a table of M slots (M prime, 65537) in
 * turns along `offset + j × skip`, weighted; a key goes to `table[xxHash64(key) % M]`. O(1) per pick, O(M log M) per build.
 * Prefer it for near-perfect balance and cheap lookups, accepting that losing a target moves a few more keys than a ring does.
 * As in Envoy the table holds only eligible targets (rebuilt when that set changes, the last 4 kept) and no key means a random slot.
 * Envoy-exact when Candidate.address is Envoy's `ip:port`; Envoy's panic mode (all hosts when too few are healthy) is the balancer's.
 */
import type { Decision } from '../../events.ts';
import type { Candidate, Pick, PickContext, Picker } from '../picker.ts';
import { LIMITS } from '../../config/limits.ts';
import { xxHash64 } from './hashing.ts';

const DEFAULT_TABLE_SIZE = 65537;
/**
 * Envoy allows up to 5,000,011 slots; we stop at 131,071, which builds in ~7 ms, because a build blocks
 * every node of the engine (limits.ts has the measurements).
 */
const MAX_TABLE_SIZE = LIMITS.maglevTableSize.max;
/** Tables kept for recent eligible sets, so a flapping target does not rebuild on every change. */
const CACHED_TABLES = 4;

export interface MaglevTable {
  size: number;
  /** The targets in the table, sorted by address as Envoy sorts them. */
  hosts: Array<{ id: string; address: string; weight: number; offset: number; skip: number; slots: number }>;
  /** Slot -> index into `hosts`. */
  slots: Uint32Array;
}

type DecisionCandidate = NonNullable<Decision['candidates']>[number];

interface Matched {
  snapshot: Array<[string, number, string, boolean]>;
  table: MaglevTable;
  /** Host (index into `table.hosts`) -> candidate index. */
  candidateIndex: number[];
  /** Candidate index -> its slots in the table (0 when left out). */
  slotsOf: number[];
  /** Ids of the candidates left out of the table. */
  excluded: string[];
}

export function maglev(options: Record<string, unknown> = {}): Picker {
  const size = parseTableSize(options.tableSize);
  const tables = new Map<string, MaglevTable>();
  let builds = 0;
  /** The candidate list the current table was last matched against, with what a pick reads from it. */
  let matched: Matched | undefined;

  const tableFor = (candidates: readonly Candidate[]): Matched => {
    if (matched && sameSnapshot(matched.snapshot, candidates)) return matched;
    const eligible = candidates.filter((c) => c.eligible);
    const key = eligible.map((c) => `${c.address}\u0000${c.weight}\u0000${c.id}`).join('\u0001');
    let table = tables.get(key);
    if (table) {
      tables.delete(key);
    } else {
      table = buildMaglevTable(eligible, size);
      builds++;
      if (tables.size >= CACHED_TABLES) tables.delete(tables.keys().next().value!);
    }
    tables.set(key, table);
    const indexById = new Map(candidates.map((c, i) => [c.id, i]));
    const slotsById = new Map(table.hosts.map((h) => [h.id, h.slots]));
    matched = {
      snapshot: candidates.map((c) => [c.id, c.weight, c.address, c.eligible]),
      table,
      candidateIndex: table.hosts.map((h) => indexById.get(h.id)!),
      slotsOf: candidates.map((c) => slotsById.get(c.id) ?? 0),
      excluded: candidates.filter((c) => !c.eligible).map((c) => c.id),
    };
    return matched;
  };

  return {
    id: 'maglev',
    pick(candidates, ctx: PickContext): Pick {
      if (!candidates.some((c) => c.eligible)) return { target: null, reason: 'maglev: no eligible target' };
      const { table, candidateIndex, slotsOf, excluded } = tableFor(candidates);
      const key = ctx.key;
      const hash = key === undefined ? undefined : xxHash64(key);
      const slot = hash === undefined ? Math.floor(ctx.rng() * table.size) : Number(hash % BigInt(table.size));
      const host = table.slots[slot];
      const index = candidateIndex[host];
      const target = candidates[index];
      const hashHex = hash === undefined ? '' : `0x${hash.toString(16).padStart(16, '0')}`;
      return {
        target,
        decision: {
          stage: 'pick',
          algorithm: 'maglev',
          reason:
            (hash === undefined
              ? `maglev: no hash key, so a random slot, ${slot} of ${table.size},`
              : `maglev: key ${JSON.stringify(key)} hashes (xxHash64) to ${hashHex}, slot ${slot} of ${table.size},`) +
            ` belongs to ${target.id}` +
            (excluded.length > 0 ? ` in the table of the ${table.hosts.length} eligible targets (left out: ${excluded.join(', ')})` : ''),
          candidates: candidates.map((c, i) => {
            const entry: DecisionCandidate = { id: c.id, eligible: c.eligible, weight: c.weight, slots: slotsOf[i], chosen: i === index };
            if (!c.eligible) entry.skipped = 'not eligible';
            if (i === index) Object.assign(entry, hash === undefined ? { via: 'random', slot } : { via: 'hash', slot, keyHash: hashHex });
            return entry;
          }),
        },
      };
    },
    state(candidates) {
      if (!candidates.some((c) => c.eligible)) return { tableSize: size, builds, hosts: [], strip: [] };
      const { table, excluded } = tableFor(candidates);
      return {
        tableSize: table.size,
        builds,
        hosts: table.hosts.map(({ id, address, weight, offset, skip, slots }) => ({
          id,
          address,
          weight,
          offset,
          skip,
          slots,
          share: slots / table.size,
        })),
        /** The owner of 256 evenly spaced slots, for drawing the table as a strip. */
        strip: Array.from({ length: 256 }, (_, k) => table.hosts[table.slots[Math.floor((k * table.size) / 256)]].id),
        excluded,
      };
    },
  };
}

/**
 * Envoy's OriginalMaglevTable: hosts sorted by address; offset = xxHash64(address) % M,
 * skip = xxHash64(address, seed 1) % (M - 1) + 1; weights normalised to shares of the total. In
 * iteration 1, 2, ... each host in turn whose `iteration × weight` has reached its running target
 * (which grows by the largest weight per turn taken) claims its next preferred empty slot.
 */
export function buildMaglevTable(hosts: readonly Candidate[], size: number): MaglevTable {
  const sorted = [...hosts].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const totalWeight = sorted.reduce((sum, h) => sum + h.weight, 0);
  const entries = sorted.map((h) => ({
    id: h.id,
    address: h.address,
    weight: h.weight,
    offset: Number(xxHash64(h.address) % BigInt(size)),
    skip: Number(xxHash64(h.address, 1n) % BigInt(size - 1)) + 1,
    slots: 0,
  }));
  const slots = new Uint32Array(size);
  if (entries.length === 0 || !(totalWeight > 0)) return { size, hosts: entries, slots };

  const normalized = entries.map((e) => e.weight / totalWeight);
  const maxNormalized = Math.max(...normalized);
  const targetWeight = new Float64Array(entries.length);
  const position = Int32Array.from(entries, (e) => e.offset);
  const taken = new Uint8Array(size);
  let filled = 0;
  for (let iteration = 1; filled < size; iteration++) {
    for (let i = 0; i < entries.length && filled < size; i++) {
      if (iteration * normalized[i] < targetWeight[i]) continue;
      targetWeight[i] += maxNormalized;
      const skip = entries[i].skip;
      let c = position[i];
      while (taken[c]) {
        c += skip;
        if (c >= size) c -= size;
      }
      taken[c] = 1;
      slots[c] = i;
      entries[i].slots++;
      filled++;
      c += skip;
      position[i] = c >= size ? c - size : c;
    }
  }
  return { size, hosts: entries, slots };
}

function sameSnapshot(snapshot: Array<[string, number, string, boolean]>, candidates: readonly Candidate[]): boolean {
  if (snapshot.length !== candidates.length) return false;
  for (let i = 0; i < candidates.length; i++) {
    const [id, weight, address, eligible] = snapshot[i];
    const c = candidates[i];
    if (c.id !== id || c.weight !== weight || c.address !== address || c.eligible !== eligible) return false;
  }
  return true;
}

function parseTableSize(value: unknown): number {
  if (value === undefined) return DEFAULT_TABLE_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > MAX_TABLE_SIZE || !isPrime(value)) {
    throw new RangeError(`maglev: tableSize must be a prime from 2 to ${MAX_TABLE_SIZE} (65537 by default), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
