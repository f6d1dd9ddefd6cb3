/**
 * `edgelab`: serve the lab, run a config headless, validate a config, or mint a test token.
 *
 *   edgelab serve [config] [--port 8787] [--host 127.0.0.1] [--no-traffic]
 *   edgelab run <config> [--duration 10s] [--report report.json]   (default duration: the traffic's phases, else 10s)
 *   edgelab validate <config> [--port 8787]   (with --port: also the rules `serve --port` applies)
 *   edgelab token [config] --consumer NAME [--gateway ID] [--expires 1h] [--key private.pem] [...]   (prints a test JWT)
 *
 * Exit codes: 0 success (a run stopped with Ctrl-C still reports and exits 0; a valid config with
 * warnings, such as a route that can never match or a service nothing sends to, is valid), 1 an invalid
 * config (every error printed, each with its node's id and, for a misspelt name, the nearest one) or a
 * run that could not start, 2 a usage error.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { durationLimitError, parseDuration } from '../config/duration.ts';
import { errorPlace, formatErrors } from '../config/validate.ts';
import { Engine } from '../engine.ts';
import type { TlsView } from '../events.ts';
import { startControlServer } from '../server.ts';
import { trafficLengthMs } from '../traffic/phases.ts';
import { loadConfigFile } from './load-config.ts';
import { flowTable, trafficNotes } from './traffic-report.ts';
import { faultLines, progressLine, runFaults, summaryTable, type RunReport } from './summary.ts';

const DEFAULT_CONFIG = fileURLToPath(new URL('../../../examples/classic-edge.yaml', import.meta.url));

const DEFAULT_SERVE_PORT = 8787;

const USAGE = `usage:
  edgelab serve [config] [--port 8787] [--host 127.0.0.1] [--no-traffic]
  edgelab run <config> [--duration 10s] [--report report.json]   (default duration: the traffic's phases, else 10s)
  edgelab validate <config> [--port 8787]   (--port: check it as serve --port would; without, a warning)
  edgelab token [config] --consumer NAME [--gateway ID] [--expires 1h] [--not-before 0s]
                [--key private.pem] [--alg RS256] [--kid ID] [--secret S] [--issuer I] [--audience A] [--claim sub]
                prints a test JWT for the consumer (HS* with the gateway's secret; RS*, PS*, ES* with --key)`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `edgelab serve --help` asks for the usage, as `edgelab --help` does (not an unknown option).
  if (command !== undefined && rest.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'run':
      return run(rest);
    case 'validate':
      return validate(rest);
    case 'token':
      return token(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse<const T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function validate(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, { port: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('validate takes one config file');
  const [file] = positionals;
  const port = values.port === undefined ? undefined : servePort(values.port);
  const result = await loadConfigFile(file, port === undefined || port === 0 ? {} : { controlPort: port });
  if (!result.ok) {
    console.error(`${file}: invalid config (${result.errors.length} error${result.errors.length > 1 ? 's' : ''})`);
    console.error(formatErrors(result.errors));
    return 1;
  }
  const { nodes, traffic, name } = result.config;
  console.log(`${file}: valid ("${name}", ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${traffic.length} traffic flow${traffic.length === 1 ? '' : 's'})`);
  for (const warning of result.warnings) console.error(`warning: ${errorPlace(warning)}: ${warning.message}`);
  // `run` needs no lab port; `serve` refuses a config that uses its port. Say so before `serve` does.
  if (port === undefined) {
    const served = await loadConfigFile(file, { controlPort: DEFAULT_SERVE_PORT });
    if (!served.ok) {
      for (const error of served.errors) console.error(`warning: ${errorPlace(error)}: serve on its default port ${DEFAULT_SERVE_PORT} would refuse this: ${error.message}`);
    }
  }
  return 0;
}

/** `--port` of serve and validate: digits only (Number() reads "" and " " as 0, "0x10" as 16, "1e3" as 1000). */
function servePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) throw new UsageError(`--port: expected a port number from 0 (any free port) to 65535, got "${value}"`);
  return port;
}

