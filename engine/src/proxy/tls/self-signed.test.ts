/**
 * `tls: true`: an EC P-256 certificate for localhost, 127.0.0.1 and ::1, valid for a short time, its
 * SHA-256 fingerprint the one X509Certificate reports, its certificate (never its key) in a file that
 * a client can trust, replaced whole at every start.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CERT_DIR, generateSelfSigned, SELF_SIGNED_VALIDITY_MS } from './self-signed.ts';

// Certificates keep whole seconds: a clock on a second makes the validity exact.
const NOW = Date.UTC(2026, 11, 6, 17, 0, 0);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-self-signed-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateSelfSigned', () => {
  it('makes an EC P-256 certificate for localhost, 127.0.0.1 and ::1, valid from a minute ago for a week', async () => {
    const made = await generateSelfSigned({ nodeId: 'edge', now: NOW, dir });
    const x509 = new X509Certificate(made.cert);
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
    expect(x509.ca).toBe(false);
    expect(new Date(x509.validFrom).getTime()).toBe(NOW - 60_000);
    expect(new Date(x509.validTo).getTime()).toBe(NOW + SELF_SIGNED_VALIDITY_MS);
    expect(SELF_SIGNED_VALIDITY_MS).toBe(7 * 86_400_000);
    const key = createPrivateKey(made.key);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.checkPrivateKey(key)).toBe(true);
    expect(made).toMatchObject({ selfSigned: true, warnings: [], validFrom: new Date(NOW - 60_000) });
  });

  it('reports the SHA-256 fingerprint X509Certificate reports', async () => {
    const made = await generateSelfSigned({ nodeId: 'edge', now: NOW, dir });
    expect(made.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(made.fingerprint256).toBe(new X509Certificate(made.cert).fingerprint256);
  });

  it('writes the certificate, and only it, to <dir>/<node>.pem, not writable by others', async () => {
    const made = await generateSelfSigned({ nodeId: 'edge', now: NOW, dir });
    expect(made.certFile).toBe(join(dir, 'edge.pem'));
    expect(await readFile(made.certFile, 'utf8')).toBe(made.cert);
    expect(await readdir(dir)).toEqual(['edge.pem']);
    expect((await stat(made.certFile)).mode & 0o022).toBe(0);
  });

  it('replaces the file whole at the next start, with a new certificate, and makes its folder', async () => {
    const nested = join(dir, 'a', 'b');
    const first = await generateSelfSigned({ nodeId: 'edge', now: NOW, dir: nested });
    const second = await generateSelfSigned({ nodeId: 'edge', now: NOW + 1000, dir: nested });
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    expect(await readFile(join(nested, 'edge.pem'), 'utf8')).toBe(second.cert);
    expect(await readdir(nested)).toEqual(['edge.pem']);
  });

  it('defaults to a folder under the OS temp dir', () => {
    expect(DEFAULT_CERT_DIR).toBe(join(tmpdir(), 'edgelab-tls'));
  });
});
