/**
 * Whole-request sampling: a request is in the 1-in-`oneIn` sample when the FNV-1a hash of its id says
 * so, so every hop and every event of one request agree without sharing any state.
 */
export function inRequestSample(rid: string, oneIn: number): boolean {
  if (oneIn <= 1) return true;
  let hash = 0x811c9dc5;
  for (let i = 0; i < rid.length; i++) hash = Math.imul(hash ^ rid.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % oneIn === 0;
}
