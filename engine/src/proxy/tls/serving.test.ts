/** The certificate a TLS proxy starts with: its files when the config names them, else a self-signed one. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { servingCertificate } from './serving.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgelab-serving-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('loads the configured files, writing nothing', async () => {
  const pair = await selfsigned.generate([{ name: 'commonName', value: 'example.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  });
  await writeFile(join(dir, 'c.pem'), pair.cert);
  await writeFile(join(dir, 'c.key'), pair.private);
  const certDir = join(dir, 'generated');
  const settings = { files: { cert: join(dir, 'c.pem'), key: join(dir, 'c.key') }, http2: true, redirectHttp: undefined };
  const served = await servingCertificate(settings, { nodeId: 'edge', now: Date.now(), certDir });
  expect(served).toMatchObject({ cert: pair.cert, key: pair.private, selfSigned: false, certFile: join(dir, 'c.pem') });
  expect(await readdir(dir)).toEqual(['c.key', 'c.pem']);
});

it('makes a self-signed certificate in the given folder without files', async () => {
  const settings = { files: undefined, http2: true, redirectHttp: undefined };
  const served = await servingCertificate(settings, { nodeId: 'edge', now: Date.now(), certDir: dir });
  expect(served).toMatchObject({ selfSigned: true, certFile: join(dir, 'edge.pem') });
});
