/**
 * A scripted incident replayed headless: `edgelab run` on a config with a `scenario:`, twice, as a
 * user would run it (real child processes, real files). Both runs must tell the same story: the same
 * faults at the same times in the report, and outcome counts that agree within a stated tolerance.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { RunReport } from './summary.ts';

const BIN = fileURLToPath(new URL('../../bin/edgelab.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'edgelab-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 100 req/s for 2 s over two services; s1 answers 503 from 400 ms to 1.2 s: about 40 errors a run. */
const CONFIG = `version: 1
name: Scenario replay
nodes:
  - { id: edge, kind: proxy, to: lb }
  - { id: lb, kind: balancer, targets: [s1, s2] }
  - { id: s1, kind: service }
  - { id: s2, kind: service }
traffic:
  - { to: edge, rate: 100, clients: 4, paths: ["/x"] }
scenario:
  - { at: 400ms, for: 800ms, target: s1, type: errors, status: 503 }
  - { at: 0, for: 300ms, target: lb->s2, type: latency, ms: 5 }
`;

function run(report: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', 'scenario.yaml', '--duration', '2s', '--report', report], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('replays the same incident with the same outcome counts on repeated runs', async () => {
  writeFileSync(join(dir, 'scenario.yaml'), CONFIG);
  const runs = await Promise.all([run('a.json'), run('b.json')]);
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  expect(runs[0].stdout).toMatch(
    /faults:\n {2}f1 latency on lb->s2 \(scenario\[1\]\) 0\.\d s -> 0\.\d s, expired\n {2}f2 errors on s1 \(scenario\[0\]\) 0\.\d s -> 1\.\d s, expired/,
  );
  const reports = ['a.json', 'b.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunReport);
  for (const report of reports) {
    expect(report.faults.map((f) => [f.scenario, f.type, f.target, f.source, f.endReason])).toEqual([
      [1, 'latency', 'lb->s2', 'scenario', 'expired'],
      [0, 'errors', 's1', 'scenario', 'expired'],
    ]);
    const errors = report.faults[1];
    // Timers on a loaded machine fire late, never early: the window starts at 400 ms and lasts 800 ms.
    expect(errors.startMs).toBeGreaterThanOrEqual(390);
    expect(errors.endMs! - errors.startMs).toBeGreaterThanOrEqual(790);
    expect(report.nodes.s1.errorCodes.FAULT_INJECTED_ERROR).toBe(report.nodes.s1.statusClasses['5xx']);
  }
  const [a, b] = reports.map((r) => ({ ok: r.traffic.statusClasses['2xx'] ?? 0, failed: r.traffic.statusClasses['5xx'] ?? 0 }));
  // About 200 requests, 40 of them failed. The generator holds its rate, but on a shared 2-core machine
  // two runs can drift by a tenth of their requests, and the 5xx share by a few points: allow 25% of
  // the failures (at least 10) and 20% of the successes (at least 20).
  expect(a.failed).toBeGreaterThan(15);
  expect(b.failed).toBeGreaterThan(15);
  expect(Math.abs(a.failed - b.failed)).toBeLessThanOrEqual(Math.max(10, 0.25 * Math.max(a.failed, b.failed)));
  expect(Math.abs(a.ok - b.ok)).toBeLessThanOrEqual(Math.max(20, 0.2 * Math.max(a.ok, b.ok)));
}, 20_000);
