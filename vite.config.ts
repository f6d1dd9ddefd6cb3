import type { Plugin, ProxyOptions } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { precompressFolder } from './engine/src/proxy/compression/precompress.ts';

/** The engine's control server; in production it serves web/dist on this same port. */
const ENGINE = 'http://127.0.0.1:8787';
const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const webRoot = fileURLToPath(new URL('./web', import.meta.url));

/**
 * `/api` through the dev server. It streams like Vite's plain string proxy (same http-proxy, same
 * `changeOrigin`), so Server-Sent Events pass unbuffered. One addition: the engine refuses writes
 * whose Origin is not its own, and the dev page's origin is the dev server's; a write from the dev
 * server's own page is re-labelled with the engine's origin. Any other origin passes unchanged and
 * is still refused.
 */
const apiProxy: ProxyOptions = {
  target: ENGINE,
  changeOrigin: true,
  configure(proxy) {
    proxy.on('proxyReq', (proxyReq, req) => {
      const { origin, host } = req.headers;
      if (origin !== undefined && origin === `http://${host}`) proxyReq.setHeader('origin', ENGINE);
    });
  },
};

/** After a build, brotli and gzip variants of the page's files for the engine to serve (engine/src/server.ts). */
const precompress: Plugin = {
  name: 'edgelab-precompress',
  apply: 'build',
  async closeBundle() {
    await precompressFolder(fileURLToPath(new URL('./web/dist', import.meta.url)));
  },
};

export default defineConfig({
  root: webRoot,
  // Keep Vite's and Vitest's caches in the repository's node_modules, not in web/.
  cacheDir: fileURLToPath(new URL('./node_modules/.vite', import.meta.url)),
  plugins: [svelte({ configFile: false }), precompress],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The config editor's chunk (CodeMirror and the config's JSON Schema, ~540 kB, ~150 kB compressed)
    // loads only when the editor first opens; the page's own chunk stays under 500 kB.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': apiProxy,
      '/metrics': ENGINE,
    },
  },
  test: {
    // Vite's root is web/; tests are found from the repository root.
    root: repoRoot,
    projects: [
      {
        test: {
          name: 'engine',
          include: ['engine/**/*.test.ts', 'lessons/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        plugins: [svelte({ configFile: false })],
        // Without the browser condition Svelte resolves to its server runtime in happy-dom.
        resolve: { conditions: ['module', 'browser', 'development|production'] },
        test: {
          name: 'web',
          include: ['web/src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
