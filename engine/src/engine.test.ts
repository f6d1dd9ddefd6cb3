/** The engine applying configs: on a real engine, its nodes listening on real ports. */
import { afterEach, expect, it } from 'vitest';
import { validateConfig } from './config/validate.ts';
import type { EdgeConfigParsed } from './config/schema.ts';
import { startEngine, type RunningEngine } from './testing/harness.ts';

let running: RunningEngine | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A service `s` and a node `x` of the kind given, in front of it. */
function withX(x: Record<string, unknown>): EdgeConfigParsed {
  const result = validateConfig({ version: 1, nodes: [{ id: 's', kind: 'service' }, { id: 'x', ...x }] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

it('configs applied at once run one after the other: each giving a node another kind, the last one\'s node answers', async () => {
  running = await startEngine({ version: 1, nodes: [{ id: 's', kind: 'service' }, { id: 'x', kind: 'balancer', targets: ['s'] }] });
  // Both replace x; the first waits on the balancer's requests while the second runs, unless they queue.
  const results = await Promise.all([running.engine.apply(withX({ kind: 'proxy', to: 's' })), running.engine.apply(withX({ kind: 'service' }))]);
  expect(results).toEqual([{ failures: [] }, { failures: [] }]);
  expect(running.engine.topology().find((n) => n.id === 'x')).toMatchObject({ kind: 'service', state: 'up' });
  const res = await fetch(running.url('x', '/hello'));
  expect([res.status, (await res.json()).node]).toEqual([200, 'x']);
});
