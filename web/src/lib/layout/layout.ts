/**
 * The topology laid out in layers, left to right by depth from the clients box: a flow's target is at
 * depth 1, its upstreams at 2, and so on (shortest path; nodes no flow reaches start their own chain
 * at depth 1). Within a layer, nodes sit in the order of their parents' heights (one barycentre pass,
 * ties in config order), stacked around their parents' mean so a balancer's targets fan out around it.
 * Upstreams that are URLs, not nodes, get an `external` box.
 *
 * The layout is made for the room the stage has, in screen pixels, so the page draws it at scale 1 or
 * more and no text shrinks below its CSS size (box-sizes.ts picks the box sizes and gaps). A layer too
 * tall for the room gets short boxes, and wraps into staggered sub-columns where the width allows (box
 * i of the layer sits one row-pitch / k below box i - 1, so edges into the second column pass through
 * the gaps of the first). Boxes the config's layout hints place stay where they are put; the others
 * move down out of their way. Deterministic: same input, same layout.
 */
import { layersWidth, MINI, NARROW, ROOMY, SHORT, TALL, TIGHT, WIDE, type Spacing } from './box-sizes.ts';
import { placeEdgeLabels, type EdgeLabel } from './edge-labels.ts';
import { busRoute, horizontalCurve, routePath, type Route } from './geometry.ts';
import { placeAroundHints, type Position } from './hints.ts';
import type { NodeKind } from '../api-types.ts';

export const CLIENTS_ID = 'client';

export interface LayoutUpstream {
  to: string;
  /** A gateway route's match, or a target's weight: the edge's label. */
  route?: string;
  weight?: number;
}

export interface LayoutNodeInput {
  id: string;
  kind: NodeKind;
  upstreams: readonly LayoutUpstream[];
}

export interface LayoutInput {
  nodes: readonly LayoutNodeInput[];
  /** Where the traffic enters (each flow's `to`); the clients box links to these. */
  entries: readonly string[];
}

export interface LayoutOptions {
  /** The stage's room in screen pixels; unbounded when not given. */
  room?: { width: number; height: number };
  /** Box positions from the config's layout hints (top-left corners), by node id. */
  positions?: Readonly<Record<string, Position>>;
}

export type BoxKind = NodeKind | 'clients' | 'external';

export interface NodeBox {
  id: string;
  kind: BoxKind;
  depth: number;
  x: number;
  y: number;
  w: number;
  h: number;
  /** A narrow box drops secondary text (the port, long units); a short one shows its name and one line of counts. */
  narrow: boolean;
  short: boolean;
  /** Narrower and lower than short (box-sizes.ts MINI): its name, the pipe and its counts, in a layer of very many. */
  mini: boolean;
  /** Placed by a layout hint. */
  pinned: boolean;
  /**
   * The line dots travel along through the box, between the in port (left) and the out port (right).
   * A box in a later sub-column has its in port at its layer's left edge: edges reach it level with its
   * pipe, through the gap between the boxes of the sub-columns before it.
   */
  pipeY: number;
  inX: number;
  outX: number;
}

export interface EdgeLayout {
  key: string;
  from: string;
  to: string;
  /** An S-curve; one branch of a bus when its node fans out to BUS_FANOUT or more boxes. */
  route: Route;
  /** Into a box past the first sub-column: the edge goes on straight, level with the pipe, to the box at this x. */
  lead?: number;
}

export interface Layout {
  width: number;
  height: number;
  boxes: NodeBox[];
  box: Map<string, NodeBox>;
  edges: EdgeLayout[];
  edge: Map<string, EdgeLayout>;
  /** The edges' labels that fit without covering a box or another label; the others are left out. */
  labels: EdgeLabel[];
}

export type { EdgeLabel, Position };

const UNBOUNDED = { width: Infinity, height: Infinity };

export function edgeKey(from: string, to: string): string {
  return `${from}->${to}`;
}

/** The SVG path of an edge: its curve, and its lead into a box past the first sub-column. */
export function edgePath(edge: EdgeLayout): string {
  return edge.lead === undefined ? routePath(edge.route) : `${routePath(edge.route)} H${edge.lead}`;
}

