/** The `edgelab` command as a user runs it: a real child process, real files, real exit codes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startControlServer } from '../server.ts';
import { startEngine } from '../testing/harness.ts';
import { MAX_CONFIG_FILE_BYTES } from './load-config.ts';

const BIN = fileURLToPath(new URL('../../bin/edgelab.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'edgelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `interruptWhen`: send SIGINT (Ctrl-C) once stderr shows this, e.g. the first progress line. */
function edgelab(args: string[], options: { interruptWhen?: RegExp } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    let interrupted = false;
    child.stderr.on('data', (c) => {
      stderr += c;
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** A small sandbox on free ports, fast enough for a test. */
const sandbox = (rate = 40) => `version: 1
name: CLI sandbox
nodes:
  - { id: edge, kind: proxy, to: lb }
  - { id: lb, kind: balancer, targets: [s1, s2] }
  - { id: s1, kind: service, latency: 2ms }
  - { id: s2, kind: service, latency: 2ms }
traffic:
  - { to: edge, rate: ${rate}, clients: 3, paths: ["/users/{1..5}"] }
`;

describe('edgelab validate', () => {
  it('exits 0 for a valid config', async () => {
    const ran = await edgelab(['validate', write('ok.yaml', sandbox())]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('valid ("CLI sandbox", 4 nodes, 1 traffic flow)');
    const one = await edgelab(['validate', write('one.yaml', 'version: 1\nname: One\nnodes: [{ id: s, kind: service }]\ntraffic: [{ to: s, rate: 1 }]\n')]);
    expect(one.stdout).toContain('valid ("One", 1 node, 1 traffic flow)');
  });

  it('warns about a route that can never match, and still exits 0', async () => {
    const shadowed = `version: 1
name: Shadowed
nodes:
  - id: api
    kind: gateway
    routes:
      - { match: {}, to: s1 }
      - { match: { path: /orders/* }, to: s2 }
      - { match: { path: /users/*, method: GET }, to: s2 }
      - { match: { path: /users/*, method: GET }, to: s1 }
  - { id: s1, kind: service }
  - { id: s2, kind: service }
`;
    const ran = await edgelab(['validate', write('shadowed.yaml', shadowed)]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('valid ("Shadowed", 3 nodes, 0 traffic flows)');
    expect(ran.stderr.trim().split('\n')).toEqual([
      'warning: nodes[0] (api).routes[3]: can never match: route 3 (GET /users/*) has the same match, a higher priority and matches every request this one does',
    ]);
  });

  it('exits 1 and prints every error with its path', async () => {
    const bad = sandbox().replace('targets: [s1, s2]', 'targets: [s1, users-9]').replace('id: s2,', 'id: s1,');
    const ran = await edgelab(['validate', write('bad.yaml', bad)]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('nodes[1] (lb).targets[1]: unknown node "users-9"');
    expect(ran.stderr).toContain('nodes[3] (s1).id: duplicate id "s1" (also nodes[2])');
  });

  it('prints every error to a pipe that reads slower than it writes (process.exit dropped what was past 64 KB)', async () => {
    const nodes = Array.from({ length: 200 }, (_, i) => ({
      id: `s${i}`,
      kind: 'service',
      ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`${'k'.repeat(90)}${k}`, 1])),
    }));
    const file = write('many-errors.json', JSON.stringify({ version: 1, nodes }));
    // The reader starts a second late: by then the CLI has written its 220 KB of errors into a 64 KB pipe.
    const lines = await new Promise<string>((resolve) => {
      const shell = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" validate "${file}" 2>&1 | (sleep 1; wc -l)`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      shell.stdout.on('data', (c) => (out += c));
      shell.on('close', () => resolve(out.trim()));
    });
    expect(lines).toBe('2001');
  });

  it('exits 1 with format and reference errors together, each naming its node, with the nearest names', async () => {
    const mixed = `version: 1
nodes:
  - { id: edge, kind: proxy, to: lb }
  - { id: lb, kind: balancer, algorithm: least-conections, targets: [s1, users-9] }
  - { id: s1, kind: service, latency: 40 }
  - { id: s1, kind: service, latncy: 5ms }
traffic:
  - { to: egde, rate: 5 }
`;
    const ran = await edgelab(['validate', write('mixed.yaml', mixed)]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'mixed.yaml')}: invalid config (6 errors)`,
      'nodes[1] (lb).algorithm: expected one of "round-robin", "weighted-round-robin", "least-connections", "random", "p2c", "ip-hash", "consistent-hash", "maglev", "peak-ewma"; did you mean "least-connections"?',
      'nodes[1] (lb).targets[1]: unknown node "users-9"',
      'nodes[2] (s1).latency: 40 has no unit: write 40ms or 40s (a duration takes ms, s, m, h or d)',
      'nodes[3] (s1).latncy: unknown key; did you mean "latency"?',
      'nodes[3] (s1).id: duplicate id "s1" (also nodes[2])',
      'traffic[0].to: unknown node "egde"; did you mean "edge"?',
    ]);
  });

  it('warns about a service nothing sends to, and still exits 0', async () => {
    const spare = sandbox().replace('  - { id: s2, kind: service, latency: 2ms }', '  - { id: s2, kind: service, latency: 2ms }\n  - { id: spare, kind: service }');
    const ran = await edgelab(['validate', write('spare.yaml', spare)]);
    expect(ran.code).toBe(0);
    expect(ran.stderr.trim()).toBe('warning: nodes[4] (spare): no node and no traffic sends to "spare": it runs, and answers only clients that call it directly');
  });

  it('checks the lab port as serve would: refused with --port, a warning without it', async () => {
    const own = `version: 1
name: Own port
nodes:
  - { id: edge, kind: proxy, listen: 8787, to: s1 }
  - { id: side, kind: proxy, to: "http://127.0.0.1:8790" }
  - { id: s1, kind: service }
`;
    const file = write('own-port.yaml', own);
    const plain = await edgelab(['validate', file]);
    expect(plain.code).toBe(0);
    expect(plain.stderr.trim()).toBe(
      "warning: nodes[0] (edge).listen: serve on its default port 8787 would refuse this: port 8787 is the lab's own (its page and control API): give the node another port, or 0 for any free one",
    );
    const onPort = await edgelab(['validate', file, '--port', '8790']);
    expect(onPort.code).toBe(1);
    expect(onPort.stderr).toContain("nodes[1] (side).to: http://127.0.0.1:8790 is the lab's own page and control API, not a node");
    expect(onPort.stderr).not.toContain('nodes[0]');
    expect((await edgelab(['validate', file, '--port', '0'])).code).toBe(0);
    const bad = await edgelab(['validate', file, '--port', '1e3']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--port: expected a port number from 0 (any free port) to 65535, got "1e3"')]);
  });

  it('explains a refused limit: the limit, what it counts and why', async () => {
    const big = sandbox()
      .replace(
        '{ id: lb, kind: balancer, targets: [s1, s2] }',
        '{ id: lb, kind: balancer, algorithm: maglev, options: { tableSize: 262139 }, targets: [s1, s2] }',
      )
      .replace('latency: 2ms }', 'latency: 36000m }');
    const ran = await edgelab(['validate', write('limits.yaml', big)]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('invalid config (2 errors)');
    expect(ran.stderr).toContain(
      'nodes[1] (lb).options.tableSize: at most 131071 slots in a Maglev table: the table is rebuilt whenever the set of eligible targets changes',
    );
    expect(ran.stderr).toContain('nodes[2] (s1).latency: too long: at most 2147483647ms (24.8 days), the longest a timer can hold');
  });

  it('exits 1 for a missing file and 2 for bad usage', async () => {
    const missing = await edgelab(['validate', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read nope.yaml: no such file');
    // Read no further than the limit: a 35 MB file of nodes took 44 s and 4 GB to refuse, /dev/zero all memory.
    const huge = await edgelab(['validate', write('huge.yaml', `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n${sandbox()}`)]);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain(`huge.yaml is larger than ${MAX_CONFIG_FILE_BYTES} bytes (1 MB), the most a config may be`);
    const usage = await edgelab(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
    // Help asked of a command is the usage, not an unknown option.
    for (const asked of [['serve', '--help'], ['run', 'x.yaml', '-h'], ['--help']]) {
      const help = await edgelab(asked);
      expect([help.code, help.stderr, help.stdout]).toEqual([0, '', expect.stringContaining('edgelab serve [config]')]);
    }
    const tooLong = await edgelab(['run', write('ok.yaml', sandbox()), '--duration', '36000m']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('--duration: too long: at most 2147483647ms (24.8 days)');
  });

  // Number() took each of these for a port: "" and " " as 0 (any free port), "0x10" as 16, "1e3" as 1000.
  it.each(['', ' ', '0x10', '1e3', '8787.0', '65536', 'abc'])('serve refuses --port %j, saying what a port is', async (port) => {
    const ran = await edgelab(['serve', write('ok.yaml', sandbox()), '--port', port]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`--port: expected a port number from 0 (any free port) to 65535, got "${port}"`);
  });

  it('serve refuses an empty --host (Node would listen on every interface) and says why a host cannot be listened on', async () => {
    const empty = await edgelab(['serve', write('ok.yaml', sandbox()), '--port', '0', '--host', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--host: expected an address to listen on, such as 127.0.0.1 (the default)');
    const absent = await edgelab(['serve', write('ok.yaml', sandbox()), '--port', '0', '--host', '192.0.2.1', '--no-traffic']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('error: cannot listen on --host 192.0.2.1: no interface of this machine has that address');
  });

  it('run refuses a report it could not write before running, not with a stack trace after', async () => {
    const nowhere = join(dir, 'no-such-dir', 'report.json');
    const missing = await edgelab(['run', write('ok.yaml', sandbox()), '--duration', '30s', '--report', nowhere]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--report: cannot write ${nowhere}: no directory ${join(dir, 'no-such-dir')}`);
    expect(missing.stdout).toBe('');
    const folder = await edgelab(['run', write('ok.yaml', sandbox()), '--duration', '30s', '--report', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`--report: cannot write ${dir}: it is a directory`);
  });
});

describe('edgelab run', () => {
  it('runs the traffic headless, prints a summary table and writes the JSON report', async () => {
    const report = join(dir, 'report.json');
    const ran = await edgelab(['run', write('run.yaml', sandbox()), '--duration', '2s', '--report', report]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/\d\.\d\/2s {2}sent \d+/);
    expect(ran.stdout).toMatch(/^node\s+kind\s+requests\s+2xx\s+3xx\s+4xx\s+5xx\s+errors\s+p50 ms\s+p95 ms\s+p99 ms$/m);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.interrupted).toBe(false);
    expect(json.traffic.sent).toBeGreaterThanOrEqual(60);
    expect(json.traffic.completed).toBe(json.traffic.sent);
    expect(json.nodes.edge.requests).toBe(json.traffic.sent);
    expect(json.nodes.s1.requests + json.nodes.s2.requests).toBe(json.nodes.edge.requests);
    expect(Math.abs(json.nodes.s1.requests - json.nodes.s2.requests)).toBeLessThanOrEqual(1);
    expect(ran.stdout).toMatch(new RegExp(`^edge\\s+proxy\\s+${json.nodes.edge.requests}\\s`, 'm'));
  });

  it('stops cleanly on Ctrl-C with the summary so far', async () => {
    const report = join(dir, 'interrupted.json');
    const ran = await edgelab(['run', write('long.yaml', sandbox()), '--duration', '60s', '--report', report], { interruptWhen: /\n\d\.\d\/60s {2}sent/ });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('Interrupted: "CLI sandbox"');
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.interrupted).toBe(true);
    expect(json.nodes.edge.requests).toBeGreaterThan(0);
  });

  it('refuses to run a config whose port is taken, naming it', async () => {
    const blocker = await startEngine({ version: 1, nodes: [{ id: 'x', kind: 'service' }], traffic: [{ to: 'x', rate: 1 }] });
    try {
      const config = sandbox().replace('{ id: s1, kind: service,', `{ id: s1, kind: service, listen: ${blocker.port('x')},`);
      const ran = await edgelab(['run', write('clash.yaml', config), '--duration', '1s']);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toContain(`node "s1": port ${blocker.port('x')} is already in use`);
    } finally {
      await blocker.stop();
    }
  });
});

describe('Export round trip', () => {
  it('the running config, exported as YAML, validates and runs headless', async () => {
    const input = { ...(await import('yaml')).parse(sandbox(20)) };
    const running = await startEngine(input);
    const control = await startControlServer({ engine: running.engine, port: 0, webRoot: '/nonexistent' });
    try {
      const exported = stringify(await (await fetch(`${control.url}/api/config`)).json());
      const file = write('exported.yaml', exported);
      expect((await edgelab(['validate', file])).code).toBe(0);
      const report = join(dir, 'exported.json');
      expect((await edgelab(['run', file, '--duration', '1s', '--report', report])).code).toBe(0);
      expect(JSON.parse(readFileSync(report, 'utf8')).nodes.edge.requests).toBeGreaterThan(0);
    } finally {
      await control.close();
      await running.stop();
    }
  });
});
