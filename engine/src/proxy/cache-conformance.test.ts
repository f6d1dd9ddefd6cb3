/**
 * The proxy's cache held to RFC 9111 (and RFC 5861, RFC 9110's ranges and conditionals), one behaviour
 * class per test, named by its section: the classes the HTTP cache conformance suite (cache-tests.fyi)
 * checks. A real engine with `cache: {}` in front of a scripted origin, on real sockets; "stored and
 * reused" is proven by the origin's count (a reused response never reached it), never by a header alone.
 * One engine serves every test, each on paths of its own; nothing waits on the clock: freshness is set
 * with max-age=0, Age and Date instead.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawUpstream, startEngine, type RawUpstream, type RunningEngine } from '../testing/harness.ts';

/** What the origin answers: status, header lines (a name may repeat), body; or `drop` to close the connection unanswered. */
type Reply = { status?: number; headers?: Array<[string, string]>; body?: string } | 'drop';
/** The origin's answer to the nth request (from 1) for a path. */
type Script = (n: number, req: { method: string; headers: Record<string, string | string[] | undefined> }) => Reply;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let running: RunningEngine;
let origin: RawUpstream;
const scripts = new Map<string, Script>();
const counts = new Map<string, number>();
let pathSeq = 0;

beforeAll(async () => {
  origin = await rawUpstream((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const reply = scripts.get(path)?.(n, { method: req.method ?? 'GET', headers: req.headers }) ?? { status: 404 };
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    const body = reply.body ?? `body ${n} of ${path}`;
    const lines = reply.headers ?? [];
    if (!lines.some(([name]) => name.toLowerCase() === 'content-type')) lines.push(['Content-Type', 'text/plain']);
    res.writeHead(reply.status ?? 200, lines.flat());
    res.end(reply.status === 304 || reply.status === 204 || req.method === 'HEAD' ? undefined : body);
  });
  running = await startEngine({ version: 1, nodes: [{ id: 'edge', kind: 'proxy', listen: 0, to: origin.url, cache: {} }] });
});

afterAll(async () => {
  await running.stop();
  await origin.close();
});

/** A fresh path whose origin answers by `script`. */
function route(script: Script): string {
  const path = `/t${++pathSeq}`;
  scripts.set(path, script);
  return path;
}

/** A path whose origin answers every request the same. */
const always = (headers: Array<[string, string]>, status = 200) => route(() => ({ status, headers }));

/** How many requests for `path` reached the origin. */
const reached = (path: string) => counts.get(path) ?? 0;

/** A request through the proxy (node:http, so headers go as given: several lines for an array, no fetch additions). */
function send(path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(running.url('edge', path), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    })
      .on('error', reject)
      .end(method === 'POST' || method === 'PUT' ? 'abc' : undefined);
  });
}

/** An HTTP-date (IMF-fixdate) `seconds` from now. */
const dateIn = (seconds: number) => new Date(Date.now() + seconds * 1000).toUTCString();

/** Sends two GETs (the second with `headers`): whether the second was answered from the store. */
async function reusedAfter(path: string, headers: Record<string, string | string[]> = {}): Promise<boolean> {
  await send(path);
  const before = reached(path);
  await send(path, headers);
  return reached(path) === before;
}