/**
 * The SVG path of the part of an edge that is its own: the whole of an S-curve, a bus edge's branch (and
 * lead). What takes its clicks, its hover and its focus ring: on the trunk or bus every sibling shares, a
 * click would land on whichever edge was drawn last.
 */
export function edgeOwnPath(edge: EdgeLayout): string {
  return edgePath(edge.route.length > 1 ? { ...edge, route: edge.route.slice(-1) } : edge);
}

/**
 * A node whose edges go to this many boxes or more draws them as a bus (geometry.ts busRoute): as
 * S-curves from one port they would leave it side by side and merge into one thick bar. Fewer keep
 * their curves, which part at once.
 */
export const BUS_FANOUT = 5;
/** Where the bus runs: this share of the gap after the node's out port, within these bounds (px). */
const BUS_AT = { share: 0.3, min: 12, max: 26 } as const;
const BUS_RADIUS = 8;
/** Between the buses of nodes in one column, so two buses whose spans overlap never run as one line. */
const BUS_STAGGER = 7;

/**
 * The edges out of node `a` into `targets`, each an S-curve, or a bus's branches for a wide fan-out
 * whose boxes all lie to its right (layout hints may place one behind it: then every edge curves).
 * `buses` counts the buses already drawn from each column (by out-port x); this one runs beside them.
 */
function routesFrom(a: NodeBox, targets: readonly NodeBox[], buses: Map<number, number>): Route[] {
  const gap = Math.min(...targets.map((b) => b.inX)) - a.outX;
  if (targets.length < BUS_FANOUT || gap < 2 * BUS_AT.min) return targets.map((b) => [horizontalCurve(a.outX, a.pipeY, b.inX, b.pipeY)]);
  const before = buses.get(a.outX) ?? 0;
  buses.set(a.outX, before + 1);
  const busX = a.outX + Math.min(gap - BUS_RADIUS - 4, Math.max(BUS_AT.min, Math.min(BUS_AT.max, gap * BUS_AT.share)) + before * BUS_STAGGER);
  return targets.map((b) => busRoute(a.outX, a.pipeY, busX, b.inX, b.pipeY, BUS_RADIUS));
}

interface Graph {
  kinds: Map<string, BoxKind>;
  children: Map<string, string[]>;
  parents: Map<string, string[]>;
  order: string[];
  layers: string[][];
}

function buildGraph(input: LayoutInput): Graph {
  const kinds = new Map<string, BoxKind>([[CLIENTS_ID, 'clients']]);
  for (const node of input.nodes) kinds.set(node.id, node.kind);
  const children = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = children.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    children.set(from, list);
  };
  for (const entry of input.entries) if (kinds.has(entry)) link(CLIENTS_ID, entry);
  for (const node of input.nodes) {
    for (const upstream of node.upstreams) {
      if (!kinds.has(upstream.to)) kinds.set(upstream.to, 'external');
      link(node.id, upstream.to);
    }
  }
  const order = [...kinds.keys()];

  const depth = new Map<string, number>();
  const walk = (start: string, startDepth: number) => {
    depth.set(start, startDepth);
    const queue = [start];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const child of children.get(id) ?? []) {
        if (!depth.has(child)) {
          depth.set(child, (depth.get(id) as number) + 1);
          queue.push(child);
        }
      }
    }
  };
  walk(CLIENTS_ID, 0);
  const hasParent = new Set([...children.values()].flat());
  for (const preferRoots of [true, false]) {
    for (const id of order) if (!depth.has(id) && (!preferRoots || !hasParent.has(id))) walk(id, 1);
  }

  const layers: string[][] = [];
  for (const id of order) (layers[depth.get(id) as number] ??= []).push(id);
  for (let d = 0; d < layers.length; d++) layers[d] ??= [];
  const parents = new Map<string, string[]>();
  for (const [from, tos] of children) for (const to of tos) parents.set(to, [...(parents.get(to) ?? []), from]);
  return { kinds, children, parents, order, layers };
}

