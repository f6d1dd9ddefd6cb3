/**
 * The dots: one per request, following the places its events put it (see waypoints.ts). The order of
 * places and every wait are the engine's; only movement is slowed so an eye can follow it: each move
 * takes its real time or a minimum (an edge `travelMs`, across a box `crossMs`, half an edge to a
 * turn-back `turnMs`), whichever is longer. Time spent waiting in a node is real.
 *
 * Budget: a fixed pool of `capacity` dots (requests beyond it get no dot and are counted in
 * `skipped`); per frame, `step` only does arithmetic on pooled objects. Each dot resolves its current
 * segment's route once, when it enters it, not on every frame.
 *
 * Thinning: with `sampleEvery` above 1 only the requests of that sample get a dot (sampling.ts, by
 * request id, so the choice is the same however often it is asked); the selected request (`focus`)
 * always gets one, and the drawing dims every other dot while there is a focus.
 */
import { routePoint, type Point, type Route } from '../layout/geometry.ts';
import { edgeKey, type Layout, type NodeBox } from '../layout/layout.ts';
import { classifyOutcome, type OutcomeClass } from '../outcome.ts';
import type { Trace } from '../traces/trace-store.ts';
import { buildWaypoints, type Waypoint } from '../traces/waypoints.ts';
import { hashUnit } from './id-hash.ts';
import { inSample } from './sampling.ts';

export interface Motion {
  travelMs: number;
  crossMs: number;
  turnMs: number;
  fadeMs: number;
  /** A dot whose request has had no event for this long is dropped (its events were probably lost). */
  staleMs: number;
}

export const MOTION: Motion = { travelMs: 220, crossMs: 110, turnMs: 160, fadeMs: 600, staleMs: 60_000 };

const STILL = 0;
const ROUTE = 1;
const LINE = 2;

export class Dot {
  active = false;
  rid = '';
  waypoints: Waypoint[] = [];
  done = false;
  seg = 0;
  segStart = 0;
  /** The segment (index) whose path below is resolved, or -1. */
  resolved = -1;
  path = STILL;
  route: Route | undefined;
  t0 = 0;
  t1 = 0;
  ax = 0;
  ay = 0;
  bx = 0;
  by = 0;
  duration = 0;
  outcome: OutcomeClass = 'pending';
  /** The palette slot of its target (lib/colour/target-colours.ts): the service it set off for last, or -1 before a pick. */
  slot = -1;
  /** The palette slot of its consumer (lib/colour/consumer-colours.ts) once a gateway named it, else -1: drawn as a tag. */
  tag = -1;
  /** The answer it carries came from a proxy's cache (drawn ringed). */
  cached = false;
  finishedAt = -1;
  lastEventAt = 0;
  /** 0..1, from the request id: where in a service box the dot waits, so concurrent ones spread out. */
  jitter = 0;
  x = 0;
  y = 0;
  alpha = 1;
  visible = false;
}

export class DotField {
  readonly dots: readonly Dot[];
  /** When false (tab hidden), new requests get no dot. */
  enabled = true;
  /** Requests that got no dot because every dot was in use. */
  skipped = 0;
  /** Draw 1 request in this many (1: all). */
  sampleEvery = 1;
  /** The selected request's id: always drawn, on top, the others dimmed. */
  focus: string | null = null;
  readonly #free: Dot[];
  readonly #byRid = new Map<string, Dot>();
  readonly #isLeaf: (node: string) => boolean;
  readonly #holds: (node: string) => boolean;
  readonly #targetSlot: (node: string) => number;
  readonly #consumerSlot: (consumer: string) => number;
  readonly #layout: () => Layout | null;
  readonly #motion: Motion;
  readonly #a: Point = { x: 0, y: 0 };
  readonly #b: Point = { x: 0, y: 0 };

  /**
   * `holds`: the nodes that may keep a request inside and answer it themselves (caching proxies, see
   * waypoints.ts). `targetSlot`: a node's palette slot when it is a target with a colour, else -1.
   * `consumerSlot`: a consumer's palette slot, else -1.
   */
  constructor(options: {
    capacity?: number;
    isLeaf: (node: string) => boolean;
    holds?: (node: string) => boolean;
    targetSlot?: (node: string) => number;
    consumerSlot?: (consumer: string) => number;
    layout: () => Layout | null;
    motion?: Motion;
  }) {
    // Room for the 1,000 dots in flight the page is measured with (bench frame-budget, issue 13).
    const dots = Array.from({ length: options.capacity ?? 1200 }, () => new Dot());
    this.dots = dots;
    this.#free = [...dots].reverse();
    this.#isLeaf = options.isLeaf;
    this.#holds = options.holds ?? (() => false);
    this.#targetSlot = options.targetSlot ?? (() => -1);
    this.#consumerSlot = options.consumerSlot ?? (() => -1);
    this.#layout = options.layout;
    this.#motion = options.motion ?? MOTION;
  }

