/**
 * A request id as a stable number: the dots use it where they must choose per request and choose the
 * same every time (where a dot waits in a box, whether it is in the sample), with no state to keep.
 */

/** A stable number in [0, 1) from a string (FNV-1a; another `basis` gives another, independent number). */
export function hashUnit(text: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}
