/**
 * The verification keys a gateway's JWT settings name, checked when the config is read: a PEM public
 * key, or a JSON Web Key Set (RFC 7517 section 5) from a file. Only public keys are taken: a private
 * key does not belong in a config, and a shared secret (`kty: oct`) in a key set would let an HMAC
 * token be checked against a key meant for signatures (key confusion). Each function answers a
 * problem sentence instead of throwing, so the config names it at its path.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JSONWebKeySet, JWK } from 'jose';
import { keyMismatch, type JwtAlgorithm } from './algorithms.ts';

/** A key set file larger than this is refused before it is read: 100 RSA-4096 keys take about 100 KB. */
export const MAX_KEY_SET_BYTES = 1_048_576;
/** Keys in one set: the verifier picks among them by `kid`, and a lab needs a few for rotation. */
export const MAX_KEY_SET_KEYS = 100;

/** JWK members that only a private or secret key has (RFC 7518 sections 6.2.2, 6.3.2, 6.4.1). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The public key a PEM text holds (SPKI, PKCS#1 or an X.509 certificate), or why it holds none. */
export function parsePublicKey(pem: string): Checked<KeyObject> {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return { ok: false, problem: 'this is a private key: a config holds only the public key (openssl pkey -in key.pem -pubout)' };
  }
  try {
    return { ok: true, value: createPublicKey(pem) };
  } catch {
    return { ok: false, problem: 'not a PEM public key (expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)' };
  }
}

/** A JSON Web Key Set of public RSA and EC keys, each importable, kids unique. */
export function checkKeySet(value: unknown): Checked<JSONWebKeySet> {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (value === null || typeof value !== 'object' || !Array.isArray(keys)) {
    return { ok: false, problem: 'not a JSON Web Key Set: expected { "keys": [...] }' };
  }
  if (keys.length === 0) return { ok: false, problem: 'the key set holds no keys' };
  if (keys.length > MAX_KEY_SET_KEYS) return { ok: false, problem: `the key set holds ${keys.length} keys; at most ${MAX_KEY_SET_KEYS}` };
  const kids = new Set<string>();
  for (const [i, jwk] of keys.entries()) {
    const problem = jwkProblem(jwk, kids);
    if (problem) return { ok: false, problem: `keys[${i}]: ${problem}` };
  }
  return { ok: true, value: value as JSONWebKeySet };
}

function jwkProblem(jwk: unknown, kids: Set<string>): string | undefined {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return 'not a JSON Web Key';
  const { kty, kid } = jwk as JWK;
  if (kty === 'oct') return 'a shared secret (kty oct) has no place in a key set of public keys; HMAC takes credentials.jwt.secret';
  if (kty !== 'RSA' && kty !== 'EC') return `kty ${JSON.stringify(kty)}: expected RSA or EC`;
  const secret = PRIVATE_MEMBERS.find((member) => Object.hasOwn(jwk, member));
  if (secret) return `holds the private member "${secret}": a key set holds public keys only`;
  if (kid !== undefined) {
    if (typeof kid !== 'string') return 'kid must be a string';
    if (kids.has(kid)) return `kid "${kid}" is used twice`;
    kids.add(kid);
  }
  try {
    createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' });
  } catch {
    return `not a valid ${kty} key`;
  }
  return undefined;
}

/** A key set from a file, relative to the process's working directory or absolute. */
export function readKeySetFile(file: string): Checked<JSONWebKeySet> {
  const path = resolve(file);
  const read = readSmallFile(path, MAX_KEY_SET_BYTES, 'a key set');
  if (!read.ok) return read;
  let json: unknown;
  try {
    json = JSON.parse(read.value);
  } catch {
    // The text itself is never echoed: the file may hold anything.
    return { ok: false, problem: `${path} is not JSON` };
  }
  const checked = checkKeySet(json);
  return checked.ok ? checked : { ok: false, problem: `${path}: ${checked.problem}` };
}

/**
 * The text of a file a config or a flag names (`what` it should be: "a key set"). Only a regular file
 * is read, and at most `limit` bytes of it: the config is checked synchronously, so /dev/zero (read
 * until memory ran out) or a FIFO (a read that waits for a writer forever) would stall the whole lab.
 */
export function readSmallFile(path: string, limit: number, what: string): Checked<string> {
  try {
    const info = statSync(path);
    if (info.isDirectory()) return { ok: false, problem: `cannot read ${path}: is a directory` };
    if (!info.isFile()) return { ok: false, problem: `${path} is not a regular file (a device, a FIFO or a socket): ${what} is a file` };
    // The file may have grown since it was looked at.
    const text = info.size > limit ? undefined : readAtMost(path, limit);
    if (text === undefined) return { ok: false, problem: `${path} holds more than ${limit} bytes; ${what} may hold at most that` };
    return { ok: true, value: text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code}` };
  }
}

/** The file's text when it holds at most `limit` bytes, else undefined. */
function readAtMost(path: string, limit: number): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(limit + 1);
    let size = 0;
    for (;;) {
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) return buffer.toString('utf8', 0, size);
      size += read;
      if (size > limit) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether some key of the set can verify `algorithm` (its type fits, and its `alg`, when given, is that one). */
export function keySetVerifies(keySet: JSONWebKeySet, algorithm: JwtAlgorithm): boolean {
  return keySet.keys.some(
    (jwk) =>
      (jwk.alg === undefined || jwk.alg === algorithm) &&
      keyMismatch(createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' }), algorithm) === undefined,
  );
}