/** How one node layer is drawn: its box height (mini boxes are narrower too), and how many staggered sub-columns it wraps into. */
interface LayerPlan {
  short: boolean;
  mini?: boolean;
  columns: number;
}

interface Plan {
  nodeW: number;
  spacing: Spacing;
  layers: LayerPlan[];
  /** The tallest layer's height. */
  height: number;
}

/** A layer's box height and the gap between two of its boxes, one above the other. */
function rowOf(plan: LayerPlan, rowGap: number): { h: number; pipeOffset: number; gap: number } {
  if (plan.mini) return { h: MINI.h, pipeOffset: MINI.pipeOffset, gap: Math.min(rowGap, MINI.rowGap) };
  return { ...(plan.short ? SHORT : TALL), gap: rowGap };
}

function layerHeight(count: number, plan: LayerPlan, rowGap: number): number {
  const row = rowOf(plan, rowGap);
  return count === 0 ? 0 : ((count - 1) * (row.h + row.gap)) / plan.columns + row.h;
}

/**
 * Box heights and sub-columns for each layer within `room`, for boxes `nodeW` wide and `spacing`: the
 * sub-columns take the width the layers leave at the least gap; what is left after them widens the gaps.
 */
function planLayers(counts: number[], room: { width: number; height: number }, nodeW: number, spacing: Spacing): Plan {
  const budget = room.height - 2 * spacing.pad;
  let spare = room.width - layersWidth(counts.length, nodeW, spacing);
  const layers = counts.map((count): LayerPlan => {
    const tall = { short: false, columns: 1 };
    if (layerHeight(count, tall, spacing.rowGap) <= budget) return tall;
    const plan: LayerPlan = { short: true, columns: 1 };
    const spareBefore = spare;
    while (layerHeight(count, plan, spacing.rowGap) > budget && plan.columns < count && spare >= nodeW + spacing.subGap) {
      plan.columns++;
      spare -= nodeW + spacing.subGap;
    }
    if (layerHeight(count, plan, spacing.rowGap) <= budget || nodeW <= MINI.w) return plan;
    // Still too tall: mini boxes, narrower, in as many sub-columns as the width left then holds.
    const mini: LayerPlan = { short: true, mini: true, columns: 1 };
    let miniSpare = spareBefore + nodeW - MINI.w;
    while (layerHeight(count, mini, spacing.rowGap) > budget && mini.columns < count && miniSpare >= MINI.w + spacing.subGap) {
      mini.columns++;
      miniSpare -= MINI.w + spacing.subGap;
    }
    if (layerHeight(count, mini, spacing.rowGap) >= layerHeight(count, plan, spacing.rowGap)) return plan;
    spare = miniSpare;
    return mini;
  });
  // No spare width (a chain longer than the room is wide) keeps the least gap: the stage scrolls sideways.
  const colGap = spacing === ROOMY ? ROOMY.colGap : Math.min(ROOMY.colGap, TIGHT.colGap + Math.max(0, Math.floor(spare / Math.max(counts.length, 1))));
  const height = Math.max(0, ...counts.map((c, i) => layerHeight(c, layers[i], spacing.rowGap))) + 2 * spacing.pad;
  return { nodeW, spacing: { ...spacing, colGap }, layers, height };
}

/**
 * Roomy wide boxes, then tight wide ones, then tight narrow ones (which leave width for sub-columns):
 * the first whose tallest layer fits the room, else the lowest. Narrow when no width fits: the stage
 * scrolls sideways.
 */
function choosePlan(counts: number[], room: { width: number; height: number }): Plan {
  const tries: Array<[number, Spacing]> = [[WIDE, ROOMY], [WIDE, TIGHT], [NARROW, TIGHT]];
  const candidates = tries.filter(([nodeW, spacing]) => layersWidth(counts.length, nodeW, spacing) <= room.width).map(([nodeW, spacing]) => planLayers(counts, room, nodeW, spacing));
  if (candidates.length === 0) return planLayers(counts, room, NARROW, TIGHT);
  return candidates.find((c) => c.height <= room.height) ?? candidates.reduce((best, c) => (c.height < best.height ? c : best));
}

