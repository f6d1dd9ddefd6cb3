/**
 * FNV-1a over a string's UTF-16 code units: a fast, stable 32-bit hash for spreading ids (not for
 * security). Another offset `basis` gives another, independent hash of the same text.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
