/**
 * Compress a built folder ahead of time (the lab page's web/dist, from the Vite build): beside each
 * compressible file of at least `minSize` bytes, `NAME.br` and `NAME.gz`, each kept only when smaller
 * than the file. Done once per build, so at the highest settings (brotli 11, gzip 9) that live traffic
 * could never afford, and by default for files of any size: no request pays for it, so even a small
 * index.html gains. The control server's static handler (sirv) serves these variants; the coding is
 * chosen by this folder's negotiation (accept-encoding.ts).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DEFAULT_COMPRESSIBLE_TYPES, MediaTypeSet } from './media-types.ts';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The media types of the files a web build holds, by extension (what sirv's lookup would answer). */
const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

/** What one file got. */
export interface Precompressed {
  /** The file's path relative to the folder, with `/` separators. */
  readonly file: string;
  readonly size: number;
  /** The variants written, with their sizes. */
  readonly variants: Partial<Record<'br' | 'gzip', number>>;
}

/** Write the variants of every compressible file under `dir`; resolves to what was written. */
export async function precompressFolder(dir: string, minSize = 0): Promise<Precompressed[]> {
  const types = new MediaTypeSet(DEFAULT_COMPRESSIBLE_TYPES);
  const done: Precompressed[] = [];
  for (const file of await filesUnder(dir)) {
    const type = TYPE_BY_EXTENSION[path.extname(file).toLowerCase()];
    if (type === undefined || !types.has(type)) continue;
    const full = path.join(dir, file);
    const { size } = await stat(full);
    if (size < minSize) continue;
    const body = await readFile(full);
    const [br, gz] = await Promise.all([
      brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size } }),
      gzip(body, { level: 9 }),
    ]);
    const variants: Precompressed['variants'] = {};
    if (br.length < size) {
      await writeFile(`${full}.br`, br);
      variants.br = br.length;
    }
    if (gz.length < size) {
      await writeFile(`${full}.gz`, gz);
      variants.gzip = gz.length;
    }
    done.push({ file: file.split(path.sep).join('/'), size, variants });
  }
  return done;
}

/** Every file under `dir`, relative to it, leaving out variants written before (`.br`, `.gz`). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.br') && !entry.name.endsWith('.gz'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
