import { describe, expect, it } from 'vitest';
import { checkGoal, readConsumerMetric, readMetric } from './checker.ts';
import type { Goal, MetricsByNode, Snapshot } from './format.ts';
import { errorsUnder1, lbErrors } from './goal.fixture.ts';
import { nodeMetrics, snapshot, usersAnswered } from './metrics.fixture.ts';

const eachUser20: Goal = { type: 'each', nodes: ['users-1', 'users-2', 'users-3'], metric: 'statusClasses.2xx', op: '>=', value: 20 };
const refused3: Goal = { type: 'metric', node: 'users', metric: 'errorCodes.EDGE_UPSTREAM_REFUSED', op: '>=', value: 3 };

describe('readMetric', () => {
  const m = nodeMetrics({
    requests: 7,
    inFlight: 2,
    statusClasses: { '2xx': 5, '5xx': 2 },
    errorCodes: { EDGE_UPSTREAM_REFUSED: 2 },
    latency: { p95: 41.5 },
  });
  it.each([
    ['requests', 7],
    ['inFlight', 2],
    ['statusClasses.2xx', 5],
    ['statusClasses.4xx', 0],
    ['errorCodes.EDGE_UPSTREAM_REFUSED', 2],
    ['errorCodes.EDGE_NO_TARGET', 0],
    ['latency.p95', 41.5],
    ['cache.HIT', 0],
    ['tls.handshakes', 0],
    ['tls.requests.http/1.1', 0],
  ] as const)('%s is %d', (metric, expected) => {
    expect(readMetric(m, metric)).toBe(expected);
  });
});

describe('readMetric of a TLS proxy', () => {
  it.each([
    ['tls.handshakes', 4],
    ['tls.failed', 1],
    ['tls.resumed', 0],
    ['tls.requests.h2', 90],
    ['tls.requests.http/1.1', 7],
  ] as const)('%s is %d', (metric, expected) => {
    expect(readMetric(nodeMetrics({ kind: 'proxy', tls: { handshakes: 4, failed: 1, requests: { h2: 90, 'http/1.1': 7 } } }), metric)).toBe(expected);
  });
});

describe('readMetric of a caching proxy', () => {
  it.each([
    ['cache.HIT', 30],
    ['cache.COLLAPSED', 4],
    ['cache.STALE', 0],
  ] as const)('%s is %d', (metric, expected) => {
    expect(readMetric(nodeMetrics({ kind: 'proxy', cache: { HIT: 30, COLLAPSED: 4 } }), metric)).toBe(expected);
  });
});

describe('readMetric of a flow\'s first entry (its clients\' side)', () => {
  it.each([
    ['clients.requests', 200],
    ['clients.2xx', 197],
    ['clients.lost', 3],
    ['clients.failedOver', 40],
  ] as const)('%s is %d', (metric, expected) => {
    expect(readMetric(nodeMetrics({ kind: 'proxy', clients: { requests: 200, '2xx': 197, lost: 3, failedOver: 40 } }), metric)).toBe(expected);
  });

  it('is 0 at a node no flow enters first', () => {
    expect(readMetric(nodeMetrics({ kind: 'proxy' }), 'clients.lost')).toBe(0);
  });

  it('is a counter, read as growth, with its own sentence', () => {
    const goal = { type: 'metric', node: 'edge-a', metric: 'clients.lost', op: '>=', value: 20 } as const;
    const report = checkGoal(goal, { 'edge-a': nodeMetrics({ clients: { lost: 25 } }) }, { 'edge-a': nodeMetrics({ clients: { lost: 10 } }) });
    expect(report).toMatchObject({ met: false, detail: 'clients sent to edge-a have lost 15 of 20 requests (no entry answered) since the step began' });
  });
});

describe('readMetric of a balancer\'s returning keys', () => {
  it.each([
    ['keys.stayed', 120],
    ['keys.moved', 0],
    ['keys.rehomed', 7],
  ] as const)('%s is %d', (metric, expected) => {
    expect(readMetric(nodeMetrics({ kind: 'balancer', keys: { stayed: 120, moved: 0, rehomed: 7 } }), metric)).toBe(expected);
  });

  it('is 0 before the balancer has seen a key twice', () => {
    expect(readMetric(nodeMetrics({ kind: 'balancer' }), 'keys.moved')).toBe(0);
  });

  it('is a counter, read as growth, with its own sentence', () => {
    const goal = { type: 'metric', node: 'lb', metric: 'keys.moved', op: '<=', value: 1 } as const;
    const report = checkGoal(goal, { lb: nodeMetrics({ keys: { stayed: 50, moved: 19, rehomed: 3 } }) }, { lb: nodeMetrics({ keys: { stayed: 40, moved: 4, rehomed: 0 } }) });
    expect(report).toMatchObject({
      met: false,
      detail: 'lb has moved 15 keys to another target while their last one was still in the pool since the step began (goal: at most 1)',
    });
  });
});

