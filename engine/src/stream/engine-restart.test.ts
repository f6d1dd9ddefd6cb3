/**
 * The event stream across an engine restart, on real sockets: an engine and its control server stop,
 * a new engine run starts on the same port, and the page's EventSource reconnects with the last id it
 * had. The new run's seqs start again at 1, so a bare seq would place the page in the wrong history;
 * the run id in the event id tells it that it missed events instead.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startControlServer, type ControlServer } from '../server.ts';
import { startEngine, type RunningEngine } from '../testing/harness.ts';
import { parseEventId } from './event-id.ts';
import { SseTestClient } from './sse-test-client.ts';

const config = {
  version: 1,
  name: 'Restart test',
  nodes: [
    { id: 'edge', kind: 'proxy', to: 's1' },
    { id: 's1', kind: 'service' },
  ],
};

interface Run {
  engine: RunningEngine;
  control: ControlServer;
  /** The bus's last seq when the control server (and its event stream) started: the engine's start-up events. */
  startUpEvents: number;
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startRun(port = 0): Promise<Run> {
  const engine = await startEngine(config);
  stops.push(() => engine.stop());
  const startUpEvents = engine.engine.bus.lastSeq;
  const control = await startControlServer({ engine: engine.engine, port, webRoot: '/nonexistent' });
  stops.push(() => control.close());
  return { engine, control, startUpEvents };
}

async function stopRun(run: Run): Promise<void> {
  await run.control.close();
  await run.engine.stop();
}

async function connect(run: Run, headers: Record<string, string> = {}): Promise<SseTestClient> {
  const client = await SseTestClient.connect(`${run.control.url}/api/events`, headers);
  stops.push(() => client.close());
  return client;
}

/** One request through the edge; resolves to its request id once the edge answered. */
async function request(run: Run, path: string): Promise<string> {
  const res = await fetch(run.engine.url('edge', path));
  await res.text();
  return res.headers.get('x-request-id')!;
}

const completedAtEdge = (client: SseTestClient, rid: string) =>
  client.events.some((e) => e.type === 'request.completed' && e.rid === rid && e.node === 'edge');

describe('event stream across an engine restart', () => {
  it('tells a client resuming with an id of the previous run that it missed events, then streams the new run', async () => {
    const first = await startRun();
    const port = first.control.port;
    const page = await connect(first);
    const seen = await request(first, '/before');
    await vi.waitFor(() => expect(completedAtEdge(page, seen)).toBe(true));
    const lastId = page.lastId!;
    expect(parseEventId(lastId)).toEqual({ runId: first.engine.engine.bus.runId, seq: first.engine.engine.bus.lastSeq });
    page.close();
    await stopRun(first);

    const second = await startRun(port);
    expect(second.control.port).toBe(port);
    expect(second.engine.engine.bus.runId).not.toBe(first.engine.engine.bus.runId);
    // The new run passes the old one's seq before the page comes back: a bare seq would now replay from
    // the middle of the new run and skip its start without a word.
    const missed: string[] = [];
    for (let i = 0; missed.length === 0 || second.engine.engine.bus.lastSeq <= parseEventId(lastId)!.seq; i++) {
      missed.push(await request(second, `/while-away/${i}`));
    }

    const resumed = await connect(second, { 'last-event-id': lastId });
    await vi.waitFor(() => expect(resumed.messages.length).toBeGreaterThan(0));
    const [notice, ...replayed] = resumed.messages[0].items;
    // The start-up events (node.state, config.applied) came before the stream existed: counted as never held, not as a sample.
    expect(notice).toEqual({ type: 'stream.dropped', reason: 'engine-restart', dropped: second.startUpEvents, total: second.startUpEvents });
    expect(resumed.notices).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ seq: second.startUpEvents + 1 });
    for (const rid of missed) expect(completedAtEdge(resumed, rid)).toBe(true);

    const after = await request(second, '/after');
    await vi.waitFor(() => expect(completedAtEdge(resumed, after)).toBe(true));
    expect(parseEventId(resumed.lastId!)).toEqual({ runId: second.engine.engine.bus.runId, seq: second.engine.engine.bus.lastSeq });
    const seqs = resumed.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => second.startUpEvents + 1 + i));
  });

  it('resumes a client of the same run exactly, with no notice', async () => {
    const run = await startRun();
    const page = await connect(run);
    await vi.waitFor(() => expect(page.lastId).toBeDefined());
    page.close();
    const missed = await request(run, '/missed');
    const resumed = await connect(run, { 'last-event-id': page.lastId! });
    await vi.waitFor(() => expect(completedAtEdge(resumed, missed)).toBe(true));
    expect(resumed.notices).toEqual([]);
    expect(resumed.events[0].seq).toBe(run.startUpEvents + 1);
  });
});
