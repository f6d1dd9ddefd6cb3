/**
 * Starts one system under test as a child process pinned to the SUT core, waits for its READY line,
 * and stops it by pid at the end. Also reads the child's CPU time from /proc, so a run can say how much
 * of its core the SUT really got on a shared machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { READY, UNAVAILABLE } from '../sut/protocol.mjs';
import { SUT_CORE, pinned } from './pinning.mjs';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const CLOCK_TICKS_PER_SECOND = 100;

/** Every child still running, so an interrupted harness can stop them on the way out. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A case a child cannot run: the harness skips it and prints the reason. */
export class CaseUnavailable extends Error {}

/**
 * `entry` is a file in bench/sut/, `nodeArgs` go before it (e.g. `--import tsx`), `args` after it.
 * Resolves to { info, pid, stop() } once the child printed READY.
 */
export function startSut({ entry, nodeArgs = [], args = [], pinning }) {
  const file = fileURLToPath(new URL(`../sut/${entry}`, import.meta.url));
  const [command, argv] = pinned(pinning, SUT_CORE, process.execPath, [...nodeArgs, file, ...args]);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));

  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`${entry} ${args.join(' ')} did not get ready in ${START_TIMEOUT_MS} ms\n${err}`)),
      START_TIMEOUT_MS,
    );
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      const unavailable = lines.find((l) => l.startsWith(UNAVAILABLE));
      if (unavailable) return fail(new CaseUnavailable(unavailable.slice(UNAVAILABLE.length)));
      const ready = lines.find((l) => l.startsWith(READY));
      if (!ready) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ info: JSON.parse(ready.slice(READY.length)), pid: child.pid, stop: () => stop(child), stderr: () => err });
    });
    child.on('close', (code) => fail(new Error(`${entry} ${args.join(' ')} exited with ${code} before it was ready\n${err.trim()}`)));
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** User plus system CPU seconds used so far by process `pid` (all its threads), from /proc/PID/stat. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
