import { defineConfig } from '@playwright/test';

/**
 * Browser tests in Debian's Chromium (never a downloaded browser), against the production build
 * served by the engine itself, on its own port and a sandbox on free ports.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const LAB_PORT = Number(process.env.E2E_PORT ?? 8799);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${LAB_PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
    trace: 'off',
  },
  webServer: {
    command: `npm run build --silent && exec node engine/bin/edgelab.mjs serve e2e/sandbox.yaml --port ${LAB_PORT}`,
    url: `http://127.0.0.1:${LAB_PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
