/**
 * A path as the engine names it in an error, read into segments: the settings forms, the builder and
 * the config editor all follow one. Apart from yaml-places.ts, so that what needs only this does not
 * load the YAML parser with it.
 */
import type { PathSegment } from './schema-at.ts';

/** A path as the engine writes it in errors: `nodes[2] (users-9).targets[0]`, `traffic[0].rate`, or '' for the whole config. */
export function parseErrorPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of path.replace(/\s*\([^)]*\)/g, '').matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    segments.push(match[1] !== undefined ? Number(match[1]) : match[2]);
  }
  return segments;
}