  get inFlight(): number {
    return this.#byRid.size;
  }

  /**
   * A request event was folded into `trace`. `starts` is true for the request's first receipt from
   * the clients: only then does it get a dot, leaving the clients box at `startAt` (browser ms).
   */
  track(trace: Trace, starts: boolean, startAt: number, now: number): void {
    let dot = this.#byRid.get(trace.rid);
    if (dot === undefined) {
      if (!starts || !this.enabled) return;
      if (trace.rid !== this.focus && !inSample(trace.rid, this.sampleEvery)) return;
      dot = this.#free.pop();
      if (dot === undefined) {
        this.skipped++;
        return;
      }
      dot.active = true;
      dot.rid = trace.rid;
      dot.seg = 0;
      dot.segStart = startAt;
      dot.outcome = 'pending';
      dot.slot = -1;
      dot.tag = -1;
      dot.cached = false;
      dot.finishedAt = -1;
      dot.jitter = hashUnit(trace.rid);
      dot.visible = false;
      this.#byRid.set(trace.rid, dot);
    }
    dot.waypoints = buildWaypoints(trace, this.#isLeaf, this.#holds);
    dot.done = trace.done;
    dot.resolved = -1;
    dot.lastEventAt = now;
  }

  /** Moves every dot to where it is at `now` (browser ms). With `reducedMotion`, a dot shows at the place it last reached instead of travelling. */
  step(now: number, reducedMotion: boolean): void {
    const layout = this.#layout();
    for (const dot of this.dots) {
      if (!dot.active) continue;
      const last = dot.waypoints.length - 1;
      if (last < 0 || layout === null) {
        dot.visible = false;
        continue;
      }
      while (dot.seg < last) {
        const duration = this.#duration(dot.waypoints[dot.seg], dot.waypoints[dot.seg + 1]);
        if (now - dot.segStart < duration) break;
        dot.segStart += duration;
        dot.seg++;
      }
      // A dot shows an answer from the moment it sets off with it: the segment ending where a node answered.
      const answer = dot.waypoints[Math.min(dot.seg + 1, last)];
      if (answer.status !== undefined) {
        dot.outcome = classifyOutcome(answer.status, answer.error);
        dot.cached = answer.cached === true;
      }
      if (dot.seg >= last) {
        if (dot.done && dot.finishedAt < 0) dot.finishedAt = Math.max(dot.segStart, now - this.#motion.fadeMs / 2);
        if (!dot.done && now - dot.lastEventAt > this.#motion.staleMs) {
          this.#release(dot);
          continue;
        }
      }
      if (dot.finishedAt >= 0) {
        dot.alpha = 1 - (now - dot.finishedAt) / this.#motion.fadeMs;
        if (dot.alpha <= 0) {
          this.#release(dot);
          continue;
        }
      } else {
        dot.alpha = 1;
      }
      if (dot.resolved !== dot.seg) this.#resolve(dot, layout);
      dot.visible = Number.isFinite(dot.ax);
      if (dot.path === STILL || reducedMotion || dot.seg >= last) {
        dot.x = dot.ax;
        dot.y = dot.ay;
        continue;
      }
      const u = dot.duration <= 0 ? 1 : Math.min(1, Math.max(0, (now - dot.segStart) / dot.duration));
      if (dot.path === ROUTE && dot.route !== undefined) {
        routePoint(dot.route, dot.t0 + (dot.t1 - dot.t0) * u, this.#a);
        dot.x = this.#a.x;
        dot.y = this.#a.y;
      } else {
        dot.x = dot.ax + (dot.bx - dot.ax) * u;
        dot.y = dot.ay + (dot.by - dot.ay) * u;
      }
    }
  }

  /** The request id of the visible dot nearest to (x, y) in layout units, within `radius`. */
  hitTest(x: number, y: number, radius: number): string | null {
    let best: Dot | undefined;
    let bestDistance = radius * radius;
    for (const dot of this.dots) {
      if (!dot.active || !dot.visible) continue;
      const d = (dot.x - x) ** 2 + (dot.y - y) ** 2;
      if (d <= bestDistance) {
        best = dot;
        bestDistance = d;
      }
    }
    return best?.rid ?? null;
  }

  clear(): void {
    for (const dot of this.dots) if (dot.active) this.#release(dot);
  }

  #release(dot: Dot): void {
    dot.active = false;
    dot.visible = false;
    dot.waypoints = [];
    dot.route = undefined;
    this.#byRid.delete(dot.rid);
    this.#free.push(dot);
  }

  /** The slot of the last target among the places up to `upTo` (a place at it, or a try turning back from it), or -1. */
  #slotUpTo(waypoints: readonly Waypoint[], upTo: number): number {
    for (let i = Math.min(upTo, waypoints.length - 1); i >= 0; i--) {
      const slot = this.#targetSlot(waypoints[i].toward ?? waypoints[i].node);
      if (slot >= 0) return slot;
    }
    return -1;
  }

  /** The slot of the consumer named among the places up to `upTo`, or -1. */
  #tagUpTo(waypoints: readonly Waypoint[], upTo: number): number {
    for (let i = Math.min(upTo, waypoints.length - 1); i >= 0; i--) {
      const consumer = waypoints[i].consumer;
      if (consumer !== undefined) return this.#consumerSlot(consumer);
    }
    return -1;
  }

