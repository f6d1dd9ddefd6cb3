/**
 * The RateLimit fields a real gateway sends, read back with the structured-fields parser the way a client
 * of the current draft-ietf-httpapi-ratelimit-headers (-12) reads them: RateLimit-Policy a List of
 * Strings with `q` (Integer), `w` (Integer > 0, absent for a limit not over time), `qu` a String
 * ("concurrent-requests" for a concurrency limit); RateLimit one item per policy, same names in the same
 * order, `a` (Integer, 0..q) and, where the policy is over time, `w` (Integer, the effective window); on
 * a refusal Retry-After, never before the end of the refusing policy's effective window. The gateway's limits and the route's together, windows and
 * buckets, a name that needs escaping.
 */
import { parseList, type Item } from 'structured-headers';
import { afterEach, describe, expect, it } from 'vitest';
import { rawHttp, rawUpstream, startEngine, type RawResponse, type RawUpstream, type RunningEngine } from '../../testing/harness.ts';

let running: RunningEngine | undefined;
let upstream: RawUpstream | undefined;
afterEach(async () => {
  await running?.stop();
  await upstream?.close();
  running = undefined;
  upstream = undefined;
});

const get = (path: string): Promise<RawResponse> =>
  rawHttp(running!.port('api'), `GET ${path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n`, '127.0.7.1');

function one(headers: RawResponse['headers'], name: string): string {
  const value = headers[name];
  expect(typeof value, `${name} is one field`).toBe('string');
  return value as string;
}

/** Parse and check both fields of a response; answers the items by name. */
function readFields(res: RawResponse) {
  const policies = parseList(one(res.headers, 'ratelimit-policy')) as Item[];
  const limits = parseList(one(res.headers, 'ratelimit')) as Item[];
  expect(limits.map(([name]) => name)).toEqual(policies.map(([name]) => name));
  const byName = new Map<string, { q: number; w?: number; qu?: string; a: number; effective?: number }>();
  policies.forEach(([name, params], i) => {
    expect(typeof name).toBe('string');
    const [, current] = limits[i];
    const q = params.get('q');
    const w = params.get('w');
    const qu = params.get('qu');
    const a = current.get('a');
    const effective = current.get('w');
    // Draft -11's names carry the same values (a client of either draft reads its own pair).
    expect([current.get('r'), current.get('t')]).toEqual([a, effective]);
    expect(Number.isInteger(q) && (q as number) >= 0).toBe(true);
    if (w !== undefined) expect(Number.isInteger(w) && (w as number) > 0).toBe(true);
    if (qu !== undefined) expect(typeof qu).toBe('string');
    expect(Number.isInteger(a) && (a as number) >= 0 && (a as number) <= (q as number)).toBe(true);
    if (effective !== undefined) expect(Number.isInteger(effective) && (effective as number) >= 0).toBe(true);
    // Over time: a window in both fields; a concurrency limit: in neither, and its unit says so.
    expect(w === undefined).toBe(effective === undefined);
    if (w === undefined) expect(qu).toBe('concurrent-requests');
    // Keys in both fields: only the ones the draft defines (and no pk that would expose the key).
    expect([...params.keys()].every((k) => ['q', 'w', 'qu'].includes(k))).toBe(true);
    expect([...current.keys()].every((k) => ['r', 't', 'a', 'w'].includes(k))).toBe(true);
    byName.set(name as string, {
      q: q as number,
      w: w as number | undefined,
      qu: qu as string | undefined,
      a: a as number,
      effective: effective as number | undefined,
    });
  });
  return byName;
}

