/**
 * Path normalisation on a real gateway: each attack of the hostile list either is refused with 400
 * naming what is wrong, or takes the route its normal form takes, and what goes upstream is exactly the
 * path that route matched (as Envoy's normalize_path + merge_slashes forward the normalised path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp, rawUpstream, startEngine, type RawUpstream, type RunningEngine } from '../../testing/harness.ts';

let running: RunningEngine;
let users: RawUpstream;
let admin: RawUpstream;
beforeAll(async () => {
  users = await rawUpstream((req, res) => res.end(`users ${req.url}`));
  admin = await rawUpstream((req, res) => res.end(`admin ${req.url}`));
  running = await startEngine({
    version: 1,
    nodes: [
      {
        id: 'api',
        kind: 'gateway',
        routes: [
          { match: { path: '/admin/*' }, to: admin.url },
          { match: { path: '/users/*' }, to: users.url },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await running?.stop();
  await Promise.all([users?.close(), admin?.close()]);
});

async function get(target: string) {
  const res = await rawHttp(running.port('api'), `GET ${target} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n`);
  const done = running.events.filter((e) => e.type === 'request.completed' && e.node === 'api').at(-1) as
    { stages?: Array<{ stage: string; reason?: string }> } | undefined;
  return { status: res.status, body: res.body, reason: done?.stages?.find((s) => s.stage === 'route')?.reason };
}

describe('normalisation attacks on a real gateway', () => {
  it.each([
    ['/users/%2e%2e/admin/x', 'admin /admin/x'],
    ['/users/.%2E/admin/x', 'admin /admin/x'],
    ['//admin//x', 'admin /admin/x'],
    ['/users/./../admin/x', 'admin /admin/x'],
    ['/../../admin/x', 'admin /admin/x'],
    ['/users/%7Eme/%41', 'users /users/~me/A'],
    ['/users/%252e%252e/admin', 'users /users/%252e%252e/admin'],
    ['/users/1;v=2', 'users /users/1;v=2'],
    ['/users/caf%c3%a9', 'users /users/caf%C3%A9'],
    ['/users/1?next=/../admin', 'users /users/1?next=/../admin'],
  ])('%s goes where its normal form goes, and that form goes upstream: %s', async (target, answer) => {
    const res = await get(target);
    expect(res.status).toBe(200);
    expect(res.body).toBe(answer);
  });

  it.each([
    ['/users/..%2fadmin/x', 'an encoded slash (%2f) in the path'],
    ['/users/%2E%2E%2Fadmin', 'an encoded slash (%2F) in the path'],
    ['/users\\..\\admin/x', 'a backslash in the path'],
    ['/users/..;/admin/x', 'a dot segment with parameters ("..;") in the path'],
    ['/users/%2e%2e;x/admin/x', 'a dot segment with parameters ("..;x") in the path'],
    ['/users/x%00', 'an encoded NUL (%00) in the path'],
    ['/users/%C0%AE%C0%AE/admin', 'encoded bytes that are not UTF-8 (or an overlong form)'],
    ['/users/a#/../../admin/x', 'a fragment (#) in the request target'],
    ['/users/1?x=#/../admin', 'a fragment (#) in the request target'],
  ])('refuses %s with 400: %s', async (target, why) => {
    const before = users.received.length + admin.received.length;
    const res = await get(target);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toBe('EDGE_BAD_REQUEST');
    expect(res.reason).toContain(why);
    expect(users.received.length + admin.received.length).toBe(before);
  });
});
