import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { happyPath } from '../lib/traces/fixtures.ts';
import type { Fault } from '../lib/api-types.ts';
import { LabState } from './lab-state.svelte.ts';
import { labWithTopology, metrics, stubApi, topology } from './state-fixtures.ts';

describe('LabActions', () => {
  beforeEach(stubApi);
  afterEach(() => vi.unstubAllGlobals());

  it('keeps a newer tick when an older fetched snapshot lands after it', async () => {
    const lab = labWithTopology();
    // The fetch stub answers /api/metrics with a snapshot taken at ts 1; the stream already gave ts 3000.
    lab.ingest([{ type: 'metrics.tick', seq: 99, ts: 3000, nodes: { 'users-1': metrics } }], 5000);
    await lab.actions.refresh();
    expect(lab.metricsTs).toBe(3000);
    expect(lab.metrics['users-1']?.requests).toBe(12);
  });

  it('hands a fetched snapshot newer than the last tick to the listeners too, never an older one', async () => {
    const lab = labWithTopology();
    const seen: unknown[] = [];
    lab.onMetricsTick((nodes) => seen.push(nodes));
    // The stub's snapshot is taken at ts 1: newer than no tick at all, older than a tick at ts 3000.
    await lab.actions.refresh();
    expect(seen).toEqual([{}]);
    lab.ingest([{ type: 'metrics.tick', seq: 99, ts: 3000, nodes: { 'users-1': metrics } }], 5000);
    await lab.actions.refresh();
    expect(seen).toEqual([{}, { 'users-1': metrics }]);
  });

  it('keeps a traffic change the stream told of while the snapshot was fetched, and takes the fetched state otherwise', async () => {
    const lab = labWithTopology();
    const started = { running: true, flows: [{ name: 'browse', to: 'edge', rate: 12, clients: 1 }], sent: 0 };
    // The fetch stub's answers say the fixture's traffic (browse at 4 req/s).
    const refreshing = lab.actions.refresh();
    lab.ingest([{ type: 'traffic.state', seq: 98, ts: 2000, ...started }], 5000);
    await refreshing;
    expect(lab.traffic).toEqual(started);
    await lab.actions.refresh();
    expect(lab.traffic).toEqual(topology.traffic);
  });

  it("reads the inspectors' counts again on a counts reset, and drops a read asked before it that answers after", async () => {
    // Each topology read waits until the test answers it with the compression totals of that moment.
    const reads: Array<(saved: number) => void> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        (url: string) =>
          new Promise<Response>((resolve) => {
            if (!url.endsWith('/api/topology')) return resolve(new Response('[]'));
            const compression = (saved: number) => ({ responses: saved === 0 ? 0 : 3, bytesIn: saved, bytesOut: 0, saved, failures: 0 });
            reads.push((saved) =>
              resolve(new Response(JSON.stringify({ ...topology, nodes: topology.nodes.map((n) => (n.id === 'edge' ? { ...n, compression: compression(saved) } : n)) }))),
            );
          }),
      ),
    );
    const lab = labWithTopology();
    const before = lab.actions.refreshLiveViews();
    reads[0]!(900);
    await before;
    expect(lab.compressions.edge?.saved).toBe(900);
    const stale = lab.actions.refreshLiveViews();
    lab.ingest([{ type: 'metrics.reset', seq: 1, ts: 2000, nodes: {} }], 2000);
    // The reset asked for the views again: its read is the second one pending.
    expect(reads).toHaveLength(3);
    reads[2]!(0);
    await vi.waitFor(() => expect(lab.compressions.edge?.saved).toBe(0));
    reads[1]!(1200);
    await stale;
    expect(lab.compressions.edge?.saved).toBe(0);
  });

  describe('the faults', () => {
    const fault: Fault = { id: 'f1', target: 'users-2', type: 'latency', ms: 300, jitter: 0, source: 'api', startedAt: 1 };
    /** Each faults read waits until the test answers it with a list; the other reads answer at once. */
    function pendingFaultReads(): Array<(faults: Fault[]) => void> {
      const reads: Array<(faults: Fault[]) => void> = [];
      vi.stubGlobal(
        'fetch',
        vi.fn(
          (url: string) =>
            new Promise<Response>((resolve) => {
              if (url.endsWith('/api/faults')) reads.push((faults) => resolve(new Response(JSON.stringify(faults))));
              else resolve(new Response(JSON.stringify(url.endsWith('/api/metrics') ? { ts: 1, nodes: {}, traffic: topology.traffic } : topology)));
            }),
        ),
      );
      return reads;
    }

    it('are read again when the stream told of one while they were read, and the older answer is not taken', async () => {
      const reads = pendingFaultReads();
      const lab = labWithTopology();
      const refreshing = lab.actions.refreshFaults();
      lab.ingest([{ type: 'fault.started', seq: 1, ts: 1, fault }], 1);
      expect(lab.faults).toEqual([fault]);
      // The first read was answered by the engine before the fault began.
      reads[0]!([]);
      await vi.waitFor(() => expect(reads).toHaveLength(2));
      expect(lab.faults).toEqual([fault]);
      reads[1]!([fault]);
      await refreshing;
      expect(lab.faults).toEqual([fault]);
    });

    it('are read again when the stream first opens: a fault begun between the first read and the stream shows', async () => {
      const reads = pendingFaultReads();
      const sources: Array<{ onopen: (() => void) | null }> = [];
      const lab = new LabState();
      lab.start({
        createSource: () => {
          const source = { readyState: 0, onopen: null, onmessage: null, onerror: null, close() {} };
          sources.push(source);
          return source;
        },
      });
      await vi.waitFor(() => expect(reads).toHaveLength(1));
      // The page's first read is answered before the fault; the fault begins before the stream starts, so no event tells of it.
      reads[0]!([]);
      await vi.waitFor(() => expect(lab.topology).toEqual(topology));
      expect(lab.faults).toEqual([]);
      sources[0]!.onopen!();
      await vi.waitFor(() => expect(reads).toHaveLength(2));
      reads[1]!([fault]);
      await vi.waitFor(() => expect(lab.faults).toEqual([fault]));
      lab.stop();
    });
  });

  it('turns a rejected action into a notice', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ errors: [{ path: 'rate', message: 'too high' }] }), { status: 400 })),
    );
    const lab = labWithTopology();
    await lab.actions.setRate(5);
    expect(lab.actions.notice).toEqual({
      kind: 'error',
      text: 'Could not set the rate to 5 req/s: POST /api/traffic answered 400: rate: too high',
    });
  });

  it('switches an algorithm through the config, and hands back the engine’s refusal', async () => {
    const config = { version: 1, nodes: [{ id: 'users', kind: 'balancer', algorithm: 'maglev', hashKey: 'path', targets: ['users-1'] }] };
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method !== 'PUT') return new Response(JSON.stringify(config));
        bodies.push(JSON.parse(init.body as string));
        return bodies.length === 1
          ? new Response(JSON.stringify({ applied: true, failures: ['users-1: port in use'] }))
          : new Response(JSON.stringify({ errors: [{ path: 'nodes[0].algorithm', message: 'nope' }] }), { status: 400 });
      }),
    );
    const lab = labWithTopology();
    expect(await lab.actions.setAlgorithm('users', { algorithm: 'p2c' })).toEqual({ ok: true, failures: ['users-1: port in use'] });
    expect(bodies[0]).toEqual({ version: 1, nodes: [{ id: 'users', kind: 'balancer', algorithm: 'p2c', targets: ['users-1'] }] });
    const refused = await lab.actions.setAlgorithm('users', { algorithm: 'random' });
    expect(refused).toMatchObject({ ok: false, errors: [{ path: 'nodes[0].algorithm', message: 'nope' }] });
    expect(await lab.actions.setAlgorithm('nope', { algorithm: 'random' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('no balancer "nope"'),
    });
  });

  it('keeps the warnings of the config it applied until dismissed or the next apply', async () => {
    const config = {
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          routes: [{ match: { path: '/*' }, to: 'users', rateLimit: { algorithm: 'token-bucket', rate: 1, key: 'ip' } }],
        },
      ],
    };
    const warning = { path: 'nodes[0].routes[1]', message: 'can never match: route 0 (/*) matches every request this one does' };
    const answers: Array<{ body: unknown; held?: Promise<void> }> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method !== 'PUT') return new Response(JSON.stringify(config));
        const answer = answers.shift()!;
        await answer.held;
        return new Response(JSON.stringify(answer.body));
      }),
    );
    const lab = labWithTopology();
    const place = { route: 0, index: 0 };
    answers.push({ body: { applied: true, failures: [], warnings: [warning] } });
    expect(await lab.actions.setLimiter('api', place, 'gcra')).toEqual({ ok: true, failures: [] });
    expect(lab.actions.configWarnings).toEqual([warning]);
    lab.actions.dismissConfigWarnings();
    expect(lab.actions.configWarnings).toEqual([]);

    answers.push({ body: { applied: true, failures: [], warnings: [warning] } });
    await lab.actions.setLimiter('api', place, 'fixed-window');
    expect(lab.actions.configWarnings).toEqual([warning]);
    // The next apply clears them as it starts, and its own answer (no warnings) leaves none.
    let release!: () => void;
    answers.push({ body: { applied: true, failures: [] }, held: new Promise((resolve) => (release = resolve)) });
    const applying = lab.actions.setLimiter('api', place, 'token-bucket');
    expect(lab.actions.configWarnings).toEqual([]);
    release();
    await applying;
    expect(lab.actions.configWarnings).toEqual([]);
  });
});
