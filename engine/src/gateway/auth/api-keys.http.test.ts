/**
 * An API key given more than once, on a real gateway and real sockets: two header fields (which Node
 * joins into one value, "k-1, k-2") or the query parameter twice is 400 `ambiguous` with RFC 6750
 * section 3.1's `invalid_request`, never an accept of either copy, and nothing goes upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../events.ts';
import { rawHttp, rawUpstream, startEngine, type RawResponse, type RawUpstream, type RunningEngine } from '../../testing/harness.ts';

let running: RunningEngine;
let upstream: RawUpstream;

beforeAll(async () => {
  upstream = await rawUpstream((_req, res) => res.end('ok'));
  const gateway = (id: string, apiKey: Record<string, string>) => ({
    id,
    kind: 'gateway',
    consumers: [
      { name: 'mobile', apiKeys: ['k-1'] },
      { name: 'web', apiKeys: ['k-2'] },
    ],
    credentials: { apiKey },
    routes: [{ match: { path: '/*' }, to: upstream.url }],
  });
  running = await startEngine({
    version: 1,
    nodes: [gateway('in-header', { header: 'x-api-key' }), gateway('in-query', { query: 'api_key' })],
  });
});
afterAll(async () => {
  await running?.stop();
  await upstream?.close();
});

function send(node: string, target: string, fields: string[] = []): Promise<RawResponse> {
  const head = fields.map((field) => `${field}\r\n`).join('');
  return rawHttp(running.port(node), `GET ${target} HTTP/1.1\r\nHost: lab\r\n${head}Connection: close\r\n\r\n`);
}

function lastCompleted(node: string): EventOf<'request.completed'> {
  return running.events.filter((e): e is EventOf<'request.completed'> => e.type === 'request.completed' && e.node === node).at(-1)!;
}

const forwarded = () => upstream.received.length;

describe('an API key given more than once', () => {
  it('refuses two key fields with 400 invalid_request, whether they differ or not, and sends nothing upstream', async () => {
    expect((await send('in-header', '/x', ['X-Api-Key: k-1'])).status).toBe(200);
    const before = forwarded();
    for (const fields of [
      ['X-Api-Key: k-1', 'X-Api-Key: k-2'],
      ['X-Api-Key: k-2', 'x-api-key: k-1'],
      ['X-Api-Key: k-1', 'X-Api-Key: k-1'],
      ['X-Api-Key: k-1', 'X-Api-Key: k-9', 'X-API-KEY: k-2'],
    ]) {
      const res = await send('in-header', '/x', fields);
      expect(res.status, fields.join(' / ')).toBe(400);
      expect(res.headers['x-edgelab-error']).toBe('EDGE_BAD_REQUEST');
      expect(res.headers['www-authenticate']).toBe(
        `ApiKey realm="edgelab", header="x-api-key", error="invalid_request", error_description="the request carries ${fields.length} x-api-key fields; one API key is read, so which is meant is ambiguous"`,
      );
      const event = lastCompleted('in-header');
      expect(event).toMatchObject({ status: 400, error: 'EDGE_BAD_REQUEST' });
      expect(event.stages?.find((s) => s.stage === 'auth')?.reason).toBe(
        `auth: the request carries ${fields.length} x-api-key fields; one API key is read, so which is meant is ambiguous -> 400`,
      );
      expect(event.consumer).toBeUndefined();
    }
    expect(forwarded()).toBe(before);
  });

  it('refuses the key parameter twice in the query with 400 invalid_request, however it is spelled', async () => {
    expect((await send('in-query', '/x?api_key=k-1')).status).toBe(200);
    const before = forwarded();
    for (const target of ['/x?api_key=k-1&api_key=k-2', '/x?api_key=k-1&api_key=k-1', '/x?api_key=k-1&a=1&api%5Fkey=k-2', '/x?api_key=&api_key=k-1']) {
      const res = await send('in-query', target);
      expect(res.status, target).toBe(400);
      expect(res.headers['www-authenticate']).toBe(
        'ApiKey realm="edgelab", query="api_key", error="invalid_request", error_description="the request carries 2 api_key query parameters; one API key is read, so which is meant is ambiguous"',
      );
      expect(lastCompleted('in-query').stages?.find((s) => s.stage === 'auth')?.reason).toMatch(/2 api_key query parameters; .* -> 400$/);
    }
    expect(forwarded()).toBe(before);
  });
});