describe('RateLimit fields on a real gateway', () => {
  it('the gateway and the route limits together, buckets and windows, parse back and agree on every answer', async () => {
    upstream = await rawUpstream((_req, res) => res.end('ok'));
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          rateLimit: [
            { algorithm: 'fixed-window', limit: 100, window: '1d', key: 'ip', name: 'per-day' },
            { algorithm: 'concurrency', limit: 5, key: 'global', name: 'in flight' },
          ],
          routes: [
            {
              match: { path: '/*' },
              to: upstream.url,
              rateLimit: [
                { algorithm: 'token-bucket', rate: 1, burst: 2, key: 'ip', name: 'say "hi" \\ bucket' },
                { algorithm: 'sliding-window-log', limit: 10, window: '1m', key: 'ip' },
              ],
            },
          ],
        },
      ],
    });
    const answers: RawResponse[] = [];
    for (let i = 0; i < 3; i++) answers.push(await get('/x'));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    const raw = one(answers[0].headers, 'ratelimit-policy');
    expect(raw).toContain('"say \\"hi\\" \\\\ bucket";q=2;w=2');
    expect(raw).toContain('"in flight";q=5;qu="concurrent-requests"');

    const first = readFields(answers[0]);
    expect([...first.keys()]).toEqual(['per-day', 'in flight', 'say "hi" \\ bucket', 'route-1']);
    expect(first.get('per-day')).toMatchObject({ q: 100, w: 86_400, a: 99 });
    expect(first.get('in flight')).toMatchObject({ q: 5, qu: 'concurrent-requests', a: 4 });
    expect(first.get('say "hi" \\ bucket')).toMatchObject({ q: 2, w: 2, a: 1 });
    expect(first.get('route-1')).toMatchObject({ q: 10, w: 60, a: 9 });
    expect(readFields(answers[1]).get('say "hi" \\ bucket')).toMatchObject({ a: 0 });

    const refused = readFields(answers[2]);
    // The refusing bucket: nothing left, and Retry-After not before the end of its effective window.
    const bucket = refused.get('say "hi" \\ bucket')!;
    expect(bucket.a).toBe(0);
    expect(Number(one(answers[2].headers, 'retry-after'))).toBeGreaterThanOrEqual(bucket.effective!);
    // The limits that did not refuse were not spent by the refused request.
    expect(refused.get('per-day')).toMatchObject({ a: 98 });
    expect(answers[0].headers['retry-after']).toBeUndefined();
  });

  it("keeps the upstream's own policies beside the gateway's, and writes none on a redirect", async () => {
    upstream = await rawUpstream((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(301, { location: '/x' });
        res.end();
        return;
      }
      if (req.url === '/broken') res.setHeader('ratelimit', 'not a list;;');
      else {
        res.setHeader('ratelimit-policy', ['"upstream-day";q=1000;w=86400', 'Route-0;q=1']);
        res.setHeader('ratelimit', '"upstream-day";a=999;w=3600, Route-0;a=1');
      }
      res.end('ok');
    });
    running = await startEngine({
      version: 1,
      nodes: [
        {
          id: 'api',
          kind: 'gateway',
          routes: [{ match: { path: '/*' }, to: upstream.url, rateLimit: { algorithm: 'fixed-window', limit: 5, window: '1m' } }],
        },
      ],
    });
    const merged = await get('/x');
    // One list: the gateway's items first; an upstream item naming the same policy (names compare without case) is the gateway's.
    expect(one(merged.headers, 'ratelimit-policy')).toBe('"route-0";q=5;w=60, "upstream-day";q=1000;w=86400');
    expect(one(merged.headers, 'ratelimit')).toMatch(/^"route-0";r=4;t=(\d+);a=4;w=\1, "upstream-day";a=999;w=3600$/);
    // An upstream field that is not a structured list is dropped: a client ignores a malformed field whole, ours with it.
    const broken = await get('/broken');
    expect(one(broken.headers, 'ratelimit')).toMatch(/^"route-0";r=3;t=(\d+);a=3;w=\1$/);
    // RateLimit fields on a redirect could stop a client from following it (the draft: servers SHOULD avoid it).
    const moved = await get('/moved');
    expect(moved.status).toBe(301);
    expect(moved.headers['ratelimit']).toBeUndefined();
    expect(moved.headers['ratelimit-policy']).toBeUndefined();
  });
});