async function token(args: string[]): Promise<number> {
  const text = { type: 'string' } as const;
  const { positionals, values } = parse(args, {
    consumer: text,
    gateway: text,
    expires: { type: 'string', default: '1h' },
    'not-before': text,
    key: text,
    alg: text,
    kid: text,
    secret: text,
    issuer: text,
    audience: text,
    claim: text,
  });
  if (positionals.length > 1) throw new UsageError('token takes at most one config file');
  const [file] = positionals;
  let config;
  if (file !== undefined) {
    const result = await loadConfigFile(file);
    if (!result.ok) {
      console.error(`${file}: invalid config\n${formatErrors(result.errors)}`);
      return 1;
    }
    config = result.config;
  }
  // Loaded on demand: jose and the auth modules are not worth loading for the other commands.
  const { FlagError, mintTestToken } = await import('./token.ts');
  try {
    const minted = await mintTestToken({ ...values, notBefore: values['not-before'] }, config, Date.now());
    console.log(minted.token);
    console.error(`token for ${minted.summary}`);
    return 0;
  } catch (error) {
    if (error instanceof FlagError) throw new UsageError(error.message);
    throw error;
  }
}

async function serve(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, {
    port: { type: 'string', default: String(DEFAULT_SERVE_PORT) },
    host: { type: 'string', default: '127.0.0.1' },
    'no-traffic': { type: 'boolean', default: false },
  });
  if (positionals.length > 1) throw new UsageError('serve takes at most one config file');
  const port = servePort(values.port);
  // Node reads an empty host as every interface: the control API, which has no password, open to the network.
  if (values.host.trim() === '') throw new UsageError('--host: expected an address to listen on, such as 127.0.0.1 (the default)');
  const file = positionals[0] ?? DEFAULT_CONFIG;
  const result = await loadConfigFile(file, port === 0 ? {} : { controlPort: port });
  if (!result.ok) {
    console.error(`${file}: invalid config\n${formatErrors(result.errors)}`);
    return 1;
  }
  const engine = new Engine();
  const started = await engine.start(result.config, { input: result.input, traffic: !values['no-traffic'] });
  for (const failure of started.failures) console.error(`warning: ${failure} (the lab shows it as failed)`);
  let control;
  try {
    control = await startControlServer({ engine, port, host: values.host });
  } catch (error) {
    await engine.stop();
    const code = (error as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      EADDRINUSE: `port ${port} is in use; is the lab already running? Try --port`,
      EADDRNOTAVAIL: `cannot listen on --host ${values.host}: no interface of this machine has that address`,
      ENOTFOUND: `cannot listen on --host ${values.host}: no such host`,
    };
    console.error(`error: ${(code !== undefined && why[code]) || (error as Error).message}`);
    return 1;
  }
  console.log(`EdgeLab: ${control.url}  ("${result.config.name}" from ${file})`);
  for (const node of engine.topology()) {
    console.log(`  ${node.id.padEnd(12)} ${node.kind.padEnd(9)} ${node.tls ? 'https' : 'http'}://127.0.0.1:${node.port ?? '-'}  ${node.state}`);
    if (node.tls) console.log(tlsNote(node.tls, node.port));
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await control.close();
  await engine.stop();
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, {
    duration: { type: 'string' },
    report: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one config file');
  const givenMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (values.duration !== undefined && (givenMs === undefined || givenMs <= 0)) {
    throw new UsageError(`--duration: expected a duration like 10s or 1m, got "${values.duration}"`);
  }
  const tooLong = givenMs === undefined ? undefined : durationLimitError(givenMs);
  if (tooLong) throw new UsageError(`--duration: ${tooLong}`);
  // A report that cannot be written is said before the run, not after it (with a stack trace).
  const reportProblem = values.report === undefined ? undefined : await unwritable(values.report);
  if (reportProblem !== undefined) throw new UsageError(`--report: cannot write ${values.report}: ${reportProblem}`);
  const [file] = positionals;
  const result = await loadConfigFile(file);
  if (!result.ok) {
    console.error(`${file}: invalid config\n${formatErrors(result.errors)}`);
    return 1;
  }
  // Without --duration a run lasts as long as its traffic when every flow's phases end, else 10 s.
  const durationMs = givenMs ?? trafficLengthMs(result.config.traffic) ?? 10_000;
  if (result.config.traffic.length === 0) console.error(`warning: ${file} has no traffic entries; nothing will be sent`);

  const engine = new Engine({ metricsIntervalMs: 0 });
  const startedAt = new Date();
  const started = await engine.start(result.config, { input: result.input });
  if (started.failures.length > 0) {
    for (const failure of started.failures) console.error(`error: ${failure}`);
    await engine.stop();
    return 1;
  }
  for (const node of engine.topology()) if (node.tls) console.error(`${node.id}:${tlsNote(node.tls, node.port)}`);
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  const progress = setInterval(() => {
    const line = progressLine(performance.now() - t0, durationMs, engine.traffic.stats(), engine.metrics.snapshot());
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, 1000);

  let stopWaiting = () => {};
  const interrupted = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), durationMs);
    // A run whose flows all finished their phases ends then, not at the duration.
    const finished = setInterval(() => engine.traffic.finished && resolve(false), 100);
    stopWaiting = () => {
      clearTimeout(timer);
      clearInterval(finished);
    };
    process.once('SIGINT', () => resolve(true));
  });
  stopWaiting();
  clearInterval(progress);
  if (tty) process.stderr.write('\r\x1b[2K');
  await engine.stopTraffic();
  await drain(engine, 5_000);

  const stats = engine.traffic.stats();
  const nodes = engine.metrics.snapshot();
  console.log(`${interrupted ? 'Interrupted' : 'Finished'}: "${result.config.name}" for ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(summaryTable(nodes, stats));
  const faults = runFaults(engine.faultHistory(), startedAt.getTime());
  if (faults.length > 0) console.log(`faults:\n${faultLines(faults).join('\n')}`);
  console.log(`traffic (latency from the intended send time in open loop, from the actual send in closed loop):\n${flowTable(stats)}`);
  for (const note of trafficNotes(stats)) console.log(`note: ${note}`);
  if (values.report) {
    const report: RunReport = {
      config: { file, name: result.config.name },
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      interrupted,
      traffic: stats,
      nodes,
      failures: started.failures,
      faults,
    };
    try {
      await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report: ${values.report}`);
    } catch (error) {
      console.error(`error: cannot write the report to ${values.report}: ${(error as Error).message}`);
      await engine.stop();
      return 1;
    }
  }
  await engine.stop();
  return 0;
}

