import { describe, expect, it } from 'vitest';
import { CRC32_INIT, crc32, crc32Final, crc32Update, crc32UpdateUint32LE, utf8, xxHash32, xxHash64 } from './hashing.ts';

describe('crc32', () => {
  // The check value of CRC-32/ISO-HDLC, and values zlib.crc32 gives for the same bytes.
  it.each([
    ['123456789', 0xcbf43926],
    ['', 0],
    ['a', 0xe8b7be43],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
    ['alice', 0x278ebc47],
  ])('crc32(%j) = %i', (input, expected) => {
    expect(crc32(input)).toBe(expected);
  });

  it('gives the same checksum fed in pieces as in one go', () => {
    const whole = crc32('127.0.0.1\u00009001');
    const pieces = crc32Final(crc32Update(crc32Update(crc32Update(CRC32_INIT, '127.0.0.1'), new Uint8Array(1)), '9001'));
    expect(pieces).toBe(whole);
  });

  it('feeds a 32-bit value as four little-endian bytes', () => {
    const state = crc32Update(CRC32_INIT, 'x');
    expect(crc32UpdateUint32LE(state, 0x70533e04)).toBe(crc32Update(state, new Uint8Array([0x04, 0x3e, 0x53, 0x70])));
  });

  it('hashes strings as UTF-8', () => {
    expect(crc32('é')).toBe(crc32(new Uint8Array([0xc3, 0xa9])));
    expect([...utf8('é')]).toEqual([0xc3, 0xa9]);
  });
});

describe('xxHash', () => {
  // Expected values from the reference C library (libxxhash 0.8.1, XXH32 and XXH64); the seed-0 XXH64
  // values for "foo" and "" are also the ones Envoy's own hash test asserts for HashUtil::xxHash64.
  // The 39-byte string runs the 16- and 32-byte stripe loops.
  it.each([
    ['', 0x02cc5d05, 17241709254077376921n, 15397730242686860875n],
    ['foo', 0xe20f0dd9, 3728699739546630719n, 14071536367944281277n],
    ['abc', 0x32d153ff, 4952883123889572249n, 13738734796240226568n],
    ['127.0.0.1:9001', 0xf5400b72, 6534431617916097042n, 29774846528209005n],
    ['Nobody inspects the spammish repetition', 0xe2293b2f, 18144624926692707313n, 4896579671221947830n],
  ])('%j: XXH32 %i, XXH64 %s, XXH64 seed 1 %s', (input, h32, h64, h64seed1) => {
    expect(xxHash32(input)).toBe(h32);
    expect(xxHash64(input)).toBe(h64);
    expect(xxHash64(input, 1n)).toBe(h64seed1);
  });
});
