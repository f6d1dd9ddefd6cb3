/**
 * Child process for the reference cases: builds one case's topology (service plus bare proxies, all in
 * this one process, the way the engine runs every node in one process), prints its entry port and
 * serves until SIGTERM. The harness pins this process to its own core.
 *
 *   node bench/sut/reference.mjs <case> [--undici-mode dispatch|stream|request]
 */
import { startHttpProxyLib } from '../reference/http-proxy-lib.mjs';
import { close, portOf } from '../reference/listen.mjs';
import { startNodeHttpProxy } from '../reference/node-http-proxy.mjs';
import { startService } from '../reference/service.mjs';
import { startUndiciProxy } from '../reference/undici-proxy.mjs';
import { announceReady, stopOnSignal } from './protocol.mjs';

const origin = (server) => `http://127.0.0.1:${portOf(server)}`;

/** Put `hops` proxies in front of `server`, the first hop built last; returns the servers, entry first. */
async function chain(hops, startProxy, server) {
  const servers = [server];
  for (let i = 0; i < hops; i++) servers.unshift((await startProxy({ upstream: origin(servers[0]) })).server);
  return servers;
}

const caseName = process.argv[2];
const modeAt = process.argv.indexOf('--undici-mode');
const mode = modeAt > 0 ? process.argv[modeAt + 1] : undefined;
const undici = (opts) => startUndiciProxy({ ...opts, mode });

const topologies = {
  direct: async () => [await startService()],
  'undici-1hop': async () => chain(1, undici, await startService()),
  'node-http-1hop': async () => chain(1, startNodeHttpProxy, await startService()),
  'undici-3hop': async () => chain(3, undici, await startService()),
  'undici-3hop-fields': async () => chain(3, (opts) => undici({ ...opts, fields: true }), await startService()),
  'node-http-3hop': async () => chain(3, startNodeHttpProxy, await startService()),
  'http-proxy-1hop': async () => chain(1, startHttpProxyLib, await startService()),
};

const build = topologies[caseName];
if (!build) {
  console.error(`unknown reference case "${caseName}", expected one of ${Object.keys(topologies).join(', ')}`);
  process.exit(2);
}
const servers = await build();
stopOnSignal(() => Promise.all(servers.map(close)));
announceReady({ port: portOf(servers[0]) });
