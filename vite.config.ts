import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

/** The engine's control server; in production it serves web/dist on this same port. */
const ENGINE = 'http://127.0.0.1:8787';
const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const webRoot = fileURLToPath(new URL('./web', import.meta.url));

export default defineConfig({
  root: webRoot,
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // Plain string proxies: Vite streams Server-Sent Events through them unbuffered.
    proxy: {
      '/api': ENGINE,
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
        plugins: [svelte()],
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
