/** A real engine and its control server on free ports, for the tests that drive the control API. */
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import { formatErrors, validateConfig } from '../engine/src/config/validate.ts';
import { Engine } from '../engine/src/engine.ts';
import { startControlServer } from '../engine/src/server.ts';
import { withEphemeralPorts } from './ephemeral-ports.ts';

export interface Sandbox {
  /** The control origin, `http://127.0.0.1:PORT`. */
  baseUrl: string;
  stop(): Promise<void>;
}

/** Start `config` with every node on a free port; its traffic runs only when asked. */
export async function startSandbox(config: EdgeConfigInput, options: { traffic: boolean }): Promise<Sandbox> {
  const input = withEphemeralPorts(config);
  const result = validateConfig(input);
  if (!result.ok) throw new Error(`invalid sandbox config:\n${formatErrors(result.errors)}`);
  const engine = new Engine();
  await engine.start(result.config, { input, traffic: options.traffic });
  const control = await startControlServer({ engine, port: 0 }).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  return {
    baseUrl: control.url,
    async stop() {
      await control.close();
      await engine.stop();
    },
  };
}
