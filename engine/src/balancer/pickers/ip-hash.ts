/**
 * IP hash, nginx's `ip_hash` exactly: the client's first three IPv4 octets (all 16 bytes of IPv6) mix into a number that picks a
 * target by weight, so a whole /24 shares a target; an ineligible target makes it mix on, and 21 misses fall back to nginx's round
 * robin. O(targets) per try. Prefer it for affinity without cookies, and to show why one NAT's /24 lands on one target.
 * Deliberate differences: `fullAddress: true` mixes all four octets; `::ffff:a.b.c.d` (Node's dual-stack form) hashes as the IPv4
 * address nginx sees on its default IPv6-only listener; no key at all goes to round robin, and says so.
 */
import type { Decision } from '../../events.ts';
import type { Candidate, Pick, Picker } from '../picker.ts';
import { smoothWeights } from './smooth-weighted.ts';

type DecisionCandidate = NonNullable<Decision['candidates']>[number];

/** nginx gives up hashing after this many ineligible landings and asks round robin instead. */
const MAX_TRIES = 20;

/** nginx hashes the bytes of the client address family it accepted on; anything else is a pseudo-address. */
interface ClientAddress {
  family: 'ipv4' | 'ipv6' | 'other';
  bytes: number[];
}

export function ipHash(options: Record<string, unknown> = {}): Picker {
  const fullAddress = parseFullAddress(options.fullAddress);
  const roundRobin = smoothWeights();

  const fallback = (candidates: readonly Candidate[], why: string): Pick => {
    roundRobin.retain(candidates);
    const eligible = candidates.filter((c) => c.eligible);
    const round = roundRobin.step(eligible);
    if (round.index === -1) return { target: null, reason: 'ip-hash: no eligible target' };
    const target = eligible[round.index];
    const current = new Map(round.compared.map((peer) => [peer.id, peer.current]));
    return {
      target,
      decision: {
        stage: 'pick',
        algorithm: 'ip-hash',
        reason: `ip-hash: ${why}, so nginx's round robin chose ${target.id}`,
        candidates: candidates.map((c) => {
          const entry: DecisionCandidate = { id: c.id, eligible: c.eligible, weight: c.weight, chosen: c === target };
          if (c.eligible) entry.current = current.get(c.id);
          if (c === target) entry.via = 'round-robin';
          return entry;
        }),
      },
    };
  };

  return {
    id: 'ip-hash',
    pick(candidates, ctx): Pick {
      if (!candidates.some((c) => c.eligible)) return { target: null, reason: 'ip-hash: no eligible target' };
      if (ctx.key === undefined) return fallback(candidates, 'the request has no client address to hash');
      if (candidates.length < 2) return fallback(candidates, 'with a single target nginx does not hash');
      const totalWeight = candidates.reduce((sum, c) => sum + c.weight, 0);
      if (!(totalWeight > 0)) return fallback(candidates, 'the targets have no weight to hash over');

      const client = clientAddress(ctx.key);
      const mixed = client.family === 'ipv4' && !fullAddress ? client.bytes.slice(0, 3) : client.bytes;
      const skips = new Uint16Array(candidates.length);
      let hash = 89;
      for (let tries = 0; ;) {
        for (const byte of mixed) hash = (hash * 113 + byte) % 6271;
        const w = hash % totalWeight;
        const index = ownerOf(candidates, w);
        if (candidates[index].eligible)
          return hashed(candidates, index, { hash, w, totalWeight, skips, label: addressLabel(ctx.key, client, fullAddress) });
        skips[index]++;
        if (++tries > MAX_TRIES) {
          return fallback(
            candidates,
            `${MAX_TRIES + 1} hashes of ${addressLabel(ctx.key, client, fullAddress)} all landed on ineligible targets`,
          );
        }
      }
    },
    state(candidates) {
      let from = 0;
      return {
        fullAddress,
        totalWeight: candidates.reduce((sum, c) => sum + c.weight, 0),
        /** Which values of `hash % totalWeight` each target owns: `wFrom <= w < wTo`. */
        shares: candidates.map((c) => ({ id: c.id, weight: c.weight, eligible: c.eligible, wFrom: from, wTo: (from += c.weight) })),
      };
    },
  };
}

/** nginx's walk: subtract weights in config order until `w` falls inside one. */
function ownerOf(candidates: readonly Candidate[], w: number): number {
  let index = 0;
  while (index < candidates.length - 1 && w >= candidates[index].weight) w -= candidates[index++].weight;
  return index;
}

function hashed(
  candidates: readonly Candidate[],
  index: number,
  numbers: { hash: number; w: number; totalWeight: number; skips: Uint16Array; label: string },
): Pick {
  const { hash, w, totalWeight, skips, label } = numbers;
  const target = candidates[index];
  const skipped = candidates.filter((_, i) => skips[i] > 0).map((c) => c.id);
  let from = 0;
  return {
    target,
    decision: {
      stage: 'pick',
      algorithm: 'ip-hash',
      reason:
        `ip-hash: ${label} hashes to ${hash}, and ${hash} % ${totalWeight} = ${w} falls in ${target.id}'s share` +
        (skipped.length > 0 ? ` after rehashing past ${skipped.join(', ')} (not eligible)` : ''),
      candidates: candidates.map((c, i) => {
        const entry: DecisionCandidate = {
          id: c.id,
          eligible: c.eligible,
          weight: c.weight,
          wFrom: from,
          wTo: (from += c.weight),
          chosen: i === index,
        };
        if (skips[i] > 0) entry.skipped = skips[i];
        if (i === index) Object.assign(entry, { via: 'hash', hash, w });
        return entry;
      }),
    },
  };
}

function addressLabel(key: string, client: ClientAddress, fullAddress: boolean): string {
  if (client.family === 'ipv4') return fullAddress ? client.bytes.join('.') : `${client.bytes.slice(0, 3).join('.')}.x`;
  if (client.family === 'ipv6') return key;
  return `${JSON.stringify(key)} (not an IP address: nginx's pseudo-address 0.0.0)`;
}

function parseFullAddress(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`ip-hash: fullAddress must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The bytes nginx mixes for a client address as Node reports it (`10.0.0.1`, `::1`,
 * `::ffff:10.0.0.1`, optionally bracketed or with a `%zone`): four octets for IPv4, sixteen bytes for
 * IPv6 (nginx mixes all sixteen), and nginx's three-zero pseudo-address for anything else (what a
 * unix-socket client gets), so such keys all share one target, as in nginx.
 */
export function clientAddress(key: string): ClientAddress {
  const bare = key.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const v4 = parseIPv4(bare);
  if (v4) return { family: 'ipv4', bytes: v4 };
  const v6 = parseIPv6(bare);
  if (v6) {
    const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
    return mapped ? { family: 'ipv4', bytes: v6.slice(12) } : { family: 'ipv6', bytes: v6 };
  }
  return { family: 'other', bytes: [0, 0, 0] };
}

function parseIPv4(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function parseIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}
