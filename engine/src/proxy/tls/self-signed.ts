/**
 * The certificate a TLS proxy makes for itself at start (`tls: true`): EC P-256, signed with SHA-256,
 * valid for localhost, 127.0.0.1 and ::1, for a short time (a lab run, not a deployment; a new one at
 * every start). Its certificate is written to a file a client can trust (`curl --cacert FILE`), by a
 * rename so a reader never sees half a file; the key stays in memory and is never written.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { describe, type ServingCertificate } from './certificate.ts';

/** Where generated certificates go unless told otherwise: `$TMPDIR/edgelab-tls/<node>.pem`. */
export const DEFAULT_CERT_DIR = join(tmpdir(), 'edgelab-tls');

/** A week: longer than a lab session, short enough that a copied certificate soon stops being trusted. */
export const SELF_SIGNED_VALIDITY_MS = 7 * 24 * 3_600_000;

/** Backdated a little, so a client whose clock is slightly behind still takes it. */
const CLOCK_SKEW_MS = 60_000;

export interface SelfSignedOptions {
  /** The node it is for: the file is `<dir>/<nodeId>.pem`. */
  nodeId: string;
  /** Now, in ms since the epoch: the certificate is valid from a minute before. */
  now: number;
  dir?: string;
  validForMs?: number;
}

export async function generateSelfSigned(options: SelfSignedOptions): Promise<ServingCertificate> {
  const { nodeId, now, dir = DEFAULT_CERT_DIR, validForMs = SELF_SIGNED_VALIDITY_MS } = options;
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - CLOCK_SKEW_MS),
    notAfterDate: new Date(now + validForMs),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const certFile = join(dir, `${nodeId}.pem`);
  await writeAtomically(certFile, pems.cert);
  return describe(new X509Certificate(pems.cert), { cert: pems.cert, key: pems.private, certFile, selfSigned: true }, now);
}

/** Write through a temporary file and a rename: a reader sees the old file or the new one, never a part. */
async function writeAtomically(file: string, contents: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, contents, { flag: 'wx', mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