describe('RFC 9111 conformance of the proxy cache', () => {
  it('5.2: Cache-Control is parsed as token[=token|quoted-string], case-insensitively; a value read wrongly is no freshness', async () => {
    expect(await reusedAfter(always([['Cache-Control', 'max-age=3600']]))).toBe(true);
    expect(await reusedAfter(always([['Cache-Control', 'MaX-AgE="3600"']]))).toBe(true);
    expect(await reusedAfter(always([['Cache-Control', 'foobar, max-age=003600']]))).toBe(true);
    // No whitespace around "=" in the grammar: such a directive is not max-age.
    expect(await reusedAfter(always([['Cache-Control', 'max-age =3600']]))).toBe(false);
    expect(await reusedAfter(always([['Cache-Control', 'max-age= 3600']]))).toBe(false);
    // "max-age" inside a quoted string of another directive is no directive.
    expect(await reusedAfter(always([['Cache-Control', 'extension="max-age=3600", max-age=0']]))).toBe(false);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=0, extension="max-age=3600"']]))).toBe(false);
    for (const bad of ["max-age='3600'", 'max-age=a3600', 'max-age=3600a', 'max-age=-3600'])
      expect(await reusedAfter(always([['Cache-Control', bad]]))).toBe(false);
    // Section 4.2.1: a directive given twice (one line or two) is read as its first occurrence.
    expect(await reusedAfter(always([['Cache-Control', 'max-age=3600, max-age=0']]))).toBe(true);
    expect(
      await reusedAfter(
        always([
          ['Cache-Control', 'max-age=0'],
          ['Cache-Control', 'max-age=3600'],
        ]),
      ),
    ).toBe(false);
    // Section 1.2.2: a delta-seconds past 2^31 is read as 2^31, still fresh.
    expect(await reusedAfter(always([['Cache-Control', 'max-age=99999999999']]))).toBe(true);
  });

  it('4.2.1: s-maxage rules a shared cache over max-age and Expires; max-age over Expires', async () => {
    expect(await reusedAfter(always([['Cache-Control', 's-maxage=3600']]))).toBe(true);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=3600, s-maxage=0']]))).toBe(false);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=0, s-maxage=3600']]))).toBe(true);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=3600'], ['Expires', dateIn(-10000)], ['Date', dateIn(0)]]))).toBe(true);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=0'], ['Expires', dateIn(10000)], ['Date', dateIn(0)]]))).toBe(false);
  });

  it('5.3 and 4.2: Expires is an HTTP-date in one of its three forms (matched case-insensitively); anything else is already expired', async () => {
    const expires = (value: string) => always([['Expires', value], ['Date', dateIn(0)]]);
    expect(await reusedAfter(expires(dateIn(3600)))).toBe(true);
    expect(await reusedAfter(expires('Thursday, 18-Aug-50 02:01:18 GMT'))).toBe(true);
    expect(await reusedAfter(expires('Thu Aug 18 02:01:18 2050'))).toBe(true);
    for (const cased of ['THU, 18 Aug 2050 02:01:18 GMT', 'Thu, 18 AUG 2050 02:01:18 GMT', 'Thu, 18 Aug 2050 02:01:18 gMT'])
      expect(await reusedAfter(expires(cased))).toBe(true);
    for (const invalid of [
      '0',
      'Thu, 18 Aug 2050 02:01:18 UTC',
      'Thu, 18 Aug 50 02:01:18 GMT',
      'Thu 18 Aug 2050 02:01:18 GMT',
      'Thu, 18  Aug  2050 02:01:18 GMT',
      'Thu, 18-Aug-2050 02:01:18 GMT',
      'Thu, 18 Aug 2050 02.01.18 GMT',
      'Thu, 18 Aug 2050 2:01:18 GMT',
    ])
      expect(await reusedAfter(expires(invalid)), invalid).toBe(false);
    expect(await reusedAfter(always([['Expires', dateIn(-3600)], ['Date', dateIn(0)]]))).toBe(false);
    // An Expires before Date is no freshness.
    expect(await reusedAfter(always([['Expires', dateIn(300)], ['Date', dateIn(400)]]))).toBe(false);
    // An invalid Date counts as absent: the time the response arrived (RFC 9110 section 6.6.1).
    expect(await reusedAfter(always([['Date', 'foo'], ['Expires', dateIn(3600)]]))).toBe(true);
  });

  it('4.2.3 and 5.1: Age counts toward the current age (its first member; an invalid one is ignored), and a reused response carries it', async () => {
    const aged = (age: string, maxAge = 3600) => always([['Cache-Control', `max-age=${maxAge}`], ['Date', dateIn(0)], ['Age', age]]);
    expect(await reusedAfter(aged('15', 10))).toBe(false);
    expect(await reusedAfter(always([['Date', dateIn(-10)], ['Expires', dateIn(10)], ['Age', '25']]))).toBe(false);
    expect(await reusedAfter(aged('7200, 0'))).toBe(false);
    expect(await reusedAfter(aged('0, 7200'))).toBe(true);
    for (const ignored of ['abc', '-7200', '7200.0']) expect(await reusedAfter(aged(ignored)), ignored).toBe(true);
    const path = aged('30', 600);
    const origin = dateIn(-5);
    scripts.set(path, () => ({ headers: [['Cache-Control', 'max-age=600'], ['Date', origin], ['Age', '30']] }));
    await send(path);
    const hit = await send(path);
    expect(reached(path)).toBe(1);
    // At least the origin's Age plus the apparent age of its Date; the Date itself is never rewritten.
    expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(30);
    expect(hit.headers.date).toBe(origin);
  });

  it('3 and RFC 9110 15.1: any final status with explicit freshness is stored; without it, only the heuristically cacheable ones', async () => {
    for (const status of [200, 203, 204, 299, 301, 302, 307, 308, 400, 404, 410, 499, 500, 502, 503, 504, 599])
      expect(await reusedAfter(always([['Cache-Control', 'max-age=3600']], status)), String(status)).toBe(true);
    const lastModified: [string, string] = ['Last-Modified', dateIn(-86400)];
    for (const status of [200, 203, 204, 404, 405, 410, 414, 501])
      expect(await reusedAfter(always([lastModified, ['Date', dateIn(0)]], status)), `heuristic ${status}`).toBe(true);
    for (const status of [201, 202, 403, 502, 503, 504, 599])
      expect(await reusedAfter(always([lastModified, ['Date', dateIn(0)]], status)), `no heuristic ${status}`).toBe(false);
    expect(await reusedAfter(always([lastModified, ['Date', dateIn(0)], ['Cache-Control', 'public']], 599))).toBe(true);
    // A stale response of any status is not reused either.
    for (const status of [200, 404, 500]) expect(await reusedAfter(always([['Expires', dateIn(-5000)], ['Date', dateIn(0)]], status))).toBe(false);
  });

  it('5.2.2: no-store and private are never stored by a shared cache; no-cache is stored but validated on every use', async () => {
    for (const cc of ['no-store', 'No-StOrE', 'max-age=10000, no-store', 'private, max-age=3600'])
      expect(await reusedAfter(always([['Cache-Control', cc]])), cc).toBe(false);
    const path = route((n, req) =>
      req.headers['if-none-match'] === '"abcd"'
        ? { status: 304, headers: [['ETag', '"abcd"']] }
        : { headers: [['Cache-Control', 'max-age=10000, No-CaChE'], ['ETag', '"abcd"']] },
    );
    await send(path);
    const validated = await send(path);
    expect([reached(path), validated.status, validated.body]).toEqual([2, 200, 'body 1 of ' + path]);
    expect(origin.received.filter((r) => r.url === path).map((r) => r.headers['if-none-match'])).toEqual([undefined, '"abcd"']);
  });

  it('5.2.2.3: must-understand: no-store is set aside for a status whose caching rules the cache implements; another status is not stored', async () => {
    const understood = 'max-age=3600, no-store, must-understand';
    for (const status of [200, 404, 301]) expect(await reusedAfter(always([['Cache-Control', understood]], status)), String(status)).toBe(true);
    // Section 3: with must-understand, a status the cache does not know is not stored, no-store or not.
    for (const cc of [understood, 'max-age=3600, must-understand'])
      expect(await reusedAfter(always([['Cache-Control', cc]], 599)), `599 ${cc}`).toBe(false);
    // Only no-store gives way: private still keeps it out of a shared cache.
    expect(await reusedAfter(always([['Cache-Control', 'max-age=3600, private, must-understand']]))).toBe(false);
  });

  it('3.1, 5.2.2.4 and 5.2.2.7: fields named by Connection, qualified no-cache or private, and proxy authentication are not stored; the rest is reused', async () => {
    const listed = (lines: Array<[string, string]>) => always([...lines, ['Cache-Control', 'max-age=3600'], ['Date', dateIn(0)]]);
    const cases: Array<[Array<[string, string]>, string[], string[]]> = [
      [[['Connection', 'a, b'], ['a', '1'], ['b', '2'], ['c', '3']], ['c'], ['a', 'b']],
      [[['Cache-Control', 'no-cache="a"'], ['a', '1'], ['b', '2']], ['b'], ['a']],
      [[['Cache-Control', 'no-cache="a, b"'], ['a', '1'], ['b', '2'], ['c', '3']], ['c'], ['a', 'b']],
      [[['Cache-Control', 'private="a"'], ['a', '1'], ['b', '2']], ['b'], ['a']],
      [[['Proxy-Authenticate', 'Basic'], ['c', '3']], ['c'], ['proxy-authenticate']],
    ];
    for (const [lines, kept, dropped] of cases) {
      const path = listed(lines);
      await send(path);
      const hit = await send(path);
      expect(reached(path), JSON.stringify(lines)).toBe(1);
      for (const name of kept) expect(hit.headers[name]).toBeDefined();
      for (const name of dropped) expect(hit.headers[name]).toBeUndefined();
    }
  });

  it('3.5: a response to a request with Authorization is shared only with public, s-maxage or must-revalidate', async () => {
    const auth = { authorization: 'FOO' };
    const twiceAuthorized = async (path: string) => {
      await send(path, auth);
      await send(path);
      return reached(path) === 1;
    };
    expect(await twiceAuthorized(always([['Expires', dateIn(3600)], ['Date', dateIn(0)]]))).toBe(false);
    for (const cc of ['max-age=3600, public', 'max-age=3600, must-revalidate', 's-maxage=3600'])
      expect(await twiceAuthorized(always([['Cache-Control', cc]])), cc).toBe(true);
  });

  it('4.1: a response with Vary is reused only when the selecting fields match (normalised, case-insensitive fields in any case; absent matches absent; * never)', async () => {
    const varied = (vary: string) => always([['Cache-Control', 'max-age=5000'], ['Vary', vary]]);
    const pair = async (path: string, first: Record<string, string | string[]>, second: Record<string, string | string[]>) => {
      await send(path, first);
      await send(path, second);
      return reached(path) === 1;
    };
    expect(await pair(varied('Foo'), { foo: '1' }, { foo: '1' })).toBe(true);
    expect(await pair(varied('Foo'), { foo: '1' }, { foo: '2' })).toBe(false);
    expect(await pair(varied('Foo'), { foo: '1' }, {})).toBe(false);
    expect(await pair(varied('Foo'), { foo: '1', other: '2' }, { foo: '1', other: '3' })).toBe(true);
    expect(await pair(varied('Foo, Bar, Baz'), { foo: '1', baz: '789' }, { foo: '1', baz: '789' })).toBe(true);
    expect(await pair(varied('Foo, Bar, Baz'), { foo: '1', bar: 'abc4', baz: '789' }, { foo: '1', bar: 'abc', baz: '789' })).toBe(false);
    expect(await pair(varied('Foo'), { foo: '1,2' }, { foo: ' 1, 2 ' })).toBe(true);
    expect(await pair(varied('Foo'), { foo: '1, 2' }, { foo: ['1', '2'] })).toBe(true);
    // Language tags, content codings and charsets are case-insensitive (RFC 9110 8.5.1, 8.4.1, 8.3.2): any case matches.
    expect(await pair(varied('Accept-Language'), { 'accept-language': 'en, de' }, { 'accept-language': 'eN, De' })).toBe(true);
    expect(await pair(varied('Accept-Encoding'), { 'accept-encoding': 'gzip, br' }, { 'accept-encoding': 'GZIP, Br' })).toBe(true);
    expect(await pair(varied('Accept-Charset'), { 'accept-charset': 'utf-8' }, { 'accept-charset': 'UTF-8' })).toBe(true);
    // Any other field's case is kept: it may matter to the origin.
    expect(await pair(varied('Foo'), { foo: 'a' }, { foo: 'A' })).toBe(false);
    expect(await pair(varied('Accept-Language'), { 'accept-language': 'en' }, { 'accept-language': 'de' })).toBe(false);
    for (const star of ['*', '*, *', ', *', 'Foo, *']) expect(await pair(varied(star), { foo: '1' }, { foo: '1' }), star).toBe(false);
    // A second variant is stored beside the first, not over it.
    const path = varied('Foo');
    await send(path, { foo: '1' });
    await send(path, { foo: '2' });
    const first = await send(path, { foo: '1' });
    expect([reached(path), first.body]).toEqual([2, `body 1 of ${path}`]);
  });

  it('4.3.1 and 4.3.2: a stale response is validated with its ETag and Last-Modified; a client conditional is answered from a fresh one', async () => {
    const lastModified = dateIn(-3000);
    const path = route((n, req) =>
      req.headers['if-none-match'] === 'W/"abc"' && req.headers['if-modified-since'] === lastModified
        ? { status: 304, headers: [['ETag', 'W/"abc"']] }
        : { headers: [['Cache-Control', 'max-age=0'], ['ETag', 'W/"abc"'], ['Last-Modified', lastModified]] },
    );
    await send(path);
    const validated = await send(path);
    expect([reached(path), validated.status, validated.body]).toEqual([2, 200, `body 1 of ${path}`]);
    // The client's own conditional: the cache validates, then judges the client's copy (RFC 9110 13.2.2).
    const clientCopy = await send(path, { 'if-modified-since': lastModified });
    expect([reached(path), clientCopy.status]).toEqual([3, 304]);

    const fresh = always([['Expires', dateIn(100000)], ['ETag', '"abcdef"'], ['Last-Modified', dateIn(-3000)], ['Date', dateIn(0)]]);
    await send(fresh);
    const conditionals: Array<Record<string, string>> = [
      { 'if-none-match': '"abcdef"' },
      { 'if-none-match': '"1234", "abcdef", "5678"' },
      { 'if-modified-since': dateIn(-2000) },
    ];
    for (const conditional of conditionals) {
      const notModified = await send(fresh, conditional);
      expect([notModified.status, notModified.headers.etag, notModified.body]).toEqual([304, '"abcdef"', '']);
    }
    expect((await send(fresh, { 'if-none-match': '"other"' })).status).toBe(200);
    expect(reached(fresh)).toBe(1);
  });

  it('3.2 and 4.3.4: a 304 updates the stored header fields, and the updated response is what is served next', async () => {
    const path = route((n, req) =>
      req.headers['if-none-match'] === '"e1"'
        ? { status: 304, headers: [['ETag', '"e1"'], ['Cache-Control', 'max-age=3600'], ['Test-Header', 'B'], ['Content-Type', 'text/html']] }
        : { headers: [['ETag', '"e1"'], ['Cache-Control', 'max-age=0'], ['Test-Header', 'A'], ['Kept', 'yes']] },
    );
    expect((await send(path)).headers['test-header']).toBe('A');
    const revalidated = await send(path);
    expect([revalidated.status, revalidated.headers['test-header'], revalidated.headers.kept, revalidated.body]).toEqual([
      200,
      'B',
      'yes',
      `body 1 of ${path}`,
    ]);
    const hit = await send(path);
    expect([reached(path), hit.headers['test-header'], hit.headers['content-type']]).toEqual([2, 'B', 'text/html']);
  });

  it('4.3.5: a 200 to a HEAD updates the stored GET response it matches (fields and freshness)', async () => {
    const path = route((n, req) =>
      req.method === 'HEAD'
        ? { headers: [['Cache-Control', 'max-age=3600'], ['ETag', '"h"'], ['Template-A', '2']] }
        : { headers: [['Cache-Control', 'max-age=0'], ['ETag', '"h"'], ['Template-A', '1']], body: 'the body' },
    );
    await send(path);
    const head = await send(path, {}, 'HEAD');
    expect(origin.received.filter((r) => r.url === path).map((r) => r.method)).toEqual(['GET', 'HEAD']);
    expect(head.headers['template-a']).toBe('2');
    const hit = await send(path);
    expect([reached(path), hit.headers['template-a'], hit.body]).toEqual([2, '2', 'the body']);
    // A HEAD whose validator differs says the stored body is no longer the current one: it is not served again.
    const changed = route((n, req) =>
      req.method === 'HEAD' ? { headers: [['Cache-Control', 'max-age=3600'], ['ETag', '"new"']] } : { headers: [['Cache-Control', 'max-age=0'], ['ETag', `"${n}"`]] },
    );
    await send(changed);
    await send(changed, {}, 'HEAD');
    const after = await send(changed);
    expect([reached(changed), after.body]).toEqual([3, `body 3 of ${changed}`]);
    // Dropped, not revalidated: the GET after it went as a plain miss.
    expect(origin.received.filter((r) => r.url === changed).map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined, undefined]);
  });

  it('4.4: a successful unsafe request invalidates its URI and same-origin Location / Content-Location; a failed one does not', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'M-SEARCH']) {
      const target = always([['Cache-Control', 'max-age=100000']]);
      const location = always([['Cache-Control', 'max-age=100000']]);
      const contentLocation = always([['Cache-Control', 'max-age=100000']]);
      for (const path of [target, location, contentLocation]) await send(path);
      scripts.set(target, (n, req) =>
        req.method === method ? { headers: [['Location', location], ['Content-Location', contentLocation]] } : { headers: [['Cache-Control', 'max-age=100000']] },
      );
      await send(target, {}, method);
      for (const path of [target, location, contentLocation]) {
        await send(path);
        expect(reached(path), `${method} ${path}`).toBe(path === target ? 3 : 2);
      }
      const failing = always([['Cache-Control', 'max-age=100000']]);
      await send(failing);
      scripts.set(failing, (n, req) => (req.method === method ? { status: 500 } : { headers: [['Cache-Control', 'max-age=100000']] }));
      await send(failing, {}, method);
      await send(failing);
      expect(reached(failing), `${method} failed`).toBe(2);
    }
  });

  it('4.2.4: a stale response is served when the origin cannot be reached, unless must-revalidate, proxy-revalidate, s-maxage or no-cache forbid it', async () => {
    const downAfterFirst = (cc: string) => route((n) => (n === 1 ? { headers: [['Cache-Control', cc], ['ETag', '"x"']] } : 'drop'));
    const served = downAfterFirst('max-age=0');
    await send(served);
    const answer = await send(served);
    expect([answer.status, answer.body, answer.headers['x-cache']]).toEqual([200, `body 1 of ${served}`, 'STALE']);
    for (const cc of ['max-age=0, must-revalidate', 'max-age=0, proxy-revalidate', 'max-age=0, s-maxage=0', 'no-cache']) {
      const path = downAfterFirst(cc);
      await send(path);
      expect((await send(path)).status, cc).toBe(502);
    }
    // RFC 5861 section 4: a 5xx is an answer; stale only within the origin's stale-if-error.
    const errors = route((n) => (n === 1 ? { headers: [['Cache-Control', 'max-age=0, stale-if-error=60'], ['ETag', '"y"']] } : { status: 503 }));
    await send(errors);
    expect((await send(errors)).status).toBe(200);
    const noPermission = route((n) => (n === 1 ? { headers: [['Cache-Control', 'max-age=0'], ['ETag', '"z"']] } : { status: 503 }));
    await send(noPermission);
    expect((await send(noPermission)).status).toBe(503);
  });

  it('RFC 5861 section 3: within stale-while-revalidate the stale response is served and refreshed in the background', async () => {
    const path = route((n) =>
      n === 1
        ? { headers: [['Cache-Control', 'max-age=0, stale-while-revalidate=3600'], ['ETag', '"abc"']] }
        : { headers: [['Cache-Control', 'max-age=3600'], ['ETag', '"def"']] },
    );
    await send(path);
    expect((await send(path)).headers.etag).toBe('"abc"');
    for (let i = 0; i < 50 && reached(path) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const refreshed = await send(path);
    expect([reached(path), refreshed.headers.etag]).toEqual([2, '"def"']);
  });

  it('RFC 9110 14.2: a single byte range of a stored complete response is answered 206 from the store', async () => {
    const path = always([['Cache-Control', 'max-age=3600']]);
    scripts.set(path, () => ({ headers: [['Cache-Control', 'max-age=3600'], ['ETag', '"r"']], body: '0123456789A' }));
    await send(path);
    const ranges: Array<[string, string, string]> = [
      ['bytes=0-1', '01', 'bytes 0-1/11'],
      ['bytes=1-', '123456789A', 'bytes 1-10/11'],
      ['bytes=-1', 'A', 'bytes 10-10/11'],
      ['bytes=5-100', '56789A', 'bytes 5-10/11'],
    ];
    for (const [range, body, contentRange] of ranges) {
      const partial = await send(path, { range });
      expect([partial.status, partial.body, partial.headers['content-range'], partial.headers['content-length']]).toEqual([
        206,
        body,
        contentRange,
        String(body.length),
      ]);
    }
    // Several ranges, a range that is not one (last before first), or an If-Range that does not match: the whole response.
    const whole: Array<Record<string, string>> = [
      { range: 'bytes=0-1,3-4' },
      { range: 'bytes=4-2' },
      { range: 'bytes=0-1', 'if-range': '"other"' },
      { range: 'bytes=20-', 'if-range': '"other"' },
    ];
    for (const headers of whole)
      expect((await send(path, headers)).status, JSON.stringify(headers)).toBe(200);
    expect((await send(path, { range: 'bytes=0-1', 'if-range': '"r"' })).status).toBe(206);
    expect(reached(path)).toBe(1);
  });

  it('RFC 9110 15.5.17: a byte range the stored complete response cannot satisfy is answered 416 with Content-Range bytes */length', async () => {
    const path = route(() => ({ headers: [['Cache-Control', 'max-age=3600'], ['ETag', '"u"']], body: '0123456789' }));
    await send(path);
    // Section 14.1.1: a first byte at or past the end, or a zero-length suffix, overlaps nothing.
    for (const range of ['bytes=10-', 'bytes=20-30', 'bytes=-0', 'bytes=10-10']) {
      const refused = await send(path, { range });
      expect([refused.status, refused.headers['content-range'], refused.body], range).toEqual([416, 'bytes */10', '']);
    }
    // An If-Range that holds keeps the Range: still 416.
    expect((await send(path, { range: 'bytes=10-', 'if-range': '"u"' })).status).toBe(416);
    expect(reached(path)).toBe(1);
  });

  it('5.2.1: request directives: max-age, min-fresh and no-cache send it upstream; max-stale takes a stale one; only-if-cached answers 504', async () => {
    const fresh = (age = '0') => always([['Cache-Control', 'max-age=1500'], ['Age', age]]);
    expect(await reusedAfter(fresh('1000'), { 'cache-control': 'max-age=600' })).toBe(false);
    expect(await reusedAfter(fresh(), { 'cache-control': 'min-fresh=2000' })).toBe(false);
    expect(await reusedAfter(fresh(), { 'cache-control': 'no-cache' })).toBe(false);
    expect(await reusedAfter(always([['Cache-Control', 'max-age=1500'], ['Age', '2000']]), { 'cache-control': 'max-stale=1000' })).toBe(true);
    const nothing = route(() => ({ headers: [['Cache-Control', 'max-age=3600']] }));
    expect((await send(nothing, { 'cache-control': 'only-if-cached' })).status).toBe(504);
    expect(reached(nothing)).toBe(0);
  });
});
