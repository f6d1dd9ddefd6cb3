/**
 * One colour per target: each service (and, in a gateway's views, each route or consumer) gets a
 * colour that the dots, the boxes, the algorithm views, the charts and the event log all share.
 *
 * The rule, a pure function of the set of ids the config names (never of arrival or list order):
 * - Each id hashes (FNV-1a) to a first choice among the palette's colours and to a step prime to the
 *   palette's size (odd, for the 8 colours here), and tries first, first + step, first + 2·step... (so
 *   every colour).
 * - Ids take their colours one by one in natural order of their names (`users-2` before `users-10`);
 *   each takes the first colour of its own list that no earlier id took.
 * So a reload or a reordered config gives the same colours, and up to the palette's size they are
 * distinct. Adding or removing an id never recolours an id that sorts before it; one after it changes
 * only when its list reaches the changed id's colour (or one that moved) before its own. So a new `users-4` beside `users-1..3`
 * recolours nothing, and neither does removing the last of them. No rule
 * can promise more without memory: two ids that share a first choice each have it alone, so one of
 * them must change colour when the other arrives.
 *
 * The palette is Paul Tol's "light" scheme (without its grey): told apart with the common colour-vision
 * deficiencies, and light enough to stand on the dark stage. Grey is the neutral: no target (yet).
 * Beyond eight ids colours repeat; every view also names its targets.
 *
 * The same rule serves another key over its own palette (consumer-colours.ts).
 */
import { fnv1a } from '../hash.ts';

export const TARGET_PALETTE: readonly string[] = ['#77aadd', '#ee8866', '#eedd88', '#ffaabb', '#99ddff', '#44bb99', '#bbcc33', '#aaaa00'];

/** The colour of a request or a view with no target (the dot before its balancer picked). */
export const NEUTRAL_COLOUR = '#c4cad4';

/** Each id's index into its palette (TARGET_PALETTE unless given another). */
export class TargetColours {
  readonly #slot: ReadonlyMap<string, number>;
  readonly #palette: readonly string[];

  constructor(ids: Iterable<string>, palette: readonly string[] = TARGET_PALETTE) {
    this.#palette = palette;
    this.#slot = assignSlots(ids, palette.length);
  }

  /** The id's palette index, or -1 for an id not in the set. */
  slot(id: string | undefined): number {
    return id === undefined ? -1 : (this.#slot.get(id) ?? -1);
  }

  /** The id's colour; the neutral grey for an id not in the set. */
  colour(id: string | undefined): string {
    const slot = this.slot(id);
    return slot < 0 ? NEUTRAL_COLOUR : this.#palette[slot];
  }

  get ids(): string[] {
    return [...this.#slot.keys()].sort(naturalCompare);
  }
}

/** The ids that get a colour in a topology: every service, and every target of a balancer (a balancer may front proxies). */
export function targetIds(nodes: readonly { id: string; kind: string; upstreams: readonly { to: string }[] }[]): string[] {
  return nodes.flatMap((node) => (node.kind === 'service' ? [node.id] : node.kind === 'balancer' ? node.upstreams.map((u) => u.to) : []));
}

export function colourOfSlot(slot: number): string {
  return slot < 0 ? NEUTRAL_COLOUR : TARGET_PALETTE[slot];
}

function assignSlots(ids: Iterable<string>, size: number): Map<string, number> {
  const steps = stepsFor(size);
  const taken = new Array<boolean>(size).fill(false);
  let free = size;
  const slots = new Map<string, number>();
  for (const id of [...new Set(ids)].sort(naturalCompare)) {
    const hash = fnv1a(id);
    const first = hash % size;
    const step = steps[(hash >>> 8) % steps.length];
    let slot = first;
    if (free > 0) {
      while (taken[slot]) slot = (slot + step) % size;
      taken[slot] = true;
      free--;
    }
    slots.set(id, slot);
  }
  return slots;
}

/** The steps that visit every colour of a palette of `size`: those prime to it (1, 3, 5, 7 for 8). */
function stepsFor(size: number): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const steps = Array.from({ length: size }, (_, i) => i).filter((step) => step > 0 && gcd(step, size) === 1);
  return steps.length > 0 ? steps : [1];
}

/** Names compared with their digit runs as numbers, so `users-2` sorts before `users-10`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}
