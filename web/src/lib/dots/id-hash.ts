/**
 * A request id as a stable number: the dots use it where they must choose per request and choose the
 * same every time (where a dot waits in a box, whether it is in the sample), with no state to keep.
 */
import { fnv1a } from '../hash.ts';

/** A stable number in [0, 1) from a string (FNV-1a; another `basis` gives another, independent number). */
export function hashUnit(text: string, basis?: number): number {
  return fnv1a(text, basis) / 0x1_0000_0000;
}
