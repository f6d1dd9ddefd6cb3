#!/usr/bin/env node
// `npm test`: every suite, nothing skipped silently. Types (tsc and svelte-check), unit and
// integration tests (vitest), then the browser tests (Playwright) in Debian's Chromium, which is
// installed with apt-get when missing and we are root on Debian; anywhere else we stop with one line
// saying what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function ensureChromium() {
  if (existsSync(chromium)) return true;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (isRoot && isDebian && !process.env.CHROMIUM_PATH) {
    console.log('npm test: Chromium is missing; installing Debian\'s chromium with apt-get...');
    if (run('apt-get', ['update', '-qq']) === 0 && run('apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' }) === 0) {
      return existsSync(chromium);
    }
  }
  console.error(`npm test: browser tests need Chromium at ${chromium}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  return false;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
if (run('npm', ['run', '--silent', 'typecheck']) !== 0) process.exit(1);
if (run(npx, ['vitest', 'run']) !== 0) process.exit(1);
if (!ensureChromium()) process.exit(1);
process.exit(run(npx, ['playwright', 'test'], { CHROMIUM_PATH: chromium }));