  #duration(a: Waypoint, b: Waypoint): number {
    const real = Math.max(0, b.ts - a.ts);
    if (a.toward !== undefined || b.toward !== undefined) return Math.max(real, this.#motion.turnMs);
    if (a.node !== b.node) return Math.max(real, this.#motion.travelMs);
    if (a.side !== b.side) return Math.max(real, this.#motion.crossMs);
    return real;
  }

  /** Works out, once per segment, how the dot moves through it, whose colour it wears and whose tag. */
  #resolve(dot: Dot, layout: Layout): void {
    dot.resolved = dot.seg;
    dot.slot = this.#slotUpTo(dot.waypoints, dot.seg + 1);
    dot.tag = this.#tagUpTo(dot.waypoints, dot.seg + 1);
    const a = dot.waypoints[dot.seg];
    const b = dot.waypoints[dot.seg + 1];
    placeOf(layout, a, dot.jitter, this.#a);
    dot.ax = this.#a.x;
    dot.ay = this.#a.y;
    dot.path = STILL;
    dot.route = undefined;
    if (b === undefined) return;
    placeOf(layout, b, dot.jitter, this.#b);
    dot.bx = this.#b.x;
    dot.by = this.#b.y;
    dot.duration = this.#duration(a, b);
    if (b.toward !== undefined || a.toward !== undefined) {
      const turn = (b.toward !== undefined ? b : a) as Waypoint & { toward: string };
      const edge = layout.edge.get(edgeKey(turn.node, turn.toward));
      dot.path = edge === undefined ? LINE : ROUTE;
      dot.route = edge?.route;
      [dot.t0, dot.t1] = b.toward !== undefined ? [0, 0.5] : [0.5, 0];
      return;
    }
    if (a.node === b.node) {
      dot.path = a.side === b.side ? STILL : LINE;
      return;
    }
    const forward = layout.edge.get(edgeKey(a.node, b.node));
    const backward = forward === undefined ? layout.edge.get(edgeKey(b.node, a.node)) : undefined;
    dot.path = forward === undefined && backward === undefined ? LINE : ROUTE;
    dot.route = (forward ?? backward)?.route;
    [dot.t0, dot.t1] = forward !== undefined ? [0, 1] : [1, 0];
  }
}

/** Where a waypoint is in layout units; NaN when its node is not in the layout. */
function placeOf(layout: Layout, waypoint: Waypoint, jitter: number, out: Point): Point {
  const box: NodeBox | undefined = layout.box.get(waypoint.node);
  if (box === undefined) {
    out.x = NaN;
    out.y = NaN;
    return out;
  }
  if (waypoint.toward !== undefined) {
    const edge = layout.edge.get(edgeKey(waypoint.node, waypoint.toward));
    const target = layout.box.get(waypoint.toward);
    if (edge !== undefined) return routePoint(edge.route, 0.5, out);
    out.x = target === undefined ? box.outX + 30 : (box.outX + target.inX) / 2;
    out.y = target === undefined ? box.pipeY : (box.pipeY + target.pipeY) / 2;
    return out;
  }
  out.y = box.pipeY;
  out.x = waypoint.side === 'in' ? box.inX : waypoint.side === 'out' ? box.outX : box.x + box.w * (0.3 + 0.4 * jitter);
  return out;
}
