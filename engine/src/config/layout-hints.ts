/**
 * The config's layout hints (`layout.positions`): where the page draws a node's box, kept in the config
 * so a sandbox looks the same when it is reloaded, exported or shared. The engine checks their form and
 * otherwise ignores them. A position for an id no node has is a warning, not an error, so that deleting
 * a node never makes the config it leaves behind invalid.
 */
import { z } from 'zod';
import { LIMITS, limitMessage } from './limits.ts';
import type { ConfigError } from './edges.ts';

/** The largest coordinate a hint may give: far beyond any drawing, small enough to stay a sane number. */
export const LAYOUT_BOUND = 20_000;

const Coordinate = z.number().min(0).max(LAYOUT_BOUND).meta({ description: `diagram units (a screen pixel at scale 1), 0 to ${LAYOUT_BOUND}` });

export const NodePosition = z.strictObject({ x: Coordinate, y: Coordinate }).meta({ description: "the top-left corner of the node's box" });

export const LayoutHints = z
  .strictObject({
    positions: z
      .record(z.string().min(1).max(LIMITS.nameLength.max), NodePosition)
      .refine((positions) => Object.keys(positions).length <= LIMITS.nodes.max, limitMessage(LIMITS.nodes))
      .default({}),
  })
  .meta({ description: "where the page draws nodes' boxes, by node id (set by dragging a box); the engine ignores it" });

/** A warning for each position whose id no node of the config has. */
export function layoutHintWarnings(config: { nodes: ReadonlyArray<{ id: string }>; layout?: { positions: Record<string, unknown> } }): ConfigError[] {
  const ids = new Set(config.nodes.map((n) => n.id));
  return Object.keys(config.layout?.positions ?? {})
    .filter((id) => !ids.has(id))
    .map((id) => ({ path: `layout.positions.${id}`, message: `no node has the id ${id}; this position is not used` }));
}
