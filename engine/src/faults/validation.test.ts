/**
 * Bad fault input, table-driven: each body the API must refuse, each scenario a config must refuse,
 * with the exact path-named error. A refused fault leaves nothing behind: no fault, no event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.ts';
import { InputError } from '../errors.ts';
import { startEngine, type RunningEngine } from '../testing/harness.ts';

const nodes = [
  { id: 'edge', kind: 'proxy', to: 'api' },
  {
    id: 'api',
    kind: 'gateway',
    routes: [
      { match: { path: '/u/*' }, to: 'users' },
      { match: { path: '/ext/*' }, to: 'http://127.0.0.1:9' },
    ],
  },
  { id: 'users', kind: 'balancer', targets: ['users-1', 'users-2'] },
  { id: 'users-1', kind: 'service' },
  { id: 'users-2', kind: 'service' },
];

let running: RunningEngine;
beforeAll(async () => {
  running = await startEngine({ version: 1, nodes });
});
afterAll(() => running.stop());

/** What a refused bandwidth's message says it may be. */
const BANDWIDTHS = '(allowed: 1 to 1000000000000)';

async function refusal(body: unknown): Promise<string[]> {
  try {
    await running.engine.injectFault(body);
  } catch (error) {
    if (error instanceof InputError) return error.errors.map((e) => `${e.path}: ${e.message}`);
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('POST /api/faults refuses', () => {
  it.each<[string, unknown, string]>([
    ['an unknown node', { target: 'users-9', type: 'hang' }, 'target: unknown node "users-9"'],
    ['an edge from an unknown node', { target: 'ghost->users', type: 'hang' }, 'target: unknown node "ghost"'],
    ['an edge that is not a link', { target: 'edge->users', type: 'hang' }, 'target: "edge" does not send to "users"; its upstreams: api'],
    [
      'an edge to no node at all',
      { target: 'api->nope', type: 'hang' },
      'target: "api" does not send to "nope" (and there is no node "nope"); its upstreams: users, http://127.0.0.1:9',
    ],
    ['a half edge', { target: 'api->', type: 'hang' }, 'target: expected a node id or an edge "from->to", got "api->"'],
    ['a node-only type on an edge', { target: 'api->users', type: 'down' }, 'target: "down" applies to a node, not to an edge'],
    ['flap on an edge', { target: 'api->users', type: 'flap', period: '1s' }, 'target: "flap" applies to a node, not to an edge'],
    [
      'an edge-only type on a node',
      { target: 'users', type: 'partition' },
      'target: "partition" applies to an edge "from->to", not to a node',
    ],
    [
      'overload on a balancer',
      { target: 'users', type: 'overload', capacity: 1 },
      'target: "overload" applies to a service node; "users" is a balancer',
    ],
    [
      'overload on an edge',
      { target: 'users->users-1', type: 'overload', capacity: 1 },
      'target: "overload" applies to a node, not to an edge',
    ],
    [
      'a receiver-side fault on an edge to an external URL',
      { target: 'api->http://127.0.0.1:9', type: 'latency', ms: 5 },
      'target: "latency" is applied by the receiving node, and "http://127.0.0.1:9" is not run by the engine; only "partition" works on this edge',
    ],
    ['a negative latency', { target: 'users-1', type: 'latency', ms: -5 }, 'ms: must be at least 0, got -5'],
    ['a latency without ms', { target: 'users-1', type: 'latency' }, 'ms: required: a number'],
    ['a negative jitter', { target: 'users-1', type: 'latency', ms: 5, jitter: -1 }, 'jitter: must be at least 0, got -1'],
    ['a rate above 1', { target: 'users-1', type: 'errors', rate: 1.5 }, 'rate: must be at most 1, got 1.5'],
    ['a rate below 0', { target: 'users-1', type: 'errors', rate: -0.1 }, 'rate: must be at least 0, got -0.1'],
    ['a status outside 500..599', { target: 'users-1', type: 'errors', status: 404 }, 'status: must be at least 500, got 404'],
    ['a bad duration', { target: 'users-1', type: 'reset', after: 'soon' }, 'after: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "soon"'],
    ['a zero bandwidth', { target: 'users-1', type: 'bandwidth', bytesPerSecond: 0 }, `bytesPerSecond: at least 1 byte a second ${BANDWIDTHS}`],
    ['a bandwidth that sends no byte in bounded time', { target: 'users-1', type: 'bandwidth', bytesPerSecond: 1e-300 }, `bytesPerSecond: at least 1 byte a second ${BANDWIDTHS}`],
    ['a bandwidth below a byte a second', { target: 'users-1', type: 'bandwidth', bytesPerSecond: 0.5 }, `bytesPerSecond: at least 1 byte a second ${BANDWIDTHS}`],
    ['a bandwidth past any link', { target: 'users-1', type: 'bandwidth', bytesPerSecond: 1e300 }, `bytesPerSecond: at most 1000000000000 bytes a second ${BANDWIDTHS}`],
    ['slow-close without a delay', { target: 'users-1', type: 'slow-close' }, 'delay: required: a number'],
    [
      'a flap whose down part fills the period',
      { target: 'users-1', type: 'flap', period: '1s', downFor: '1s' },
      'downFor: must be shorter than the period (1000 ms)',
    ],
    [
      'a fractional capacity',
      { target: 'users-1', type: 'overload', capacity: 1.5 },
      'capacity: expected a whole number, got 1.5',
    ],
    ['an unknown partition mode', { target: 'api->users', type: 'partition', mode: 'eat' }, 'mode: expected one of "drop", "reject"'],
    [
      'an unknown type',
      { target: 'users-1', type: 'meltdown' },
      'type: expected one of "down", "hang", "latency", "errors", "reset", "bandwidth", "slow-close", "flap", "partition", "overload"',
    ],
    ['an unknown key', { target: 'users-1', type: 'hang', ms: 5 }, 'ms: unknown key'],
    ['scenario timing in an API body', { target: 'users-1', type: 'hang', at: '1s' }, 'at: unknown key'],
    ['a body that is not an object', [1], '(root): expected a mapping, got a list'],
  ])('%s', async (_name, body, message) => {
    expect(await refusal(body)).toEqual([message]);
    expect(running.engine.faults()).toEqual([]);
    expect(running.events.filter((e) => e.type === 'fault.started')).toEqual([]);
  });

  const TOO_LONG = 'too long: at most 2147483647ms (24.8 days), the longest a timer can hold';

  // A timer holds at most 2^31 - 1 ms; a longer one fires after 1 ms, so these would act at once.
  it.each<[string, unknown, string]>([
    ['a latency past a timer', { target: 'users-1', type: 'latency', ms: 2_147_483_648 }, `ms: ${TOO_LONG}`],
    ['a latency of 3000000000 ms', { target: 'users-1', type: 'latency', ms: 3_000_000_000 }, `ms: ${TOO_LONG}`],
    [
      'ms + jitter past a timer',
      { target: 'users-1', type: 'latency', ms: 2_147_483_000, jitter: 648 },
      `jitter: ms + jitter is 2147483648, ${TOO_LONG}`,
    ],
    ['a reset after 36000m', { target: 'users-1', type: 'reset', after: '36000m' }, `after: ${TOO_LONG}`],
    ['a slow close past a timer', { target: 'users-1', type: 'slow-close', delay: 2_147_483_648 }, `delay: ${TOO_LONG}`],
    ['a flap period past a timer', { target: 'users-1', type: 'flap', period: '36000m' }, `period: ${TOO_LONG}`],
  ])('%s', async (_name, body, message) => {
    expect(await refusal(body)).toEqual([message]);
    expect(running.engine.faults()).toEqual([]);
  });

  it('names an edge written with spaces round its arrow as from->to, one name for one edge', async () => {
    const fault = await running.engine.injectFault({ target: 'api -> users', type: 'partition' });
    expect(fault.target).toBe('api->users');
    expect(running.events.find((e) => e.type === 'fault.started')).toMatchObject({ fault: { target: 'api->users' } });
    await running.engine.clearFault(fault.id);
  });

  it('takes a duration at the limit a timer holds', async () => {
    const fault = await running.engine.injectFault({ target: 'users-1', type: 'latency', ms: 2_147_483_000, jitter: 647 });
    expect(fault).toMatchObject({ ms: 2_147_483_000, jitter: 647 });
    await running.engine.clearFault(fault.id);
    const flap = await running.engine.injectFault({ target: 'users-2', type: 'flap', period: 2_147_483_647 });
    expect(flap).toMatchObject({ period: 2_147_483_647, downFor: 1_073_741_823.5 });
    await running.engine.clearFault(flap.id);
  });

  it('names every bad field at once', async () => {
    expect(await refusal({ target: 'users-1', type: 'errors', rate: 2, status: 200 })).toEqual([
      'rate: must be at most 1, got 2',
      'status: must be at least 500, got 200',
    ]);
  });
});

describe('a config scenario', () => {
  const config = (scenario: unknown[]) => ({ version: 1, nodes, scenario });
  const errorsOf = (input: unknown) => {
    const result = validateConfig(input);
    return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('parses durations and fills defaults', () => {
    const result = validateConfig(
      config([
        { at: '5s', for: '10s', target: 'users-1', type: 'latency', ms: 300 },
        { at: 0, target: 'users-2', type: 'flap', period: '2s' },
      ]),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.scenario).toEqual([
      { at: 5000, for: 10000, target: 'users-1', type: 'latency', ms: 300, jitter: 0 },
      { at: 0, target: 'users-2', type: 'flap', period: 2000, downFor: 1000 },
    ]);
    expect(validateConfig({ version: 1, nodes })).toMatchObject({ ok: true, config: { scenario: [] } });
  });

  it.each<[string, unknown[], string[]]>([
    ['an unknown node', [{ at: '1s', target: 'users-9', type: 'hang' }], ['scenario[0].target: unknown node "users-9"']],
    ['a step without at', [{ target: 'users-1', type: 'hang' }], ['scenario[0].at: required: when the fault starts, counted from when traffic starts: 5s']],
    ['a zero for', [{ at: 0, for: 0, target: 'users-1', type: 'hang' }], ['scenario[0].for: must be longer than 0']],
    [
      'a negative latency',
      [{ at: 0, target: 'users-1', type: 'latency', ms: -1 }],
      ['scenario[0].ms: must be at least 0, got -1'],
    ],
    [
      'a bandwidth below a byte a second',
      [{ at: 0, target: 'users-1', type: 'bandwidth', bytesPerSecond: 1e-300 }],
      [`scenario[0].bytesPerSecond: at least 1 byte a second ${BANDWIDTHS}`],
    ],
    [
      'an edge that is not a link',
      [{ at: 0, target: 'users-1->users', type: 'partition' }],
      ['scenario[0].target: "users-1" does not send to "users"; its upstreams: none'],
    ],
    [
      'overlapping steps of the same type on the same target',
      [
        { at: '5s', for: '10s', target: 'users-1', type: 'latency', ms: 300 },
        { at: '1s', target: 'users-2', type: 'latency', ms: 300 },
        { at: '12s', for: '1s', target: 'users-1', type: 'latency', ms: 50 },
      ],
      ['scenario[2]: overlaps scenario[0] (latency on users-1 from 5s until 15s)'],
    ],
    [
      'a step overlapping one that lasts to the end',
      [
        { at: 0, target: 'users-1', type: 'hang' },
        { at: '1m', for: '1s', target: 'users-1', type: 'hang' },
      ],
      ['scenario[1]: overlaps scenario[0] (hang on users-1 from the start to the end)'],
    ],
    [
      'a step at 36000m',
      [{ at: '36000m', target: 'users-1', type: 'hang' }],
      ['scenario[0].at: too long: at most 2147483647ms (24.8 days), the longest a timer can hold'],
    ],
    [
      'a step lasting past a timer',
      [{ at: 0, for: '2147483648ms', target: 'users-1', type: 'hang' }],
      ['scenario[0].for: too long: at most 2147483647ms (24.8 days), the longest a timer can hold'],
    ],
    [
      'a step whose latency is past a timer',
      [{ at: 0, target: 'users-1', type: 'latency', ms: 3_000_000_000 }],
      ['scenario[0].ms: too long: at most 2147483647ms (24.8 days), the longest a timer can hold'],
    ],
    [
      'more steps than the limit',
      Array.from({ length: 201 }, (_, i) => ({ at: `${i}s`, for: '1s', target: 'users-1', type: 'hang' })),
      ['scenario: at most 200 scenario steps: each step holds a timer, and every pair is checked for overlaps'],
    ],
  ])('refuses %s', (_name, scenario, expected) => {
    expect(errorsOf(config(scenario))).toEqual(expected);
  });

  it('takes steps at the limits: 200 of them, at and for each as long as a timer holds (each waits on its own timer)', () => {
    const steps = Array.from({ length: 199 }, (_, i) => ({ at: `${i}s`, for: '1s', target: 'users-1', type: 'hang' }));
    steps.push({ at: '2147483647ms', for: '2147483647ms', target: 'users-2', type: 'hang' });
    expect(errorsOf(config(steps))).toEqual([]);
  });

  it('names an edge to a URL by its origin, as the config keeps it', () => {
    const result = validateConfig(config([{ at: 0, target: 'api->HTTP://127.0.0.1:9/', type: 'partition' }]));
    expect(result).toMatchObject({ ok: true, config: { scenario: [{ target: 'api->http://127.0.0.1:9' }] } });
  });

  it('accepts steps of the same type on the same target that follow each other, and different types together', () => {
    expect(
      errorsOf(
        config([
          { at: 0, for: '5s', target: 'users-1', type: 'latency', ms: 300 },
          { at: '5s', for: '5s', target: 'users-1', type: 'latency', ms: 30 },
          { at: 0, target: 'users-1', type: 'errors', rate: 0.5 },
        ]),
      ),
    ).toEqual([]);
  });
});
