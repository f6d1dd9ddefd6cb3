/**
 * Child process for the engine cases: starts the real engine (engine/src, TypeScript, so this runs
 * under `node --import tsx`) with one of the configs in engine-configs.mjs, and for the chain cases the
 * control server whose `GET /api/events` an SSE client may read. Prints the entry node's port and
 * serves until SIGTERM. Uses only the engine's public API:
 *
 *   validateConfig(obj) -> { ok, config }        engine/src/config/validate.ts
 *   new Engine().start(config), .topology(), .stop()   engine/src/engine.ts
 *   startControlServer({ engine, port: 0 }) -> { port, close() }   engine/src/server.ts
 *   engine.injectFault(spec), .faults()   the case's `faults`, after start
 *
 *   node --import tsx bench/sut/engine.mjs <case>
 */
import { ENGINE_CASES } from './engine-configs.mjs';
import { announceReady, announceUnavailable, stopOnSignal } from './protocol.mjs';

const caseName = process.argv[2];
const spec = ENGINE_CASES[caseName];
if (!spec) {
  console.error(`unknown engine case "${caseName}", expected one of ${Object.keys(ENGINE_CASES).join(', ')}`);
  process.exit(2);
}

const engineModule = await importOrNull('../../engine/src/engine.ts');
if (!engineModule?.Engine) announceUnavailable(`engine/src/engine.ts ${engineModule ? 'does not export Engine' : 'not found'}`);
const { validateConfig } = await import('../../engine/src/config/validate.ts');

const serverModule = spec.control === 'no' ? null : await importOrNull('../../engine/src/server.ts');
if (spec.control === 'required' && !serverModule?.startControlServer) {
  announceUnavailable(`engine/src/server.ts ${serverModule ? 'does not export startControlServer' : 'not found'}`);
}

const checked = validateConfig(spec.config);
if (!checked.ok) {
  console.error(`bench config for ${caseName} is invalid:\n${checked.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  process.exit(2);
}

const engine = new engineModule.Engine();
const started = await engine.start(checked.config);
if (started?.failures?.length) {
  console.error(`engine nodes failed to start:\n${started.failures.join('\n')}`);
  process.exit(2);
}
for (const fault of spec.faults ?? []) {
  if (typeof engine.injectFault !== 'function') announceUnavailable('the engine has no injectFault');
  await engine.injectFault(fault);
}
if ((spec.faults?.length ?? 0) !== (engine.faults?.().length ?? 0)) {
  console.error(`expected ${spec.faults.length} active faults, the engine lists ${JSON.stringify(engine.faults())}`);
  process.exit(2);
}
const entry = engine.topology().find((node) => node.id === spec.entry);
if (!entry?.port) {
  console.error(`engine topology has no port for "${spec.entry}": ${JSON.stringify(engine.topology())}`);
  process.exit(2);
}
const control = serverModule?.startControlServer ? await serverModule.startControlServer({ engine, port: 0 }) : null;

stopOnSignal(async () => {
  await control?.close();
  await engine.stop();
});
/** `controlServer`: on, off (the case runs headless) or missing (wanted but engine/src/server.ts absent). */
const controlServer = control ? 'on' : spec.control === 'no' ? 'off' : 'missing';
announceReady({ port: entry.port, controlPort: control?.port ?? null, controlServer, ...(spec.query ? { query: spec.query } : {}), ...(spec.headers ? { headers: spec.headers } : {}) });

/** The module, or null when the file is missing; any other import error is a real failure and throws. */
async function importOrNull(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(specifier.split('/').at(-1))) return null;
    throw error;
  }
}
