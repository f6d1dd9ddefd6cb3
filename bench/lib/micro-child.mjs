/**
 * The loop-timing cases (`pickers`, `limiters`) measure in child processes under tsx, one after the
 * other, each pinned to the SUT core as the harness pins every system under test. A child prints one
 * line `RESULT {json}`, or `UNAVAILABLE <reason>` (the case is then skipped with that reason).
 */
import { spawn } from 'node:child_process';
import { pinned, SUT_CORE } from './pinning.mjs';
import { CaseUnavailable } from './sut.mjs';
import { UNAVAILABLE } from '../sut/protocol.mjs';

const TSX = import.meta.resolve('tsx');
const RESULT = 'RESULT ';

/** Children still running, so an interrupted harness stops them on the way out. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Run `node [nodeArgs] --import tsx CHILD args` pinned; resolves to the child's RESULT object. */
export function runMicroChild({ name, child, args, pinning, nodeArgs = [], timeoutMs = 180_000 }) {
  const [command, argv] = pinned(pinning, SUT_CORE, process.execPath, [...nodeArgs, '--import', TSX, child, ...args]);
  return new Promise((resolve, reject) => {
    const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} child ${args.join(' ')} did not finish in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      running.delete(proc);
      const lines = out.split('\n');
      const unavailable = lines.find((l) => l.startsWith(UNAVAILABLE));
      if (unavailable) return reject(new CaseUnavailable(unavailable.slice(UNAVAILABLE.length)));
      const line = lines.find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) return reject(new Error(`${name} child ${args.join(' ')} exited with ${code}\n${err.trim() || out.trim()}`));
      resolve(JSON.parse(line.slice(RESULT.length)));
    });
  });
}
