/**
 * The nginx smooth weighted round-robin step (`ngx_http_upstream_get_peer`), shared by
 * weighted-round-robin and by least-connections, which breaks ties with it. O(n) per step.
 * State is kept per target id, so the balancer may rebuild its candidate list between picks.
 * nginx's `max_fails`/`fail_timeout` ban is health filtering and belongs to the balancer; only the
 * `effective` weight is modelled here.
 */
import type { Candidate } from '../picker.ts';

/** One peer's weights as nginx keeps them. */
export interface PeerWeights {
  id: string;
  weight: number;
  current: number;
  effective: number;
}

export interface SmoothStep {
  /** Index into the peers given to `step`, or -1 when there were none. */
  index: number;
  /** The sum of the peers' effective weights this round: what the winner gives back. */
  total: number;
  /** Each peer's weights as compared this round: `current` after adding `effective`, before the winner gives back `total`. */
  compared: PeerWeights[];
}

export interface SmoothWeights {
  /**
   * One round over `peers` (the caller has already excluded the ineligible, as nginx skips down peers):
   * every peer adds its effective weight to its current weight and climbs back by 1 towards its weight;
   * the highest current wins (the first on a tie) and gives back the total. With `commit: false`
   * nothing changes, for `peek`.
   */
  step(peers: readonly Candidate[], options?: { commit?: boolean }): SmoothStep;
  /** A failed request: effective drops by `weight / maxFails` (integer division, as in nginx), not below 0. */
  fail(id: string, maxFails: number): void;
  /** The weights of these candidates, for `state()`; targets never picked show their starting weights. */
  of(candidates: readonly Candidate[]): PeerWeights[];
  /** Forget targets no longer among the candidates (all of them, eligible or not), so one that comes back starts afresh. */
  retain(candidates: readonly Candidate[]): void;
}

export function smoothWeights(): SmoothWeights {
  const peers = new Map<string, PeerWeights>();

  /** A target starts at current 0, effective = weight; a changed weight restarts its effective weight. */
  const read = (candidate: Candidate): PeerWeights => {
    const known = peers.get(candidate.id);
    if (known && known.weight === candidate.weight) return { ...known };
    return { id: candidate.id, weight: candidate.weight, current: known?.current ?? 0, effective: candidate.weight };
  };

  return {
    step(list, { commit = true } = {}) {
      let index = -1;
      let best = 0;
      let total = 0;
      // One snapshot per peer for the decision; the live weights change in place only when committing.
      const compared: PeerWeights[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const candidate = list[i];
        let peer = peers.get(candidate.id);
        if (!peer || peer.weight !== candidate.weight) {
          peer = { id: candidate.id, weight: candidate.weight, current: peer?.current ?? 0, effective: candidate.weight };
          if (commit) peers.set(candidate.id, peer);
        }
        const current = peer.current + peer.effective;
        total += peer.effective;
        compared[i] = { id: peer.id, weight: peer.weight, current, effective: peer.effective };
        if (commit) {
          peer.current = current;
          if (peer.effective < peer.weight) peer.effective++;
        }
        if (index === -1 || current > best) {
          index = i;
          best = current;
        }
      }
      if (commit && index !== -1) peers.get(list[index].id)!.current -= total;
      return { index, total, compared };
    },
    fail(id, maxFails) {
      const peer = peers.get(id);
      if (!peer) return;
      peer.effective = Math.max(0, peer.effective - Math.trunc(peer.weight / maxFails));
    },
    of(candidates) {
      return candidates.map(read);
    },
    retain(candidates) {
      if (peers.size <= candidates.length) return;
      const present = new Set(candidates.map((c) => c.id));
      for (const id of peers.keys()) if (!present.has(id)) peers.delete(id);
    },
  };
}
