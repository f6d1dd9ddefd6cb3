/**
 * Loading `tls: { cert, key }`: a good pair loads with its facts; every bad file is an error naming its
 * field and saying what is wrong; a certificate outside its validity period loads with a warning.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../errors.ts';
import { loadCertificate } from './certificate.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 86_400_000;

let dir: string;
const file = (name: string) => join(dir, name);

async function makePair(from: number, to: number) {
  return selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(from),
    notAfterDate: new Date(to),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-cert-test-'));
  const good = await makePair(NOW - DAY, NOW + DAY);
  const other = await makePair(NOW - DAY, NOW + DAY);
  const expired = await makePair(NOW - 10 * DAY, NOW - DAY);
  const future = await makePair(NOW + DAY, NOW + 10 * DAY);
  const encrypted = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    passphrase: 'secret',
  });
  const weak = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 512, algorithm: 'sha256' });
  const body = good.cert.split('\n').slice(1, -2).join('\n');
  await Promise.all([
    writeFile(file('good.pem'), good.cert),
    writeFile(file('good.key'), good.private),
    writeFile(file('other.key'), other.private),
    writeFile(file('expired.pem'), expired.cert),
    writeFile(file('expired.key'), expired.private),
    writeFile(file('future.pem'), future.cert),
    writeFile(file('future.key'), future.private),
    writeFile(file('encrypted.key'), encrypted.private),
    writeFile(file('weak.pem'), weak.cert),
    writeFile(file('weak.key'), weak.private),
    writeFile(file('text.pem'), 'hello, not a certificate\n'),
    writeFile(file('broken.pem'), `-----BEGIN CERTIFICATE-----\n${body.slice(0, 40)}AAAA\n-----END CERTIFICATE-----\n`),
    writeFile(file('huge.pem'), Buffer.alloc(1_048_577, 65)),
    mkdir(file('folder.pem')),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = (cert: string, key: string) => loadCertificate({ cert: file(cert), key: file(key) }, NOW);

describe('loadCertificate', () => {
  it('loads a matching pair, with its SHA-256 fingerprint as X509Certificate reports it', async () => {
    const loaded = await load('good.pem', 'good.key');
    const x509 = new X509Certificate(loaded.cert);
    expect(loaded.fingerprint256).toBe(x509.fingerprint256);
    const der = createHash('sha256').update(x509.raw).digest('hex').toUpperCase();
    expect(loaded.fingerprint256.replaceAll(':', '')).toBe(der);
    expect(loaded).toMatchObject({
      certFile: file('good.pem'),
      selfSigned: false,
      subjectAltName: 'DNS:localhost',
      validFrom: new Date(NOW - DAY),
      validTo: new Date(NOW + DAY),
      warnings: [],
    });
  });

  it.each<[string, string, string, string]>([
    ['a missing certificate', 'missing.pem', 'good.key', 'tls.cert: cannot read DIR/missing.pem: no such file (ENOENT)'],
    ['a missing key', 'good.pem', 'missing.key', 'tls.key: cannot read DIR/missing.key: no such file (ENOENT)'],
    ['a folder for a certificate', 'folder.pem', 'good.key', 'tls.cert: DIR/folder.pem is not a file'],
    ['a file far too large', 'huge.pem', 'good.key', 'tls.cert: DIR/huge.pem is 1048577 bytes, too large for a PEM file (at most 1048576)'],
    [
      'text that is not PEM',
      'text.pem',
      'good.key',
      'tls.cert: DIR/text.pem is not a PEM certificate: expected -----BEGIN CERTIFICATE-----, found no PEM block',
    ],
    [
      'the key given as the certificate',
      'good.key',
      'good.key',
      'tls.cert: DIR/good.key is not a PEM certificate: expected -----BEGIN CERTIFICATE-----, found a PRIVATE KEY block',
    ],
    [
      'the certificate given as the key',
      'good.pem',
      'good.pem',
      'tls.key: DIR/good.pem is not a PEM private key: expected -----BEGIN PRIVATE KEY----- (or EC / RSA PRIVATE KEY), found a CERTIFICATE block',
    ],
    ['an encrypted key', 'good.pem', 'encrypted.key', 'tls.key: DIR/encrypted.key is encrypted: give the key unencrypted (no passphrase)'],
    [
      'a key that is not the certificate’s',
      'good.pem',
      'other.key',
      'tls.key: DIR/other.key is not the key of the certificate in DIR/good.pem (its public key is another one)',
    ],
    [
      'a key OpenSSL refuses to serve',
      'weak.pem',
      'weak.key',
      "tls.cert: DIR/weak.pem cannot be served: its key is too small for OpenSSL's security level (ee key too small): use RSA of 2048 bits or more, or an EC key on P-256",
    ],
  ])('refuses %s, naming the field', async (_what, cert, key, message) => {
    const error = await load(cert, key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.replaceAll(dir, 'DIR')).toBe(message);
  });

  it('refuses a CERTIFICATE block that does not parse', async () => {
    const error = await load('broken.pem', 'good.key').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).path).toBe('tls.cert');
    expect((error as Error).message.replaceAll(dir, 'DIR')).toMatch(
      /^tls\.cert: DIR\/broken\.pem holds a CERTIFICATE block that does not parse: /,
    );
  });

  it.each<[string, string, string]>([
    [
      'expired',
      'expired',
      `tls.cert: DIR/expired.pem expired at ${new Date(NOW - DAY).toISOString()}: clients that check it refuse the connection`,
    ],
    [
      'not valid yet',
      'future',
      `tls.cert: DIR/future.pem is not valid until ${new Date(NOW + DAY).toISOString()}: clients that check it refuse the connection`,
    ],
  ])('loads a certificate that is %s, with a warning (as nginx, HAProxy and Envoy serve it)', async (_what, name, warning) => {
    const loaded = await load(`${name}.pem`, `${name}.key`);
    expect(loaded.warnings.map((w) => w.replaceAll(dir, 'DIR'))).toEqual([warning]);
  });
});