/** Why a report cannot be written at `file` (its folder is missing or not writable, it is a folder), or undefined. */
async function unwritable(file: string): Promise<string | undefined> {
  const found = await stat(file).catch(() => undefined);
  if (found?.isDirectory()) return 'it is a directory';
  try {
    await access(found ? file : dirname(resolvePath(file)), constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no directory ${dirname(resolvePath(file))}` : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  }
}

/** Where a TLS proxy's certificate is, its fingerprint, and how to try it. */
function tlsNote(tls: TlsView, port: number | null): string {
  return `    certificate ${tls.certFile} (SHA-256 ${tls.fingerprint256})\n    try: curl --cacert ${tls.certFile} https://localhost:${port ?? '-'}/${tls.protocols.includes('h2') ? '  (add --http2 for HTTP/2)' : ''}`;
}

/** Wait for the requests already sent to finish, so the report counts them. */
async function drain(engine: Engine, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  while (engine.traffic.stats().outstanding > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Exit once stdout and stderr have handed on what was written to them: process.exit drops what a pipe
 * has not taken yet, so `edgelab validate bad.yaml 2>&1 | less` showed the first 64 KB of the errors.
 */
function exitAfterOutput(code: number): void {
  let open = 2;
  const flushed = () => --open === 0 && process.exit(code);
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

main(process.argv.slice(2)).then(exitAfterOutput, (error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`edgelab: ${error.message}\n${USAGE}`);
    return exitAfterOutput(2);
  }
  console.error(`edgelab: ${(error as Error).stack ?? error}`);
  exitAfterOutput(1);
});
