/**
 * Harness side of the SSE client (sse-client.mjs): starts it on the load core, waits until the stream
 * is open, and brackets the measured run with `mark` and `report`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOAD_CORE, pinned } from './pinning.mjs';

const CLIENT = fileURLToPath(new URL('./sse-client.mjs', import.meta.url));
const CONNECT_TIMEOUT_MS = 5_000;

export function attachSseClient({ url, pinning }) {
  const child = spawn(...pinned(pinning, LOAD_CORE, process.execPath, [CLIENT, url]), { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = [];
  child.stdout.setEncoding('utf8');
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => {
    out += d;
    for (const waiter of [...waiters]) waiter();
  });
  const lineStartingWith = (prefix) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`SSE client: no "${prefix}" within ${CONNECT_TIMEOUT_MS} ms\n${err}`)),
        CONNECT_TIMEOUT_MS,
      );
      const check = () => {
        const line = out.split('\n').find((l) => l.startsWith(prefix));
        if (!line) return;
        out = out.slice(out.indexOf(line) + line.length + 1);
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve(line.slice(prefix.length));
      };
      waiters.push(check);
      child.once('close', () => reject(new Error(`SSE client exited: ${err.trim()}`)));
      check();
    });

  const client = {
    mark: () => child.stdin.write('mark\n'),
    report: async () => {
      child.stdin.write('report\n');
      return JSON.parse(await lineStartingWith('REPORT '));
    },
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', resolve);
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      }),
  };
  return lineStartingWith('CONNECTED').then(() => client);
}
