/**
 * The load generators: wrk when installed (C, one thread never saturates on our machines), else
 * autocannon in its own process. Each run is closed-loop with keep-alive connections and returns the
 * same shape: requests per second, p50/p99 latency in ms, and error counts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { LOAD_CORE, pinned } from './pinning.mjs';

const WRK_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** `preferred`: 'wrk', 'autocannon' or undefined (wrk if installed). */
export function pickLoadGenerator(preferred) {
  const wrk = spawnSync('wrk', ['--version']);
  const wrkVersion = wrk.error ? undefined : `${wrk.stdout}${wrk.stderr}`.split('\n')[0].split(' Copyright')[0].trim();
  if (preferred === 'wrk' && !wrkVersion) throw new Error('--loadgen wrk: wrk is not installed');
  if (preferred !== 'autocannon' && wrkVersion) return { name: 'wrk', version: wrkVersion, run: runWrk };
  const { version } = createRequire(import.meta.url)('autocannon/package.json');
  return { name: 'autocannon', version: `autocannon ${version}`, run: runAutocannon };
}

/** Each request header as the load generators' `-H name: value` arguments. */
function headerArgs(headers = {}) {
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

/**
 * One closed-loop run of `seconds` against `url`, each request with `headers` (an object) if given;
 * resolves to { rps, p50Ms, p99Ms, requests, errors }.
 */
async function runWrk({ url, seconds, connections, pinning, headers }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', ...headerArgs(headers), '-s', WRK_SCRIPT, url];
  const out = await capture(...pinned(pinning, LOAD_CORE, 'wrk', args));
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no report:\n${out}`);
  const r = JSON.parse(line.slice('WRK_JSON '.length));
  const errors = r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout;
  return {
    rps: r.requests / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    requests: r.requests,
    errors,
    non2xx: r.errors.status,
  };
}

async function runAutocannon({ url, seconds, connections, pinning, headers }) {
  const args = [AUTOCANNON, '-c', String(connections), '-d', String(seconds), ...headerArgs(headers), '-j', url];
  const out = await capture(...pinned(pinning, LOAD_CORE, process.execPath, args));
  const r = JSON.parse(out.trim().split('\n').at(-1));
  return {
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

function capture(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}: ${err || out}`))));
  });
}
