import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../bus.ts';
import { createEventStream, type EventStream, type EventStreamOptions } from './event-stream.ts';
import { SseTestClient } from './sse-test-client.ts';

interface Harness {
  bus: EventBus;
  stream: EventStream;
  connect(headers?: Record<string, string>, query?: string): Promise<SseTestClient>;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `before` emits on the bus before the stream exists, as the engine's start-up does before its control server. */
async function start(options?: EventStreamOptions, clock?: () => number, before?: (bus: EventBus) => void): Promise<Harness> {
  const bus = new EventBus(clock, RUN);
  before?.(bus);
  const stream = createEventStream(bus, options);
  const server: Server = createServer((req, res) => stream.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    stream.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    bus,
    stream,
    async connect(headers, query = '') {
      const client = await SseTestClient.connect(`http://127.0.0.1:${port}/api/events${query}`, headers);
      cleanups.push(() => client.close());
      return client;
    },
  };
}

function emitRequest(bus: EventBus, n: number, path = `/users/${n}`): void {
  bus.emit({ type: 'request.received', rid: `r${n}`, node: 'edge', from: 'client', method: 'GET', path, peer: '127.0.0.1' });
}

function emitTick(bus: EventBus): void {
  bus.emit({ type: 'metrics.tick', nodes: {} });
}

const RUN = 'testrun';
/** The SSE id of event `seq` of this test's engine run. */
const id = (seq: number) => `${RUN}-${seq}`;
const seqsOf = (client: SseTestClient) => client.events.map((event) => event.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('event stream', () => {
  it('answers with SSE headers, a connected comment and the retry delay', async () => {
    const { connect } = await start();
    const client = await connect();
    expect(client.status).toBe(200);
    expect(client.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    await vi.waitFor(() => expect(client.comments).toEqual(['connected']));
    expect(client.retry).toBe(1000);
    expect(client.lastId).toBe(id(0));
    expect(client.messages).toEqual([]);
  });

  it('gives a fresh client the id of the last event so far, so a drop before its first message resumes without loss', async () => {
    const { bus, connect } = await start();
    for (let n = 1; n <= 3; n++) emitRequest(bus, n);
    const fresh = await connect();
    await vi.waitFor(() => expect(fresh.lastId).toBe(id(3)));
    fresh.close();
    for (let n = 4; n <= 5; n++) emitRequest(bus, n);
    const resumed = await connect({ 'last-event-id': fresh.lastId! });
    await vi.waitFor(() => expect(seqsOf(resumed)).toEqual([4, 5]));
    expect(resumed.notices).toEqual([]);
  });

  it('delivers events in seq order, one message per flush whose id is its last seq', async () => {
    const { bus, connect } = await start();
    const client = await connect();
    for (let n = 1; n <= 3; n++) emitRequest(bus, n);
    await vi.waitFor(() => expect(client.events).toHaveLength(3));
    emitTick(bus);
    bus.emit({ type: 'config.applied', name: 'Classic edge', nodes: 7, generation: 1 });
    await vi.waitFor(() => expect(client.events).toHaveLength(5));
    expect(seqsOf(client)).toEqual([1, 2, 3, 4, 5]);
    expect(client.messages.map((message) => [message.id, message.items.length])).toEqual([
      [id(3), 3],
      [id(5), 2],
    ]);
    expect(client.events[0]).toMatchObject({ type: 'request.received', rid: 'r1', path: '/users/1' });
    expect(client.events[4]).toMatchObject({ type: 'config.applied', name: 'Classic edge' });
  });

  it('batches a burst into a single message', async () => {
    const { bus, connect } = await start();
    const client = await connect();
    for (let n = 1; n <= 500; n++) emitRequest(bus, n);
    await vi.waitFor(() => expect(client.events).toHaveLength(500));
    expect(client.messages).toHaveLength(1);
    expect(client.lastId).toBe(id(500));
  });

  it('replays exactly the missed events to a client that resumes with Last-Event-ID', async () => {
    const { bus, connect } = await start();
    const first = await connect();
    for (let n = 1; n <= 5; n++) emitRequest(bus, n);
    await vi.waitFor(() => expect(first.lastId).toBe(id(5)));
    first.close();
    for (let n = 6; n <= 9; n++) emitRequest(bus, n);
    emitTick(bus);

    const resumed = await connect({ 'last-event-id': first.lastId! });
    await vi.waitFor(() => expect(resumed.events).toHaveLength(5));
    expect(seqsOf(resumed)).toEqual([6, 7, 8, 9, 10]);
    expect(resumed.messages[0].id).toBe(id(10));
    expect(resumed.notices).toEqual([]);
    emitRequest(bus, 11);
    await vi.waitFor(() => expect(seqsOf(resumed)).toEqual([6, 7, 8, 9, 10, 11]));
  });

  it('replays a whole-request sample of a busy second, saying how many events it left out; live clients got them all', async () => {
    let now = 1_000;
    const { bus, connect } = await start({ ringRequestEventsPerSecond: 10 }, () => now);
    const live = await connect();
    const first = await connect();
    emitTick(bus);
    await vi.waitFor(() => expect(first.lastId).toBe(id(1)));
    first.close();
    // Second 1: 40 per-request events, four times the ring's budget, so second 2 keeps 1 request in 4.
    for (let n = 1; n <= 40; n++) emitRequest(bus, n);
    now = 2_000;
    for (let n = 41; n <= 80; n++) emitRequest(bus, n);
    emitTick(bus);

    const resumed = await connect({ 'last-event-id': id(1) });
    await vi.waitFor(() => expect(resumed.notices).toHaveLength(1));
    const [notice] = resumed.notices;
    expect(notice).toMatchObject({ type: 'stream.dropped', reason: 'history-sample', total: 81 });
    expect(notice!.dropped).toBeGreaterThan(10);
    expect(resumed.events.length + notice!.dropped).toBe(81);
    expect(resumed.events.filter((e) => e.ts < 2_000)).toHaveLength(40);
    expect(resumed.events.at(-1)).toMatchObject({ type: 'metrics.tick', seq: 82 });
    expect(resumed.messages[0].id).toBe(id(82));
    await vi.waitFor(() => expect(live.events).toHaveLength(82));
    expect(live.notices).toEqual([]);
  });

  it('resumes from ?lastEventId= for clients that cannot set headers, the header winning when both are set', async () => {
    const { bus, connect } = await start();
    for (let n = 1; n <= 10; n++) emitRequest(bus, n);
    const byQuery = await connect({}, `?lastEventId=${id(7)}`);
    const byHeader = await connect({ 'last-event-id': id(8) }, `?lastEventId=${id(2)}`);
    await vi.waitFor(() => expect(seqsOf(byQuery)).toEqual([8, 9, 10]));
    await vi.waitFor(() => expect(seqsOf(byHeader)).toEqual([9, 10]));
  });

  it.each([
    ['an id of another engine run', 'f00d-3'],
    ['a bare seq, from before ids named their run', '2'],
    ['an id of this run that it has not reached', `${RUN}-99`],
    ['an id it cannot read', 'not-an-id'],
  ])('tells a client resuming with %s that the engine restarted, then replays this run from its start', async (_, lastId) => {
    const { bus, connect } = await start();
    for (let n = 1; n <= 3; n++) emitRequest(bus, n);
    const client = await connect({ 'last-event-id': lastId });
    await vi.waitFor(() => expect(client.messages).toHaveLength(1));
    expect(client.messages[0].items[0]).toEqual({ type: 'stream.dropped', reason: 'engine-restart', dropped: 0, total: 0 });
    expect(client.messages[0].id).toBe(id(3));
    emitRequest(bus, 4);
    await vi.waitFor(() => expect(seqsOf(client)).toEqual([1, 2, 3, 4]));
    expect(client.notices).toHaveLength(1);
  });

  it('tells a client from another run how many of this run\'s events the ring no longer holds', async () => {
    const { bus, connect } = await start({ ringSize: 10 });
    for (let n = 1; n <= 30; n++) emitRequest(bus, n);
    const client = await connect({ 'last-event-id': 'f00d-5000' });
    await vi.waitFor(() => expect(client.events).toHaveLength(10));
    expect(client.messages[0].items[0]).toEqual({ type: 'stream.dropped', reason: 'engine-restart', dropped: 20, total: 20 });
    expect(seqsOf(client)).toEqual(range(21, 30));
  });

  it('counts the events emitted before the stream existed as never held, not as a sample', async () => {
    const startUp = (bus: EventBus) => {
      bus.emit({ type: 'node.state', node: 'edge', kind: 'proxy', state: 'up', port: 8080 });
      bus.emit({ type: 'config.applied', name: 'Classic edge', nodes: 1, generation: 1 });
      for (let n = 1; n <= 3; n++) emitRequest(bus, n);
    };
    const { bus, stream, connect } = await start(undefined, undefined, startUp);
    emitTick(bus);
    const restarted = await connect({ 'last-event-id': 'f00d-9' });
    await vi.waitFor(() => expect(restarted.events).toHaveLength(1));
    expect(restarted.notices).toEqual([{ type: 'stream.dropped', reason: 'engine-restart', dropped: 5, total: 5 }]);
    expect(restarted.events[0]).toMatchObject({ type: 'metrics.tick', seq: 6 });
    expect(stream.stats()).toMatchObject({ ringEvents: 1, ringSampledOut: 0 });
  });

  it('says how many events were lost when Last-Event-ID is older than the ring, then replays the rest', async () => {
    const { bus, connect } = await start({ ringSize: 10 });
    for (let n = 1; n <= 30; n++) emitRequest(bus, n);
    const client = await connect({ 'last-event-id': id(5) });
    await vi.waitFor(() => expect(client.events).toHaveLength(10));
    expect(client.messages[0].items[0]).toEqual({ type: 'stream.dropped', reason: 'resume-gap', dropped: 15, total: 15 });
    expect(seqsOf(client)).toEqual(range(21, 30));
    expect(client.lastId).toBe(id(30));
  });

  it('sends a heartbeat comment to an idle client', async () => {
    const { connect } = await start({ heartbeatMs: 30 });
    const client = await connect();
    await vi.waitFor(() => expect(client.comments.filter((comment) => comment === 'heartbeat').length).toBeGreaterThanOrEqual(2));
    expect(client.messages).toEqual([]);
  });

  it('drops per-request events for a client that stops reading, says how many, and delivers every metrics.tick', async () => {
    const maxQueuedPerClient = 2_000;
    const { bus, stream, connect } = await start({ maxQueuedPerClient });
    const client = await connect();
    await vi.waitFor(() => expect(client.comments).toContain('connected'));
    client.pause();

    const chunks = 200;
    const perChunk = 1_000;
    let emitMs = 0;
    let peakQueued = 0;
    let peakBufferedBytes = 0;
    for (let chunk = 0; chunk < chunks; chunk++) {
      const emitStarted = performance.now();
      for (let i = 0; i < perChunk; i++) emitRequest(bus, chunk * perChunk + i);
      emitTick(bus);
      emitMs += performance.now() - emitStarted;
      const [stats] = stream.stats().perClient;
      peakQueued = Math.max(peakQueued, stats.queued);
      peakBufferedBytes = Math.max(peakBufferedBytes, stats.bufferedBytes);
      // Let flushes run, so the paused socket fills and the server sees the client fall behind.
      await delay(1);
    }
    // The bus never waits on the socket: 200k emits cost a few microseconds each.
    expect(emitMs).toBeLessThan(2_000);
    // Per-request events stop at the cap; only the (never dropped) ticks may queue beyond it.
    expect(peakQueued).toBeLessThanOrEqual(maxQueuedPerClient + chunks);
    // Nothing is written while the socket holds more than 256 KiB: at most one message more.
    expect(peakBufferedBytes).toBeLessThan(256 * 1024 + maxQueuedPerClient * 200);
    expect(stream.stats().perClient[0].dropped).toBeGreaterThan(0);

    client.resume();
    await vi.waitFor(() => expect(client.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
    const ticks = client.events.filter((event) => event.type === 'metrics.tick');
    expect(ticks).toHaveLength(chunks);
    const delivered = client.events.filter((event) => event.type === 'request.received').length;
    const dropped = sum(client.notices.map((notice) => notice.dropped));
    expect(client.notices.every((notice) => notice.reason === 'slow-consumer' && notice.dropped <= notice.total)).toBe(true);
    expect(delivered + dropped).toBe(chunks * perChunk);
    expect(dropped).toBe(stream.stats().dropped);
    const seqs = seqsOf(client);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1])).toBe(true);
    expect(stream.stats().perClient[0]).toMatchObject({ queued: 0, behind: false });
  });

  it('samples whole requests while a client is behind, so a kept request keeps every hop', async () => {
    const { bus, stream, connect } = await start({ maxQueuedPerClient: 100_000 });
    const client = await connect();
    await vi.waitFor(() => expect(client.comments).toContain('connected'));
    client.pause();
    const padding = 'x'.repeat(2_000);
    for (let chunk = 0; stream.stats().perClient[0].behind === false; chunk++) {
      expect(chunk).toBeLessThan(1_000);
      for (let i = 0; i < 100; i++) emitRequest(bus, chunk * 100 + i, `/${padding}`);
      await delay(20);
    }
    for (let n = 0; n < 1_000; n++) {
      emitRequest(bus, 1e6 + n);
      bus.emit({ type: 'request.completed', rid: `r${1e6 + n}`, node: 'edge', status: 200, durationMs: 1 });
    }
    client.resume();
    await vi.waitFor(() => expect(client.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
    const byRequest = new Map<string, string[]>();
    for (const event of client.events) {
      if (!('rid' in event) || Number(event.rid.slice(1)) < 1e6) continue;
      byRequest.set(event.rid, [...(byRequest.get(event.rid) ?? []), event.type]);
    }
    // About 1 request in 10 kept (FNV-1a spreads ids evenly; 40..160 of 1 000 is a wide margin).
    expect(byRequest.size).toBeGreaterThan(40);
    expect(byRequest.size).toBeLessThan(160);
    for (const types of byRequest.values()) expect(types).toEqual(['request.received', 'request.completed']);
  });

  it('keeps clients independent: a stalled client costs a reading one nothing', async () => {
    const { bus, connect } = await start();
    const stalled = await connect();
    const reading = await connect();
    await vi.waitFor(() => expect(stalled.comments).toContain('connected'));
    stalled.pause();
    // About 11 MB in all, so the stalled socket (about 4 MB of kernel and client buffers on loopback)
    // fills, at a pace the in-process reader parses with ease.
    const padding = 'x'.repeat(1_000);
    const chunks = 100;
    const perChunk = 100;
    for (let chunk = 0; chunk < chunks; chunk++) {
      for (let i = 0; i < perChunk; i++) emitRequest(bus, chunk * perChunk + i, `/${padding}`);
      emitTick(bus);
      await delay(5);
    }
    await vi.waitFor(() => expect(reading.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
    expect(reading.events).toHaveLength(chunks * (perChunk + 1));
    expect(reading.notices).toEqual([]);
    stalled.resume();
    await vi.waitFor(() => expect(stalled.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
    expect(stalled.events.filter((event) => event.type === 'metrics.tick')).toHaveLength(chunks);
    expect(sum(stalled.notices.map((notice) => notice.dropped))).toBeGreaterThan(0);
  });

  it('cuts off a client that reads nothing for the send timeout (nginx send_timeout); a reading one stays, and it resumes from the ring', async () => {
    const { bus, stream, connect } = await start({ sendTimeoutMs: 200 });
    const stalled = await connect();
    const reading = await connect();
    await vi.waitFor(() => expect(stalled.comments).toContain('connected'));
    stalled.pause();
    // Aggregate events alone (never dropped), until the stalled socket is behind: its queue would only grow.
    const padding = 'x'.repeat(10_000);
    for (let chunk = 0; stream.stats().perClient.every((client) => !client.behind); chunk++) {
      expect(chunk).toBeLessThan(2_000);
      for (let i = 0; i < 10; i++) bus.emit({ type: 'config.applied', name: padding, nodes: 1, generation: chunk });
      await delay(5);
    }
    await vi.waitFor(() => expect(stream.stats()).toMatchObject({ clients: 1, cutOff: 1 }), { timeout: 5_000 });
    await vi.waitFor(() => expect(reading.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
    expect(reading.ended).toBe(false);
    const resumed = await connect({ 'last-event-id': stalled.lastId ?? id(0) });
    await vi.waitFor(() => expect(resumed.lastId).toBe(id(bus.lastSeq)), { timeout: 15_000 });
  });

  it('cuts off a client whose queue overflows with aggregate events alone; it resumes from the ring', async () => {
    const { bus, stream, connect } = await start({ maxQueuedPerClient: 10 });
    const client = await connect();
    await vi.waitFor(() => expect(client.comments).toContain('connected'));
    for (let i = 0; i < 25; i++) emitTick(bus);
    await vi.waitFor(() => expect(client.ended).toBe(true));
    await vi.waitFor(() => expect(stream.stats()).toMatchObject({ clients: 0, cutOff: 1 }));
    const resumed = await connect({ 'last-event-id': id(0) });
    await vi.waitFor(() => expect(seqsOf(resumed)).toEqual(range(1, 25)));
  });

  it('forgets a client that disconnects', async () => {
    const { bus, stream, connect } = await start();
    const client = await connect();
    await vi.waitFor(() => expect(stream.stats().clients).toBe(1));
    client.close();
    await vi.waitFor(() => expect(stream.stats().clients).toBe(0));
    emitRequest(bus, 1);
    expect(stream.stats()).toMatchObject({ clients: 0, ringEvents: 1, dropped: 0 });
  });

  it('flushes and ends every response on close, and refuses new clients after it', async () => {
    const { bus, stream, connect } = await start();
    const client = await connect();
    emitRequest(bus, 1);
    stream.close();
    await vi.waitFor(() => expect(client.ended).toBe(true));
    expect(seqsOf(client)).toEqual([1]);
    const late = await connect();
    expect(late.status).toBe(503);
  });
});