describe('readConsumerMetric', () => {
  const m = nodeMetrics({
    kind: 'gateway',
    consumers: { abuser: { requests: 9, statusClasses: { '2xx': 4, '4xx': 5 }, errorCodes: { EDGE_RATE_LIMITED: 5 } } },
  });
  it.each([
    ['abuser', 'requests', 9],
    ['abuser', 'statusClasses.4xx', 5],
    ['abuser', 'statusClasses.5xx', 0],
    ['abuser', 'errorCodes.EDGE_RATE_LIMITED', 5],
    ['abuser', 'errorCodes.EDGE_UNAUTHORIZED', 0],
    ['mobile', 'requests', 0],
  ] as const)('%s %s is %d', (consumer, metric, expected) => {
    expect(readConsumerMetric(m, consumer, metric)).toBe(expected);
  });

  it('reads 0 at a node that has named no consumer', () => {
    expect(readConsumerMetric(nodeMetrics({ requests: 4 }), 'abuser', 'requests')).toBe(0);
  });
});

const abuserLimited5: Goal = { type: 'consumer', node: 'api', consumer: 'abuser', metric: 'errorCodes.EDGE_RATE_LIMITED', op: '>=', value: 5 };
const mobileNo4xx: Goal = { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.4xx', op: '==', value: 0 };

describe('checkGoal', () => {
  it.each<{
    name: string;
    goal: Goal;
    baseline: ReturnType<typeof snapshot>;
    now: ReturnType<typeof snapshot>;
    met: boolean;
    progress: number;
    detail: string;
  }>([
    {
      name: 'counts a counter from the step baseline by default',
      goal: { type: 'metric', node: 'users-2', metric: 'statusClasses.2xx', op: '>=', value: 20 },
      baseline: usersAnswered([30, 30, 30]),
      now: usersAnswered([40, 42, 40]),
      met: false,
      progress: 0.6,
      detail: 'users-2 has answered 12 of 20 requests with 2xx since the step began',
    },
    {
      name: 'is met once the growth reaches the value',
      goal: { type: 'metric', node: 'users-2', metric: 'statusClasses.2xx', op: '>=', value: 20 },
      baseline: usersAnswered([30, 30, 30]),
      now: usersAnswered([40, 50, 40]),
      met: true,
      progress: 1,
      detail: 'users-2 has answered 20 of 20 requests with 2xx since the step began',
    },
    {
      name: 'reads the running total with since: start',
      goal: { type: 'metric', node: 'users-2', metric: 'statusClasses.2xx', op: '>=', value: 20, since: 'start' },
      baseline: usersAnswered([30, 30, 30]),
      now: usersAnswered([30, 30, 30]),
      met: true,
      progress: 1,
      detail: 'users-2 has answered 30 requests with 2xx (goal: at least 20)',
    },
    {
      name: 'counts a node missing from the baseline from zero',
      goal: { type: 'metric', node: 'users-4', metric: 'requests', op: '>=', value: 4 },
      baseline: usersAnswered([1, 1, 1]),
      now: snapshot({ 'users-4': { requests: 3 } }),
      met: false,
      progress: 0.75,
      detail: 'users-4 has handled 3 of 4 requests since the step began',
    },
    {
      name: 'treats a counter below its baseline as restarted',
      goal: { type: 'metric', node: 'users-1', metric: 'requests', op: '>=', value: 5 },
      baseline: usersAnswered([100, 0, 0]),
      now: usersAnswered([6, 0, 0]),
      met: true,
      progress: 1,
      detail: 'users-1 has handled 6 requests since the step began (goal: at least 5)',
    },
    {
      name: 'says so when a node reports nothing',
      goal: { type: 'metric', node: 'users-9', metric: 'requests', op: '>=', value: 1 },
      baseline: {},
      now: usersAnswered([1, 1, 1]),
      met: false,
      progress: 0,
      detail: 'users-9 reports no metrics yet',
    },
    {
      name: 'reads an error code the node has not seen yet as 0',
      goal: refused3,
      baseline: snapshot({ users: { kind: 'balancer' } }),
      now: snapshot({ users: { kind: 'balancer', requests: 9 } }),
      met: false,
      progress: 0,
      detail: 'users has returned EDGE_UPSTREAM_REFUSED 0 of 3 times since the step began',
    },
    {
      name: 'reads a gauge as it is now, ignoring the baseline',
      goal: { type: 'metric', node: 'users-3', metric: 'latency.p95', op: '<=', value: 100 },
      baseline: snapshot({ 'users-3': { latency: { p95: 50 } } }),
      now: snapshot({ 'users-3': { latency: { p95: 125 } } }),
      met: false,
      progress: 0.8,
      detail: 'users-3 p95 latency is 125 ms (goal: at most 100 ms)',
    },
    {
      name: 'rounds a fractional reading to one decimal',
      goal: { type: 'metric', node: 'users-1', metric: 'ratePerSecond', op: '>=', value: 10 },
      baseline: {},
      now: snapshot({ 'users-1': { ratePerSecond: 4.56 } }),
      met: false,
      progress: 0.456,
      detail: 'users-1 completes 4.6 requests per second (goal: at least 10)',
    },
    {
      name: 'words a counter with another operator as a comparison',
      goal: { type: 'metric', node: 'users', metric: 'errors', op: '<', value: 1 },
      baseline: snapshot({ users: { errors: 4 } }),
      now: snapshot({ users: { errors: 4 } }),
      met: true,
      progress: 1,
      detail: 'users has returned 0 errors since the step began (goal: below 1)',
    },
    {
      name: 'never shows a full bar for an unmet strict comparison',
      goal: { type: 'metric', node: 'users-1', metric: 'inFlight', op: '>', value: 2 },
      baseline: {},
      now: snapshot({ 'users-1': { inFlight: 2 } }),
      met: false,
      progress: 0.99,
      detail: 'users-1 has 2 requests in flight (goal: above 2)',
    },
    {
      name: 'each: names the node furthest behind',
      goal: eachUser20,
      baseline: usersAnswered([0, 0, 0]),
      now: usersAnswered([20, 12, 16]),
      met: false,
      progress: 0.8,
      detail: 'users-2 has answered 12 of 20 requests with 2xx since the step began (1 of 3 nodes done)',
    },
    {
      name: 'each: is met only when every node is, on its own',
      goal: eachUser20,
      baseline: usersAnswered([0, 0, 0]),
      now: usersAnswered([60, 0, 0]),
      met: false,
      progress: 1 / 3,
      detail: 'users-2 has answered 0 of 20 requests with 2xx since the step began (1 of 3 nodes done)',
    },
    {
      name: 'each: met',
      goal: eachUser20,
      baseline: usersAnswered([5, 5, 5]),
      now: usersAnswered([25, 26, 27]),
      met: true,
      progress: 1,
      detail:
        'users-1 has answered 20 of 20 requests with 2xx since the step began; users-2 has answered 21 requests with 2xx since the step began (goal: at least 20); users-3 has answered 22 requests with 2xx since the step began (goal: at least 20)',
    },
    {
      name: 'all: reports the first unmet goal, progress is the mean',
      goal: { all: [refused3, { type: 'metric', node: 'users-1', metric: 'requests', op: '>=', value: 10 }] },
      baseline: snapshot({ users: {}, 'users-1': {} }),
      now: snapshot({ users: { errorCodes: { EDGE_UPSTREAM_REFUSED: 3 } }, 'users-1': { requests: 5 } }),
      met: false,
      progress: 0.75,
      detail: 'users-1 has handled 5 of 10 requests since the step began',
    },
    {
      name: 'any: reports the met goal',
      goal: { any: [refused3, { type: 'metric', node: 'users', metric: 'errorCodes.EDGE_NO_TARGET', op: '>=', value: 1 }] },
      baseline: snapshot({ users: {} }),
      now: snapshot({ users: { errorCodes: { EDGE_NO_TARGET: 1, EDGE_UPSTREAM_REFUSED: 1 } } }),
      met: true,
      progress: 1,
      detail: 'users has returned EDGE_NO_TARGET 1 of 1 times since the step began',
    },
    {
      name: 'any: unmet reports the closest goal',
      goal: { any: [refused3, { type: 'metric', node: 'users', metric: 'errorCodes.EDGE_NO_TARGET', op: '>=', value: 4 }] },
      baseline: snapshot({ users: {} }),
      now: snapshot({ users: { errorCodes: { EDGE_NO_TARGET: 1, EDGE_UPSTREAM_REFUSED: 2 } } }),
      met: false,
      progress: 2 / 3,
      detail: 'users has returned EDGE_UPSTREAM_REFUSED 2 of 3 times since the step began',
    },
    {
      name: 'consumer: counts one consumer’s counter from the step baseline',
      goal: abuserLimited5,
      baseline: snapshot({ api: { consumers: { abuser: { errorCodes: { EDGE_RATE_LIMITED: 10 } } } } }),
      now: snapshot({ api: { consumers: { abuser: { errorCodes: { EDGE_RATE_LIMITED: 13 } }, mobile: { errorCodes: { EDGE_RATE_LIMITED: 50 } } } } }),
      met: false,
      progress: 0.6,
      detail: 'consumer abuser has got EDGE_RATE_LIMITED 3 of 5 times at api since the step began',
    },
    {
      name: 'consumer: a consumer the gateway has not named yet counts 0',
      goal: abuserLimited5,
      baseline: snapshot({ api: {} }),
      now: snapshot({ api: { requests: 40 } }),
      met: false,
      progress: 0,
      detail: 'consumer abuser has got EDGE_RATE_LIMITED 0 of 5 times at api since the step began',
    },
    {
      name: 'consumer: met, and restarted counters count from zero',
      goal: { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'statusClasses.2xx', op: '>=', value: 10 },
      baseline: snapshot({ api: { consumers: { mobile: { statusClasses: { '2xx': 300 } } } } }),
      now: snapshot({ api: { consumers: { mobile: { statusClasses: { '2xx': 12 } } } } }),
      met: true,
      progress: 1,
      detail: 'consumer mobile has had 12 2xx answers at api since the step began (goal: at least 10)',
    },
    {
      name: 'consumer: reads the running total with since: start',
      goal: { type: 'consumer', node: 'api', consumer: 'mobile', metric: 'requests', op: '>=', value: 20, since: 'start' },
      baseline: snapshot({ api: { consumers: { mobile: { requests: 15 } } } }),
      now: snapshot({ api: { consumers: { mobile: { requests: 15 } } } }),
      met: false,
      progress: 0.75,
      detail: 'consumer mobile has sent 15 of 20 requests through api',
    },
    {
      name: 'consumer: "== 0" fails as soon as one counts',
      goal: mobileNo4xx,
      baseline: snapshot({ api: { consumers: { mobile: { statusClasses: { '4xx': 2 } } } } }),
      now: snapshot({ api: { consumers: { mobile: { statusClasses: { '4xx': 3 } } } } }),
      met: false,
      progress: 0,
      detail: 'consumer mobile has had 1 4xx answers at api since the step began (goal: exactly 0)',
    },
    {
      name: 'consumer: says so when the gateway reports nothing',
      goal: abuserLimited5,
      baseline: {},
      now: {},
      met: false,
      progress: 0,
      detail: 'api reports no metrics yet',
    },
  ])('$name', ({ goal, baseline, now, met, progress, detail }) => {
    const report = checkGoal(goal, now, baseline);
    expect(report.met).toBe(met);
    expect(report.progress).toBeCloseTo(progress, 6);
    expect(report.detail).toBe(detail);
  });

  it('a cache counter grows like any counter', () => {
    const goal: Goal = { type: 'metric', node: 'edge', metric: 'cache.COLLAPSED', op: '>=', value: 20 };
    const report = checkGoal(goal, snapshot({ edge: { cache: { COLLAPSED: 15 } } }), snapshot({ edge: { cache: { COLLAPSED: 5 } } }));
    expect(report).toEqual({
      met: false,
      progress: 0.5,
      detail: 'edge’s cache has answered 10 of 20 requests COLLAPSED since the step began',
      whyNot: 'edge’s cache has answered 10 requests COLLAPSED since the step began: 10 more to go.',
      readout: { measured: 10, op: '>=', target: 20, unit: '' },
    });
  });

  it('a TLS counter grows like any counter, in words of its own', () => {
    const goal: Goal = { type: 'metric', node: 'edge', metric: 'tls.requests.http/1.1', op: '>=', value: 20 };
    const report = checkGoal(goal, snapshot({ edge: { tls: { requests: { 'http/1.1': 15 } } } }), snapshot({ edge: { tls: { requests: { 'http/1.1': 5 } } } }));
    expect(report).toMatchObject({ met: false, progress: 0.5, detail: 'edge has received 10 of 20 requests over TLS as http/1.1 since the step began' });
    const handshakes: Goal = { type: 'metric', node: 'edge', metric: 'tls.handshakes', op: '<=', value: 3 };
    expect(checkGoal(handshakes, snapshot({ edge: { tls: { handshakes: 9 } } }), snapshot({ edge: { tls: { handshakes: 4 } } })).detail).toBe(
      'edge has completed 5 TLS handshakes since the step began (goal: at most 3)',
    );
  });

  it('all: reports every part in order, met or not', () => {
    const goal: Goal = { all: [abuserLimited5, mobileNo4xx] };
    const report = checkGoal(
      goal,
      snapshot({ api: { consumers: { abuser: { errorCodes: { EDGE_RATE_LIMITED: 2 } } } } }),
      snapshot({ api: {} }),
    );
    expect(report.parts?.map((p) => [p.met, p.detail])).toEqual([
      [false, 'consumer abuser has got EDGE_RATE_LIMITED 2 of 5 times at api since the step began'],
      [true, 'consumer mobile has had 0 4xx answers at api since the step began (goal: exactly 0)'],
    ]);
    expect(checkGoal(refused3, snapshot({ users: {} }), snapshot({ users: {} })).parts).toBeUndefined();
  });

  it('"stayed at 0" paired with a growth goal is not met at the step start', () => {
    const before = snapshot({ api: { consumers: { abuser: { errorCodes: { EDGE_RATE_LIMITED: 40 } } } } });
    expect(checkGoal({ all: [mobileNo4xx, abuserLimited5] }, before, before).met).toBe(false);
  });

  it('a goal met before the step began is not met at the step start', () => {
    const before = usersAnswered([500, 500, 500]);
    expect(checkGoal(eachUser20, before, before).met).toBe(false);
  });
});

describe('checkGoal: a ratio', () => {
  const hitRatio = (op: '>=' | '<=', value: number, since?: 'start'): Goal => ({
    type: 'ratio',
    label: 'edge’s hit ratio',
    counted: 'lookups',
    part: { node: 'edge', metrics: ['cache.HIT', 'cache.STALE'] },
    whole: { node: 'edge', metrics: ['cache.HIT', 'cache.STALE', 'cache.MISS'] },
    atLeast: 100,
    op,
    value,
    ...(since && { since }),
  });
  const before = snapshot({ edge: { cache: { HIT: 500, MISS: 500 } } });

  it.each<{ name: string; goal: Goal; now: ReturnType<typeof snapshot>; met: boolean; progress: number; detail: string }>([
    {
      name: 'waits for enough of the whole before judging, and fills half the bar meanwhile',
      goal: hitRatio('>=', 0.5),
      now: snapshot({ edge: { cache: { HIT: 540, MISS: 500 } } }),
      met: false,
      progress: 0.2,
      detail: 'edge’s hit ratio: 40 of 100 lookups counted since the step began, to judge it (goal: at least 50%)',
    },
    {
      name: 'judges the share of the growth of the sums, not of the totals',
      goal: hitRatio('>=', 0.5),
      now: snapshot({ edge: { cache: { HIT: 560, STALE: 10, MISS: 530 } } }),
      met: true,
      progress: 1,
      detail: 'edge’s hit ratio is 70% of 100 lookups since the step began (goal: at least 50%)',
    },
    {
      name: 'an unmet share fills the rest of the bar by its closeness',
      goal: hitRatio('>=', 0.5),
      now: snapshot({ edge: { cache: { HIT: 525, MISS: 575 } } }),
      met: false,
      progress: 0.75,
      detail: 'edge’s hit ratio is 25% of 100 lookups since the step began (goal: at least 50%)',
    },
    {
      name: 'a ceiling: met at or under it',
      goal: hitRatio('<=', 0.3),
      now: snapshot({ edge: { cache: { HIT: 530, MISS: 570 } } }),
      met: true,
      progress: 1,
      detail: 'edge’s hit ratio is 30% of 100 lookups since the step began (goal: at most 30%)',
    },
    {
      name: 'reads the totals with since: start',
      goal: hitRatio('>=', 0.5, 'start'),
      now: before,
      met: true,
      progress: 1,
      detail: 'edge’s hit ratio is 50% of 1000 lookups (goal: at least 50%)',
    },
    {
      name: 'says so when a node reports nothing',
      goal: hitRatio('>=', 0.5),
      now: snapshot({}),
      met: false,
      progress: 0,
      detail: 'edge reports no metrics yet',
    },
  ])('$name', ({ goal, now, met, progress, detail }) => {
    const report = checkGoal(goal, now, before);
    expect(report.met).toBe(met);
    expect(report.progress).toBeCloseTo(progress, 6);
    expect(report.detail).toBe(detail);
  });

  it('divides sums of two nodes: the share of the edge’s requests that reached the origin', () => {
    const goal: Goal = {
      type: 'ratio',
      label: 'the share of edge’s requests that reached catalog',
      counted: 'requests at edge',
      part: { node: 'catalog', metrics: ['requests'] },
      whole: { node: 'edge', metrics: ['requests'] },
      atLeast: 50,
      op: '<=',
      value: 0.5,
    };
    const start = snapshot({ edge: { requests: 10 }, catalog: { requests: 10 } });
    const report = checkGoal(goal, snapshot({ edge: { requests: 110 }, catalog: { requests: 40 } }), start);
    expect(report).toEqual({
      met: true,
      progress: 1,
      detail: 'the share of edge’s requests that reached catalog is 30% of 100 requests at edge since the step began (goal: at most 50%)',
      readout: { measured: 30, op: '<=', target: 50, unit: '%' },
    });
  });
});

/** Ticks one second apart from t = 0, the first being the baseline. */
function ticks(...nodes: MetricsByNode[]): Snapshot[] {
  return nodes.map((n, i) => ({ ts: i * 1000, nodes: n }));
}

/** Judge `goal` at the last of `history`, counted from its first. */
function atLast(goal: Goal, history: Snapshot[]) {
  return checkGoal(goal, history.at(-1)!.nodes, history[0]!.nodes, 'step', history);
}

describe('checkGoal: latency over the recent window', () => {
  const p99Under150: Goal = { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 };
  const lb = (requests: number, p99: number) => snapshot({ lb: { kind: 'balancer', recent: { requests, latency: { p99 } } } });

  it('reads the recent window, not the running summary', () => {
    const m = snapshot({ lb: { latency: { p99: 900 }, recent: { requests: 100, latency: { p99: 80 } } } });
    expect(checkGoal(p99Under150, m, m)).toMatchObject({ met: true, readout: { measured: 80, op: '<', target: 150, unit: 'ms' } });
  });

  it('says how far above the ceiling it is', () => {
    expect(checkGoal(p99Under150, lb(100, 212), lb(0, 0))).toMatchObject({
      met: false,
      detail: 'lb’s p99 over the last 5 s is 212 ms (goal: below 150 ms)',
      whyNot: 'lb’s p99 over the last 5 s is 212 ms: 62 ms above the ceiling of 150 ms.',
      readout: { measured: 212, op: '<', target: 150, unit: 'ms' },
    });
  });

  it('is not judged on an empty or thin window: its 0 ms would meet any ceiling', () => {
    const report = checkGoal(p99Under150, lb(3, 0), lb(0, 0));
    expect(report.met).toBe(false);
    expect(report.detail).toBe('lb answered 3 requests in the last 5 s, too few to judge its p99 (20 needed)');
    expect(checkGoal({ ...p99Under150, minRequests: 3 }, lb(3, 0), lb(0, 0)).met).toBe(true);
  });

  it('shows the latency of the few it answered, and no reading for an empty window', () => {
    expect(checkGoal(p99Under150, lb(3, 212), lb(0, 0)).readout).toEqual({ measured: 212, op: '<', target: 150, unit: 'ms' });
    expect(checkGoal(p99Under150, lb(0, 0), lb(0, 0)).readout).toBeUndefined();
  });
});

describe('checkGoal: hold', () => {
  const held: Goal = { hold: { type: 'latency', node: 'lb', stat: 'p99', op: '<', value: 150 }, seconds: 3 };
  const fast = snapshot({ lb: { recent: { requests: 50, latency: { p99: 40 } } } });
  const slow = snapshot({ lb: { recent: { requests: 50, latency: { p99: 400 } } } });

  it('is met once the goal has been true at every tick for its seconds', () => {
    expect(atLast(held, ticks(fast, fast, fast))).toMatchObject({ met: false, readout: { measured: 2, op: '>=', target: 3, unit: 's' } });
    expect(atLast(held, ticks(fast, fast, fast)).whyNot).toBe('It has held for 2 s of the 3 s it must hold on end.');
    expect(atLast(held, ticks(fast, fast, fast)).holding).toEqual({ measured: 40, op: '<', target: 150, unit: 'ms' });
    expect(atLast(held, ticks(fast, fast, fast, fast))).toMatchObject({ met: true, progress: 1, readout: { measured: 3 } });
  });

  it('starts over at a tick where the goal was false', () => {
    expect(atLast(held, ticks(fast, fast, fast, slow, fast, fast, fast)).met).toBe(false);
    expect(atLast(held, ticks(fast, fast, fast, slow, fast, fast, fast, fast)).met).toBe(true);
  });

  it('while false now, says why and what then', () => {
    const report = atLast(held, ticks(fast, fast, slow));
    expect(report).toMatchObject({ met: false, readout: { measured: 0 }, holding: { measured: 400, op: '<', target: 150, unit: 'ms' } });
    expect(report.whyNot).toBe('lb’s p99 over the last 5 s is 400 ms: 250 ms above the ceiling of 150 ms; then it must hold for 3 s.');
  });

  it('while nothing is measured, asks the question and then says what it must hold', () => {
    const empty = snapshot({ lb: { recent: { requests: 0, latency: { p99: 0 } } } });
    const report = atLast(held, ticks(empty, empty));
    expect(report.whyNot).toBe('lb answered 0 requests in the last 5 s, too few to judge its p99 (20 needed): is traffic reaching it? Then it must hold for 3 s.');
    expect(report.holding).toBeUndefined();
  });

  it('never counts from before the history began (the step or the last config change), nor without one', () => {
    expect(atLast(held, ticks(fast)).met).toBe(false);
    expect(checkGoal(held, fast, fast).met).toBe(false);
  });

  it('judges each earlier tick as it was then: a counter goal held means it stayed met', () => {
    const served = (n: number) => snapshot({ lb: { requests: n } });
    const atLeast10: Goal = { hold: { type: 'metric', node: 'lb', metric: 'requests', op: '>=', value: 10 }, seconds: 2 };
    expect(atLast(atLeast10, ticks(served(0), served(5), served(10), served(15))).met).toBe(false);
    expect(atLast(atLeast10, ticks(served(0), served(5), served(10), served(15), served(20))).met).toBe(true);
  });
});

describe('checkGoal: a ratio over a sliding window', () => {
  const lb = lbErrors;

  it('over the last N requests: early errors leave the window', () => {
    const incident = ticks(lb(0, 0), lb(100, 0), lb(200, 50), lb(300, 50));
    expect(atLast(errorsUnder1, incident)).toMatchObject({ met: false, readout: { measured: 25, unit: '%' } });
    expect(atLast(errorsUnder1, incident).whyNot).toBe('lb’s error rate is 25% (the last 200 or just over): 24% above the ceiling of 1%.');
    const after = ticks(lb(0, 0), lb(100, 0), lb(200, 50), lb(300, 50), lb(400, 51));
    expect(atLast(errorsUnder1, after)).toMatchObject({ met: true, detail: 'lb’s error rate is 0% of 200 requests at lb (the last 200 or just over) (goal: below 1%)' });
  });

  it('over the last N requests: unmet until N are counted', () => {
    const report = atLast(errorsUnder1, ticks(lb(0, 0), lb(60, 0), lb(120, 0)));
    expect(report.met).toBe(false);
    expect(report.detail).toBe('lb’s error rate: 120 of the last 200 requests at lb counted, to judge it');
    expect(report.whyNot).toBe('lb’s error rate: 120 of the last 200 requests at lb counted, to judge it: more traffic fills the window.');
  });

  it('before it can be judged, reads the share as it stands so far (none before anything was counted)', () => {
    expect(atLast(errorsUnder1, ticks(lb(0, 0), lb(60, 3), lb(120, 6))).readout).toEqual({ measured: 5, op: '<', target: 1, unit: '%' });
    expect(atLast(errorsUnder1, ticks(lb(0, 0), lb(0, 0))).readout).toBeUndefined();
    const lastTwoSeconds: Goal = { ...errorsUnder1, over: { seconds: 2 }, atLeast: 50 };
    expect(atLast(lastTwoSeconds, ticks(lb(0, 0), lb(100, 50))).readout).toEqual({ measured: 50, op: '<', target: 1, unit: '%' });
    const sinceStep: Goal = { ...errorsUnder1, over: undefined };
    expect(checkGoal(sinceStep, lb(40, 1), lb(0, 0))).toMatchObject({ met: false, readout: { measured: 2.5, unit: '%' } });
  });

  it('over the last T seconds: unmet until the window is full, then only its ticks count', () => {
    const lastTwoSeconds: Goal = { ...errorsUnder1, over: { seconds: 2 }, atLeast: 50 };
    expect(atLast(lastTwoSeconds, ticks(lb(0, 0), lb(100, 50))).detail).toBe('lb’s error rate: the window holds 1 of the 2 s it judges');
    expect(atLast(lastTwoSeconds, ticks(lb(0, 0), lb(100, 50), lb(200, 50), lb(300, 50))).met).toBe(true);
    expect(atLast(lastTwoSeconds, ticks(lb(0, 0), lb(100, 50), lb(200, 50))).met).toBe(false);
  });
});

describe('checkGoal: a metric the engine does not have', () => {
  it('is a clear error, never a goal that just never completes', () => {
    const goal = { type: 'metric', node: 'lb', metric: 'keysMoved', op: '>=', value: 1 } as unknown as Goal;
    const m = snapshot({ lb: { requests: 100 } });
    expect(checkGoal(goal, m, m)).toMatchObject({ met: false, detail: 'this goal cannot be judged: the engine reports no metric "keysMoved"' });
  });
});

describe('checkGoal: faults active now', () => {
  const faultsOnApp2: Goal = { type: 'metric', node: 'app-2', metric: 'activeFaults', op: '>=', value: 1 };

  it('is a gauge read as it is now, 0 on a node without one', () => {
    const before = snapshot({ 'app-2': { activeFaults: 3 } });
    expect(checkGoal(faultsOnApp2, snapshot({ 'app-2': { activeFaults: 1 } }), before)).toMatchObject({ met: true, detail: 'app-2’s faults active now: 1 (goal: at least 1)' });
    expect(checkGoal(faultsOnApp2, snapshot({ 'app-2': {} }), before)).toMatchObject({ met: false, whyNot: 'app-2’s faults active now: 0: 1 more to go.' });
  });
});

describe('checkGoal: a node removed from the config', () => {
  const legacyGone: Goal = { type: 'removed', node: 'legacy' };
  const routedAroundOrGone: Goal = { any: [{ type: 'metric', node: 'legacy', metric: 'requests', op: '==', value: 0 }, legacyGone] };

  it('is met once the running nodes no longer list it', () => {
    expect(checkGoal(legacyGone, snapshot({ edge: {} }), snapshot({ edge: {}, legacy: {} }))).toMatchObject({ met: true, progress: 1, detail: 'legacy is gone from the running config' });
  });

  it('is unmet while it runs, even unused, and on an empty snapshot (no sandbox, nothing removed)', () => {
    const running = snapshot({ edge: {}, legacy: {} });
    expect(checkGoal(legacyGone, running, running)).toMatchObject({ met: false, whyNot: 'legacy is still in the running config: remove it, and apply the config.' });
    expect(checkGoal(legacyGone, {}, running)).toMatchObject({ met: false, detail: 'legacy reports no metrics yet' });
  });

  it('beside "handled 0 requests" in an any, accepts routing around the hop as well as removing it', () => {
    const start = snapshot({ edge: { requests: 10 }, legacy: { requests: 10 } });
    expect(checkGoal(routedAroundOrGone, snapshot({ edge: { requests: 50 }, legacy: { requests: 10 } }), start).met).toBe(true);
    expect(checkGoal(routedAroundOrGone, snapshot({ edge: { requests: 50 } }), start).met).toBe(true);
    expect(checkGoal(routedAroundOrGone, snapshot({ edge: { requests: 50 }, legacy: { requests: 30 } }), start).met).toBe(false);
  });
});

describe('checkGoal: a guard (keep) beside the parts to achieve', () => {
  const faultStays: Goal = { keep: { type: 'metric', node: 'app-1', metric: 'activeFaults', op: '>=', value: 1 }, rule: 'app-1’s fault must stay' };
  const served20: Goal = { type: 'metric', node: 'edge', metric: 'statusClasses.2xx', op: '>=', value: 20 };
  const goal: Goal = { all: [served20, faultStays] };
  const at = (served: number, faults: number) => snapshot({ edge: { statusClasses: { '2xx': served } }, 'app-1': { activeFaults: faults } });
  const start = at(0, 1);

  it('is marked with its rule, and counts nothing toward the bar: a goal whose guard holds from the start starts empty', () => {
    const report = checkGoal(goal, start, start);
    expect(report.progress).toBe(0);
    expect(report.parts?.map((p) => p.rule)).toEqual([undefined, 'app-1’s fault must stay']);
    expect(checkGoal(goal, at(10, 1), start).progress).toBe(0.5);
  });

  it('broken, is what the why-not says first, plainly, and the bar stays short of full', () => {
    const report = checkGoal(goal, at(20, 0), start);
    expect(report).toMatchObject({ met: false, whyNot: 'Broken: app-1’s fault must stay (app-1’s faults active now: 0 (goal: at least 1)).' });
    expect(report.progress).toBeLessThan(1);
    // The readout stays on the part to achieve, not on the guard.
    expect(report.readout).toEqual({ measured: 20, op: '>=', target: 20, unit: '' });
  });

  it('met with the rest, keeps the reading of the part to achieve, and says only that part', () => {
    expect(checkGoal(goal, at(25, 1), start)).toMatchObject({
      met: true,
      progress: 1,
      detail: 'edge has answered 25 requests with 2xx since the step began (goal: at least 20)',
      readout: { measured: 25, op: '>=', target: 20, unit: '' },
    });
  });
});
