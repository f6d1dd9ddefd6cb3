/**
 * The topology laid out in layers, left to right by depth from the clients box: a flow's target is at
 * depth 1, its upstreams at 2, and so on (shortest path; nodes no flow reaches start their own chain
 * at depth 1). Within a layer, nodes sit in the order of their parents' heights (one barycentre pass,
 * ties in config order), stacked around their parents' mean so a balancer's targets fan out around it.
 * Upstreams that are URLs, not nodes, get an `external` box. Deterministic: same input, same layout.
 */
import { horizontalCurve, type Curve } from './geometry.ts';
import type { NodeKind } from '../api-types.ts';

export const CLIENTS_ID = 'client';

export interface LayoutNodeInput {
  id: string;
  kind: NodeKind;
  upstreams: ReadonlyArray<{ to: string }>;
}

export interface LayoutInput {
  nodes: readonly LayoutNodeInput[];
  /** Where the traffic enters (each flow's `to`); the clients box links to these. */
  entries: readonly string[];
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
  /** The line dots travel along through the box, between the in port (left) and the out port (right). */
  pipeY: number;
  inX: number;
  outX: number;
}

export interface EdgeLayout {
  key: string;
  from: string;
  to: string;
  curve: Curve;
}

export interface Layout {
  width: number;
  height: number;
  boxes: NodeBox[];
  box: Map<string, NodeBox>;
  edges: EdgeLayout[];
  edge: Map<string, EdgeLayout>;
}

export interface LayoutDimensions {
  pad: number;
  nodeW: number;
  nodeH: number;
  clientsW: number;
  colGap: number;
  rowGap: number;
  /** Distance from a box's top to its pipe. */
  pipeOffset: number;
}

export const DIMENSIONS: LayoutDimensions = { pad: 22, nodeW: 184, nodeH: 112, clientsW: 132, colGap: 70, rowGap: 28, pipeOffset: 48 };

export function edgeKey(from: string, to: string): string {
  return `${from}->${to}`;
}

export function computeLayout(input: LayoutInput, dims: LayoutDimensions = DIMENSIONS): Layout {
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

  const parents = new Map<string, string[]>();
  for (const [from, tos] of children) for (const to of tos) parents.set(to, [...(parents.get(to) ?? []), from]);

  const centreY = new Map<string, number>();
  const boxes: NodeBox[] = [];
  const columnX = (d: number) => (d === 0 ? dims.pad : dims.pad + dims.clientsW + dims.colGap + (d - 1) * (dims.nodeW + dims.colGap));
  for (const [d, layer] of layers.entries()) {
    if (layer === undefined) continue;
    const bary = new Map<string, number>();
    for (const id of layer) {
      const placed = (parents.get(id) ?? []).filter((p) => centreY.has(p)).map((p) => centreY.get(p) as number);
      if (placed.length > 0) bary.set(id, placed.reduce((a, b) => a + b, 0) / placed.length);
    }
    const sorted = [...layer].sort((a, b) => (bary.get(a) ?? Infinity) - (bary.get(b) ?? Infinity) || order.indexOf(a) - order.indexOf(b));
    const known = [...bary.values()];
    const centre = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0;
    const stack = sorted.length * dims.nodeH + (sorted.length - 1) * dims.rowGap;
    sorted.forEach((id, i) => {
      const w = d === 0 ? dims.clientsW : dims.nodeW;
      const x = columnX(d);
      const y = centre - stack / 2 + i * (dims.nodeH + dims.rowGap);
      centreY.set(id, y + dims.nodeH / 2);
      boxes.push({ id, kind: kinds.get(id) as BoxKind, depth: d, x, y, w, h: dims.nodeH, pipeY: y + dims.pipeOffset, inX: x, outX: x + w });
    });
  }

  const top = Math.min(...boxes.map((b) => b.y));
  for (const b of boxes) {
    b.y += dims.pad - top;
    b.pipeY += dims.pad - top;
  }
  const box = new Map(boxes.map((b) => [b.id, b]));
  const edges: EdgeLayout[] = [];
  for (const [from, tos] of children) {
    const a = box.get(from) as NodeBox;
    for (const to of tos) {
      const b = box.get(to) as NodeBox;
      edges.push({ key: edgeKey(from, to), from, to, curve: horizontalCurve(a.outX, a.pipeY, b.inX, b.pipeY) });
    }
  }
  return {
    width: Math.max(...boxes.map((b) => b.x + b.w)) + dims.pad,
    height: Math.max(...boxes.map((b) => b.y + b.h)) + dims.pad,
    boxes,
    box,
    edges,
    edge: new Map(edges.map((e) => [e.key, e])),
  };
}
