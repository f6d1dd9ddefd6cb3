/** Ahead-of-time variants of a built folder: only compressible files big enough, only when smaller. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { precompressFolder } from './precompress.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('precompressFolder', () => {
  it('writes .br and .gz beside compressible files of at least minSize, and they decode to the file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgelab-precompress-'));
    const script = Buffer.from('export const rows = [' + Array.from({ length: 400 }, (_, i) => `{ id: ${i}, name: "row ${i}" }`).join(',\n') + '];\n');
    const page = Buffer.from(`<!doctype html><title>lab</title>${'<p>edge</p>'.repeat(200)}`);
    // Random bytes never compress: no variant of them can be smaller.
    const random = randomBytes(4096);
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), page);
    await writeFile(path.join(dir, 'assets', 'app.js'), script);
    await writeFile(path.join(dir, 'assets', 'small.css'), 'body{margin:0}');
    await writeFile(path.join(dir, 'assets', 'logo.png'), random);
    // Incompressible content of a compressible type: no variant is kept, none being smaller.
    await writeFile(path.join(dir, 'assets', 'noise.txt'), random);

    const done = await precompressFolder(dir, 1024);

    expect(done.map((entry) => entry.file)).toEqual(['assets/app.js', 'assets/noise.txt', 'index.html']);
    const files = (await readdir(dir, { recursive: true })).map((file) => file.split(path.sep).join('/')).sort();
    expect(files).toEqual(['assets', 'assets/app.js', 'assets/app.js.br', 'assets/app.js.gz', 'assets/logo.png', 'assets/noise.txt', 'assets/small.css', 'index.html', 'index.html.br', 'index.html.gz']);
    expect(zlib.brotliDecompressSync(await readFile(path.join(dir, 'assets', 'app.js.br'))).equals(script)).toBe(true);
    expect(zlib.gunzipSync(await readFile(path.join(dir, 'index.html.gz'))).equals(page)).toBe(true);
    expect(done.find((entry) => entry.file === 'assets/noise.txt')?.variants).toEqual({});
  });

  it('by default even a small file gets its variants, when they are smaller', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgelab-precompress-'));
    await writeFile(path.join(dir, 'index.html'), `<!doctype html>${'<div id="app"></div>'.repeat(20)}`);
    await writeFile(path.join(dir, 'tiny.css'), 'a{}');
    const done = await precompressFolder(dir);
    expect(done.find((entry) => entry.file === 'index.html')?.variants).toMatchObject({ br: expect.any(Number), gzip: expect.any(Number) });
    expect(done.find((entry) => entry.file === 'tiny.css')?.variants).toEqual({});
  });

  it('run again, it reads the files and not the variants it wrote', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edgelab-precompress-'));
    await writeFile(path.join(dir, 'index.html'), 'x'.repeat(5000));
    await precompressFolder(dir);
    const again = await precompressFolder(dir);
    expect(again.map((entry) => entry.file)).toEqual(['index.html']);
  });
});
