/**
 * The certificate a TLS proxy serves, loaded from the files its config names (`tls: { cert, key }`)
 * and checked before the node listens, so a bad file is an error naming its field at start instead of
 * a handshake that fails later: unreadable, not PEM, not a certificate or key, or a key that is not
 * the certificate's own. A certificate outside its validity period is only a warning: nginx, HAProxy
 * and Envoy all serve an expired certificate as it is (the client decides), and a lab's clock or a
 * learner's test certificate should not stop the node; the warning says what clients will do.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { InputError } from '../../errors.ts';

/** What the TLS listener serves and the lab shows about it. */
export interface ServingCertificate {
  /** The certificate in PEM, the leaf first (then its chain, when the file has one). */
  cert: string;
  /** The private key in PEM (held in memory; a generated one is never written anywhere). */
  key: string;
  /** SHA-256 of the leaf certificate's DER, as `AB:CD:...` (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint256: string;
  /** The names it is valid for, as X509Certificate reports them: `DNS:localhost, IP Address:127.0.0.1`. */
  subjectAltName: string | undefined;
  validFrom: Date;
  validTo: Date;
  /** A file holding the certificate, for a client to trust (`curl --cacert FILE`). */
  certFile: string;
  selfSigned: boolean;
  /** Problems that do not stop the node (the certificate expired or is not valid yet), each naming its field. */
  warnings: string[];
}

/** The certificate and key files a config names, as `tls.cert` and `tls.key`. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** A certificate chain is a few KB; a file far larger than this is not one. */
const MAX_PEM_BYTES = 1_048_576;

/**
 * Load and check the files; `now` (ms since the epoch) is the time validity is judged at. Rejects with
 * an InputError whose path is `tls.cert` or `tls.key`.
 */
export async function loadCertificate(files: CertificateFiles, now: number): Promise<ServingCertificate> {
  const certPem = await readPem(files.cert, 'tls.cert');
  const keyPem = await readPem(files.key, 'tls.key');
  const leaf = parseCertificate(certPem, files.cert, 'tls.cert');
  const key = parseKey(keyPem, files.key);
  if (!leaf.checkPrivateKey(key)) {
    throw new InputError('tls.key', `${files.key} is not the key of the certificate in ${files.cert} (its public key is another one)`);
  }
  checkServable(certPem, keyPem, files.cert);
  return describe(leaf, { cert: certPem, key: keyPem, certFile: files.cert, selfSigned: false }, now);
}

/** The certificate's facts the lab shows, with the validity warnings at `now`. */
export function describe(
  leaf: X509Certificate,
  pems: { cert: string; key: string; certFile: string; selfSigned: boolean },
  now: number,
): ServingCertificate {
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  return {
    ...pems,
    fingerprint256: leaf.fingerprint256,
    subjectAltName: leaf.subjectAltName,
    validFrom,
    validTo,
    warnings: validityWarnings(validFrom, validTo, pems.certFile, now),
  };
}

function validityWarnings(validFrom: Date, validTo: Date, file: string, now: number): string[] {
  if (now > validTo.getTime()) {
    return [`tls.cert: ${file} expired at ${validTo.toISOString()}: clients that check it refuse the connection`];
  }
  if (now < validFrom.getTime()) {
    return [`tls.cert: ${file} is not valid until ${validFrom.toISOString()}: clients that check it refuse the connection`];
  }
  return [];
}

async function readPem(file: string, field: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(field, `${file} is not a file`);
    if (info.size > MAX_PEM_BYTES)
      throw new InputError(field, `${file} is ${info.size} bytes, too large for a PEM file (at most ${MAX_PEM_BYTES})`);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(field, `cannot read ${file}: ${readProblem(error as NodeJS.ErrnoException)}`);
  }
}

function readProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${error.code})`;
    default:
      return error.code ?? error.message;
  }
}

const CERTIFICATE_BLOCK = '-----BEGIN CERTIFICATE-----';

/** The leaf (first) certificate of a PEM file. */
export function parseCertificate(pem: string, file: string, field: string): X509Certificate {
  if (!pem.includes(CERTIFICATE_BLOCK)) {
    const found = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/)?.[1];
    throw new InputError(
      field,
      `${file} is not a PEM certificate: expected ${CERTIFICATE_BLOCK}, ${found ? `found a ${found} block` : 'found no PEM block'}`,
    );
  }
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new InputError(field, `${file} holds a CERTIFICATE block that does not parse: ${(error as Error).message}`);
  }
}

/**
 * What OpenSSL itself refuses to serve, said before the node listens: a key below its security level
 * (an RSA key of 512 bits, a 112-bit curve) failed the listener with only `ee key too small`, after a
 * redirect port had already been opened.
 */
function checkServable(cert: string, key: string, file: string): void {
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const { reason, message } = error as Error & { reason?: string };
    const why =
      reason === 'ee key too small'
        ? `its key is too small for OpenSSL's security level (${reason}): use RSA of 2048 bits or more, or an EC key on P-256`
        : (reason ?? message);
    throw new InputError('tls.cert', `${file} cannot be served: ${why}`);
  }
}

function parseKey(pem: string, file: string): KeyObject {
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem)) {
    const found = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/)?.[1];
    throw new InputError(
      'tls.key',
      `${file} is not a PEM private key: expected -----BEGIN PRIVATE KEY----- (or EC / RSA PRIVATE KEY), ${found ? `found a ${found} block` : 'found no PEM block'}`,
    );
  }
  if (pem.includes('ENCRYPTED')) throw new InputError('tls.key', `${file} is encrypted: give the key unencrypted (no passphrase)`);
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new InputError('tls.key', `${file} holds a private key that does not parse: ${(error as Error).message}`);
  }
}
