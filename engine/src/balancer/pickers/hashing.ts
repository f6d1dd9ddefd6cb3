/**
 * The hash functions the hash pickers share, written out so a learner can read them: CRC-32 as nginx
 * computes it, xxHash32 for our own ring, xxHash64 as Envoy's Maglev uses it. Pure: no clock, no
 * randomness, no node: imports, so the same code can run in the browser.
 */

const encoder = new TextEncoder();

/** The bytes a string hashes as: UTF-8, which is what a header, cookie or path carries on the wire. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const asBytes = (input: string | Uint8Array): Uint8Array => (typeof input === 'string' ? utf8(input) : input);

// --- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), nginx's ngx_crc32_* -----------------------

/** One entry per byte value: the remainder of that byte divided by the polynomial, computed once. */
const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The running state before any byte (nginx `ngx_crc32_init`). */
export const CRC32_INIT = 0xffffffff;

/** Feed bytes into a running CRC-32 state (nginx `ngx_crc32_update`). */
export function crc32Update(state: number, input: string | Uint8Array): number {
  const bytes = asBytes(input);
  let c = state;
  for (let i = 0; i < bytes.length; i++) c = CRC32_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** Feed the four little-endian bytes of a 32-bit value (nginx feeds `prev_hash` like this on x86). */
export function crc32UpdateUint32LE(state: number, value: number): number {
  let c = state;
  for (let shift = 0; shift < 32; shift += 8) c = CRC32_TABLE[(c ^ (value >>> shift)) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** The finished checksum from a running state (nginx `ngx_crc32_final`). */
export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a whole input (nginx `ngx_crc32_long`, zlib `crc32`): crc32("123456789") = 0xCBF43926. */
export function crc32(input: string | Uint8Array): number {
  return crc32Final(crc32Update(CRC32_INIT, input));
}

// --- xxHash32 (our ketama-like ring: fast, well mixed, 32 bits like the ring) ------------------------

const P32_1 = 0x9e3779b1;
const P32_2 = 0x85ebca77;
const P32_3 = 0xc2b2ae3d;
const P32_4 = 0x27d4eb2f;
const P32_5 = 0x165667b1;

const rotl32 = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const read32 = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const round32 = (acc: number, lane: number): number => Math.imul(rotl32((acc + Math.imul(lane, P32_2)) | 0, 13), P32_1);

/** xxHash32 (Yann Collet's XXH32), unsigned: xxHash32("abc") = 0x32D153FF. */
export function xxHash32(input: string | Uint8Array, seed = 0): number {
  const b = asBytes(input);
  const len = b.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P32_1 + P32_2) | 0;
    let v2 = (seed + P32_2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P32_1) | 0;
    for (; i <= len - 16; i += 16) {
      v1 = round32(v1, read32(b, i));
      v2 = round32(v2, read32(b, i + 4));
      v3 = round32(v3, read32(b, i + 8));
      v4 = round32(v4, read32(b, i + 12));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    h = (seed + P32_5) | 0;
  }
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl32((h + Math.imul(read32(b, i), P32_3)) | 0, 17), P32_4);
  for (; i < len; i++) h = Math.imul(rotl32((h + Math.imul(b[i], P32_5)) | 0, 11), P32_1);
  h ^= h >>> 15;
  h = Math.imul(h, P32_2);
  h ^= h >>> 13;
  h = Math.imul(h, P32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

// --- xxHash64 (Envoy's HashUtil::xxHash64: Maglev's offset, skip and key hashes) ----------------------

const MASK64 = 0xffffffffffffffffn;
const P64_1 = 0x9e3779b185ebca87n;
const P64_2 = 0xc2b2ae3d27d4eb4fn;
const P64_3 = 0x165667b19e3779f9n;
const P64_4 = 0x85ebca77c2b2ae63n;
const P64_5 = 0x27d4eb2f165667c5n;

const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK64;
const read64 = (b: Uint8Array, i: number): bigint => BigInt(read32(b, i)) | (BigInt(read32(b, i + 4)) << 32n);
const round64 = (acc: bigint, lane: bigint): bigint => (rotl64((acc + lane * P64_2) & MASK64, 31n) * P64_1) & MASK64;
const merge64 = (h: bigint, v: bigint): bigint => ((h ^ round64(0n, v)) * P64_1 + P64_4) & MASK64;

/**
 * xxHash64 (XXH64) as an unsigned 64-bit BigInt: xxHash64("foo") = 3728699739546630719, as in Envoy's
 * own hash test. BigInt keeps it readable; a key of a few dozen bytes hashes in about a microsecond.
 */
export function xxHash64(input: string | Uint8Array, seed = 0n): bigint {
  const b = asBytes(input);
  const len = b.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P64_1 + P64_2) & MASK64;
    let v2 = (seed + P64_2) & MASK64;
    let v3 = seed & MASK64;
    let v4 = (seed - P64_1) & MASK64;
    for (; i <= len - 32; i += 32) {
      v1 = round64(v1, read64(b, i));
      v2 = round64(v2, read64(b, i + 8));
      v3 = round64(v3, read64(b, i + 16));
      v4 = round64(v4, read64(b, i + 24));
    }
    h = (rotl64(v1, 1n) + rotl64(v2, 7n) + rotl64(v3, 12n) + rotl64(v4, 18n)) & MASK64;
    h = merge64(merge64(merge64(merge64(h, v1), v2), v3), v4);
  } else {
    h = (seed + P64_5) & MASK64;
  }
  h = (h + BigInt(len)) & MASK64;
  for (; i + 8 <= len; i += 8) h = (rotl64(h ^ round64(0n, read64(b, i)), 27n) * P64_1 + P64_4) & MASK64;
  if (i + 4 <= len) {
    h = (rotl64(h ^ ((BigInt(read32(b, i)) * P64_1) & MASK64), 23n) * P64_2 + P64_3) & MASK64;
    i += 4;
  }
  for (; i < len; i++) h = (rotl64(h ^ ((BigInt(b[i]) * P64_5) & MASK64), 11n) * P64_1) & MASK64;
  h ^= h >> 33n;
  h = (h * P64_2) & MASK64;
  h ^= h >> 29n;
  h = (h * P64_3) & MASK64;
  h ^= h >> 32n;
  return h;
}
