/**
 * The config edits that keep a box where the learner left it: the node's position in the config's
 * layout hints (`layout.positions`, README "Layout hints"), set by a drag or the arrow keys, and gone
 * with the node when it is deleted (and renamed with it), so no position outlives its node. Plain changes of the config, sent
 * with PUT /api/config like every other edit (state/builder.svelte.ts), so undo puts the box back.
 */
import type { Config, Edit } from '../builder/graph-edits.ts';
import type { Position } from './hints.ts';

type Positions = Record<string, Position>;

function positionsOf(config: Config): Positions {
  const layout = config.layout as { positions?: Positions } | undefined;
  return layout?.positions ?? {};
}

/** Node `id`'s box kept at `at`, in whole diagram units (never negative). */
export function withPosition(config: Config, id: string, at: Position): Edit {
  if (!config.nodes.some((n) => n.id === id)) return { ok: false, reason: `no node has the id ${id}` };
  const x = Math.max(0, Math.round(at.x));
  const y = Math.max(0, Math.round(at.y));
  const layout = { ...(config.layout as object | undefined), positions: { ...positionsOf(config), [id]: { x, y } } };
  return { ok: true, config: { ...config, layout }, done: `moved ${id}` };
}

/** The config without node `id`'s position; without `layout` at all when no position is left. */
export function withoutPosition(config: Config, id: string): Config {
  const positions = positionsOf(config);
  if (!Object.hasOwn(positions, id)) return config;
  const { [id]: _gone, ...rest } = positions;
  const { layout: _layout, ...others } = config;
  return Object.keys(rest).length === 0 ? others : { ...others, layout: { ...(config.layout as object), positions: rest } };
}

/** The config with node `from`'s position kept under its new id `to` (a rename); unchanged when it had none. */
export function renamedPosition(config: Config, from: string, to: string): Config {
  const at = positionsOf(config)[from];
  if (at === undefined || from === to) return config;
  const { [from]: _old, ...rest } = positionsOf(config);
  return { ...config, layout: { ...(config.layout as object), positions: { ...rest, [to]: at } } };
}
