/**
 * Turns a trace into the places its dot passes, each with the engine time the events give for it.
 * A forwarding node is entered at its `in` port (left) and left towards an upstream from its `out`
 * port (right); a service is worked on at its `mid`. An attempt that never arrived (refused, timed
 * out) turns back halfway along its edge (`toward`). The answer travels back the same way, and each
 * place where a node answered carries that node's outcome.
 *
 * A caching proxy (`holds`) may keep a request inside: a request waiting there on another's fetch of
 * the same key (collapsed) waits in its middle, and one its cache answers (HIT, STALE, COLLAPSED)
 * turns back there, marked `cached`, and never goes further.
 *
 * Once a gateway's authentication has named the request's consumer, the places from the gateway on
 * carry it (`consumer`): from its forward (or its own answer) up, and on the answer's way back.
 *
 * The list only grows as later events arrive (as long as `isLeaf` is right about services), so a dot
 * can keep its index while its trace is rebuilt.
 */
import { answerError, CLIENT, entryHop, type Hop, type Trace } from './trace-store.ts';

export type Side = 'in' | 'out' | 'mid';

export interface Waypoint {
  /** Node id, or `client` for the clients box. */
  node: string;
  side: Side;
  /** Engine time (ms since the epoch) at which the request is here. */
  ts: number;
  /** Set on a turn-back point: halfway along the edge from `node` to `toward`. */
  toward?: string;
  /** Set where a node answered: from here on the dot shows this outcome. */
  status?: number;
  error?: string;
  /** Set with an outcome that a proxy's cache answered from its store, without going upstream. */
  cached?: boolean;
  /** Set where a gateway that named the request's consumer lets it go (up, or back with its answer). */
  consumer?: string;
}

/** The X-Cache words of an answer from the store that did not wait for the origin. */
const FROM_STORE = new Set(['HIT', 'STALE', 'COLLAPSED']);

export function buildWaypoints(trace: Trace, isLeaf: (node: string) => boolean, holds: (node: string) => boolean = () => false): Waypoint[] {
  const entry = entryHop(trace);
  if (entry === undefined) return [];
  const out: Waypoint[] = [{ node: entry.from === CLIENT || entry.from === '?' ? CLIENT : entry.from, side: 'out', ts: entry.receivedTs }];
  const used = new Set<Hop>([entry]);
  const outcome = (hop: Hop): { status?: number; error?: string; cached?: boolean } => {
    const error = answerError(trace, hop);
    const cached = hop.upstream === undefined && hop.cache !== undefined && FROM_STORE.has(hop.cache.xCache) ? { cached: true } : {};
    return error === undefined ? { status: hop.status, ...cached } : { status: hop.status, error, ...cached };
  };

  const visit = (hop: Hop): boolean => {
    const who = hop.consumer === undefined ? {} : { consumer: hop.consumer };
    out.push({ node: hop.node, side: 'in', ts: hop.receivedTs });
    if (hop.forwards.length === 0) {
      if (hop.completedTs === undefined) {
        if (isLeaf(hop.node) || holds(hop.node)) out.push({ node: hop.node, side: 'mid', ts: hop.receivedTs });
        return false;
      }
      out.push({ node: hop.node, side: 'mid', ts: hop.receivedTs });
      out.push({ node: hop.node, side: 'mid', ts: hop.completedTs, ...who });
    } else if (holds(hop.node)) {
      // Through its middle, where it would have waited: the places so far stay the same whatever came next.
      out.push({ node: hop.node, side: 'mid', ts: hop.receivedTs });
    }
    for (let i = 0; i < hop.forwards.length; i++) {
      const forward = hop.forwards[i];
      out.push({ node: hop.node, side: 'out', ts: forward.ts, ...who });
      const child = trace.hops.find((h) => !used.has(h) && h.node === forward.to && h.from === hop.node);
      if (child !== undefined) {
        used.add(child);
        if (!visit(child)) return false;
        out.push({ node: hop.node, side: 'out', ts: child.completedTs as number, ...who });
        continue;
      }
      const next = hop.forwards[i + 1]?.ts ?? hop.completedTs;
      if (next === undefined) return false;
      const last = i === hop.forwards.length - 1;
      out.push({ node: hop.node, side: 'out', ts: forward.ts, toward: forward.to });
      out.push({ node: hop.node, side: 'out', ts: next, ...(last ? outcome(hop) : {}) });
    }
    if (hop.completedTs === undefined) return false;
    out.push({ node: hop.node, side: 'in', ts: hop.completedTs, ...outcome(hop), ...who });
    return true;
  };

  if (visit(entry)) out.push({ node: out[0].node, side: 'out', ts: entry.completedTs as number, ...outcome(entry) });
  return out;
}