export function computeLayout(input: LayoutInput, options: LayoutOptions = {}): Layout {
  const room = options.room ?? UNBOUNDED;
  const graph = buildGraph(input);
  const { kinds, children, parents, order, layers } = graph;
  const plan = choosePlan(layers.slice(1).map((l) => l.length), room);
  const { nodeW, spacing } = plan;
  const narrow = nodeW < WIDE;

  const centreY = new Map<string, number>();
  const boxes: NodeBox[] = [];
  let layerX = spacing.pad;
  for (const [d, layer] of layers.entries()) {
    const layerPlan = d === 0 ? { short: false, columns: 1 } : plan.layers[d - 1];
    const size = rowOf(layerPlan, spacing.rowGap);
    const w = d === 0 ? spacing.clientsW : layerPlan.mini ? MINI.w : nodeW;
    const pitch = (size.h + size.gap) / layerPlan.columns;
    const bary = new Map<string, number>();
    for (const id of layer) {
      const placed = (parents.get(id) ?? []).filter((p) => centreY.has(p)).map((p) => centreY.get(p) as number);
      if (placed.length > 0) bary.set(id, placed.reduce((a, b) => a + b, 0) / placed.length);
    }
    const sorted = [...layer].sort((a, b) => (bary.get(a) ?? Infinity) - (bary.get(b) ?? Infinity) || order.indexOf(a) - order.indexOf(b));
    const known = [...bary.values()];
    const centre = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0;
    const stack = layerHeight(sorted.length, layerPlan, spacing.rowGap);
    sorted.forEach((id, i) => {
      const x = layerX + (i % layerPlan.columns) * (w + spacing.subGap);
      const y = centre - stack / 2 + i * pitch;
      centreY.set(id, y + size.h / 2);
      boxes.push({
        id,
        kind: kinds.get(id) as BoxKind,
        depth: d,
        x,
        y,
        w,
        h: size.h,
        narrow: d > 0 && (narrow || layerPlan.mini === true),
        short: layerPlan.short,
        mini: layerPlan.mini === true,
        pinned: false,
        pipeY: y + size.pipeOffset,
        inX: layerX,
        outX: x + w,
      });
    });
    layerX += layerPlan.columns * w + (layerPlan.columns - 1) * spacing.subGap + spacing.colGap;
  }

  const top = Math.min(...boxes.map((b) => b.y));
  for (const b of boxes) {
    b.y += spacing.pad - top;
    b.pipeY += spacing.pad - top;
  }
  placeAroundHints(boxes, options.positions ?? {}, spacing.rowGap);

  const box = new Map(boxes.map((b) => [b.id, b]));
  const edges: EdgeLayout[] = [];
  const buses = new Map<number, number>();
  for (const [from, tos] of children) {
    const targets = tos.map((to) => box.get(to) as NodeBox);
    const routes = routesFrom(box.get(from) as NodeBox, targets, buses);
    for (const [i, b] of targets.entries()) {
      const edge = { key: edgeKey(from, b.id), from, to: b.id, route: routes[i] };
      edges.push(b.inX === b.x ? edge : { ...edge, lead: b.x });
    }
  }
  // An edge several routes share names the first one tried and how many more (the inspector lists them all).
  const shared = new Map<string, string[]>();
  for (const node of input.nodes) {
    for (const u of node.upstreams) {
      const text = u.route ?? (u.weight !== undefined && u.weight !== 1 ? `×${u.weight}` : undefined);
      if (text !== undefined) shared.set(edgeKey(node.id, u.to), [...(shared.get(edgeKey(node.id, u.to)) ?? []), text]);
    }
  }
  const texts = new Map([...shared].map(([key, [first, ...more]]) => [key, more.length === 0 ? first : `${first} +${more.length}`]));
  return {
    width: Math.max(...boxes.map((b) => b.x + b.w)) + spacing.pad,
    height: Math.max(...boxes.map((b) => b.y + b.h)) + spacing.pad,
    boxes,
    box,
    edges,
    edge: new Map(edges.map((e) => [e.key, e])),
    labels: placeEdgeLabels(edges, texts, boxes),
  };
}
