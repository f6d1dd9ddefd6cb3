/**
 * Compiled transforms, side by side with what they promise: every header, query and body edit, the
 * reasons a learner reads, `set` owning its target, values from the request checked, and every body
 * that must pass unchanged (with its reason, its bytes and its headers intact).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TransformConfig } from '../../config/gateway/transform.ts';
import { LIMITS } from '../../config/limits.ts';
import type { HeaderBag } from './header-edits.ts';
import { describeTransform } from './notes.ts';
import { withQuery } from './query-edits.ts';
import { TemplateScope, type RequestView } from './template.ts';
import { compileTransform, type CompiledTransform } from './transform.ts';

const view: RequestView = {
  method: 'POST',
  path: '/users/42',
  search: 'id=7&debug=1&keep=a%2Bb+c&debug=2',
  headers: { 'x-user': 'ann', 'x-token': 'secret-1' },
  consumer: { name: 'mobile' },
  params: { id: '42' },
};
const anonymous: RequestView = { ...view, consumer: undefined };

function compiled(config: TransformConfig): CompiledTransform {
  return compileTransform(config)!;
}

function requestEdits(config: TransformConfig, headers: HeaderBag, v: RequestView = view) {
  const notes: string[] = [];
  const query = compiled(config).request!.apply(headers, new TemplateScope(v), notes);
  return { headers, query, reason: describeTransform(notes) };
}

describe('header edits', () => {
  it('remove, then set, then add, each in the reason', () => {
    const result = requestEdits(
      {
        request: {
          headers: { remove: ['X-Internal', 'x-absent'], set: { 'X-Consumer': '{consumer.name}', 'x-from': 'gw' }, add: { 'x-tag': 'b' } },
        },
      },
      { 'x-internal': '1', 'x-consumer': 'forged', 'x-tag': 'a', accept: '*/*' },
    );
    expect(result.headers).toEqual({ 'x-consumer': 'mobile', 'x-from': 'gw', 'x-tag': ['a', 'b'], accept: '*/*' });
    expect(result.query).toBeUndefined();
    expect(result.reason).toBe('transform: removed x-internal; set x-consumer: mobile; set x-from: gw; added x-tag: b');
  });

  it('add creates a header that is absent and appends to a list', () => {
    const config: TransformConfig = { response: { headers: { add: { 'set-cookie': 'b=2', vary: 'accept' } } } };
    const headers: HeaderBag = { 'set-cookie': ['a=1'] };
    const notes: string[] = [];
    compiled(config).response!.apply(headers, new TemplateScope(view), notes);
    expect(headers).toEqual({ 'set-cookie': ['a=1', 'b=2'], vary: 'accept' });
    expect(describeTransform(notes)).toBe('transform: added set-cookie: (hidden); added vary: accept');
  });

  it('a set whose value cannot be made removes what the client sent, so a client cannot forge it', () => {
    const result = requestEdits(
      { request: { headers: { set: { 'x-consumer': '{consumer.name}' } } } },
      { 'x-consumer': 'admin' },
      anonymous,
    );
    expect(result.headers).toEqual({});
    expect(result.reason).toBe('transform: did not set x-consumer: the request has no consumer (removed the one sent)');
  });

  it('an add whose value cannot be made adds nothing', () => {
    const result = requestEdits({ request: { headers: { add: { 'x-who': '{request.header.x-missing}' } } } }, { 'x-who': 'a' });
    expect(result.headers).toEqual({ 'x-who': 'a' });
    expect(result.reason).toBe('transform: did not add x-who: the request has no header x-missing');
  });

  it('a value from the query that a header cannot carry is not set', () => {
    const result = requestEdits(
      { request: { headers: { set: { 'x-q': 'q={request.query.q}' } } } },
      {},
      { ...view, search: 'q=a%0D%0AInjected:%201' },
    );
    expect(result.headers).toEqual({});
    expect(result.reason).toBe('transform: did not set x-q: a header value cannot hold CR');
  });

  it('hides credentials and cuts long values in the reason, never in the header', () => {
    const long = 'v'.repeat(60);
    const result = requestEdits(
      { request: { headers: { set: { authorization: 'Bearer {request.header.x-token}', 'x-long': long } } } },
      {},
    );
    expect(result.headers).toEqual({ authorization: 'Bearer secret-1', 'x-long': long });
    expect(result.reason).toBe(`transform: set authorization: (hidden); set x-long: ${'v'.repeat(40)}…`);
  });
});

describe('query edits', () => {
  it('remove every value of a name, set one at the end, and keep the rest exactly as sent', () => {
    const result = requestEdits(
      { request: { query: { remove: ['debug'], set: { id: '{route.param.id}', who: '{consumer.name} & co' } } } },
      {},
    );
    expect(result.query).toBe('keep=a%2Bb+c&id=42&who=mobile%20%26%20co');
    expect(result.reason).toBe('transform: removed query debug; set query id=42; set query who=mobile & co');
    expect(withQuery('/users/42?id=7', result.query!)).toBe('/users/42?keep=a%2Bb+c&id=42&who=mobile%20%26%20co');
  });

  it('names are compared decoded, as URLSearchParams reads them', () => {
    expect(requestEdits({ request: { query: { remove: ['a b'] } } }, {}, { ...view, search: 'a+b=1&a%20b=2&c=%zz' }).query).toBe('c=%zz');
  });

  it('leaves a query it did not change undefined, and can empty one', () => {
    expect(requestEdits({ request: { query: { remove: ['absent'] } } }, {}).query).toBeUndefined();
    const emptied = requestEdits({ request: { query: { remove: ['only'] } } }, {}, { ...view, search: 'only=1' }).query!;
    expect(emptied).toBe('');
    expect(withQuery('/a?only=1', emptied)).toBe('/a');
  });

  it('a set whose value cannot be made removes the one sent', () => {
    const result = requestEdits({ request: { query: { set: { id: '{consumer.name}' } } } }, {}, anonymous);
    expect(result.query).toBe('debug=1&keep=a%2Bb+c&debug=2');
    expect(result.reason).toBe('transform: did not set query id: the request has no consumer (removed the one sent)');
  });
});

/** Runs one side's body transform over `body` sent in chunks, and collects what it gives back. */
async function bodyRun(
  config: TransformConfig,
  body: string | Buffer,
  headers: HeaderBag,
  options: { status?: number; view?: RequestView; chunk?: number } = {},
) {
  const side = options.status === undefined ? compiled(config).request! : compiled(config).response!;
  const bytes = Buffer.from(body);
  const size = options.chunk ?? 64 * 1024;
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const notes: string[] = [];
  const result = await side.body!.run(Readable.from(chunks), headers, new TemplateScope(options.view ?? view), notes, options.status);
  const out = Buffer.isBuffer(result.body) ? result.body : await collect(result.body);
  return { changed: result.changed, text: out.toString('utf8'), bytes: out, headers, reason: describeTransform(notes) };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const json = (value: unknown) => JSON.stringify(value);
const jsonHeaders = (body: string, more: HeaderBag = {}): HeaderBag => ({
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(body)),
  ...more,
});

describe('body edits', () => {
  const edits: TransformConfig = {
    request: {
      body: {
        remove: ['password', 'meta.internal'],
        rename: { user_id: 'userId', 'a.b': 'moved.here' },
        set: { 'meta.by': '{consumer.name}', 'meta.v': 2, flags: { beta: true } },
      },
    },
  };

  it('remove, rename and set on dotted paths, with Content-Length recomputed', async () => {
    const body = json({ user_id: 7, password: 'x', a: { b: [1, 2], c: 3 }, meta: { internal: 1, kept: 'é' } });
    const result = await bodyRun(edits, body, jsonHeaders(body, { 'transfer-encoding': 'chunked' }));
    expect(JSON.parse(result.text)).toEqual({
      userId: 7,
      a: { c: 3 },
      moved: { here: [1, 2] },
      meta: { kept: 'é', by: 'mobile', v: 2 },
      flags: { beta: true },
    });
    expect(result.changed).toBe(true);
    expect(result.headers['content-length']).toBe(String(result.bytes.length));
    expect(result.headers['transfer-encoding']).toBeUndefined();
    expect(result.reason).toBe(
      'transform: removed body password; removed body meta.internal; renamed body user_id -> userId; renamed body a.b -> moved.here; set body meta.by = "mobile"; set body meta.v = 2; set body flags = {"beta":true}',
    );
  });

  it('a chunked body without Content-Length is read and given one', async () => {
    const body = json({ user_id: 1 });
    const result = await bodyRun(edits, body, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, { chunk: 3 });
    expect(result.text).toBe(json({ userId: 1, meta: { by: 'mobile', v: 2 }, flags: { beta: true } }));
    expect(result.headers).toEqual({ 'content-type': 'application/json', 'content-length': String(result.bytes.length) });
  });

  it('a response body that changes loses the validators of the old bytes', async () => {
    const config: TransformConfig = { response: { body: { remove: ['secret'] } } };
    const body = json({ secret: 1, ok: true });
    const headers = jsonHeaders(body, {
      etag: '"abc"',
      'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
      'content-digest': 'sha-256=:x:',
      'cache-control': 'max-age=60',
    });
    const result = await bodyRun(config, body, headers, { status: 200 });
    expect(result.text).toBe('{"ok":true}');
    expect(result.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'content-length': '11',
      'cache-control': 'max-age=60',
    });
  });

  it('a set whose value cannot be made removes the field sent; a walk stopped by a non-object says where', async () => {
    const config: TransformConfig = {
      request: { body: { set: { owner: '{consumer.name}', 'tags.first': 'x' }, rename: { 'list.a': 'b' } } },
    };
    const body = json({ owner: 'admin', tags: ['a'], list: [{ a: 1 }] });
    const result = await bodyRun(config, body, jsonHeaders(body), { view: anonymous });
    expect(result.text).toBe(json({ tags: ['a'], list: [{ a: 1 }] }));
    expect(result.reason).toBe(
      'transform: did not set body owner: the request has no consumer (removed the one sent); did not set body tags.first: tags is not an object',
    );
  });

  it('a body nothing changed is sent as its original bytes, headers untouched', async () => {
    const config: TransformConfig = { request: { body: { remove: ['absent'], rename: { 'no.such': 'x' } } } };
    const body = '{ "kept" :  "as sent" }';
    const headers = jsonHeaders(body, { etag: '"v1"' });
    const result = await bodyRun(config, body, { ...headers });
    expect(result).toMatchObject({ changed: false, text: body, headers, reason: 'transform: nothing to change' });
  });

  it('any +json media type is JSON', async () => {
    const body = json({ password: 1 });
    const result = await bodyRun(edits, body, { 'content-type': 'application/problem+json', 'content-length': String(body.length) });
    expect(result.changed).toBe(true);
  });
});

describe('a body that passes unchanged, with its reason', () => {
  const config: TransformConfig = { request: { body: { remove: ['password'] } }, response: { body: { remove: ['password'] } } };
  const limit = LIMITS.jsonBody.max;

  it.each<[string, string | Buffer, HeaderBag, string]>([
    ['not JSON', '<p>password</p>', { 'content-type': 'text/html', 'content-length': '15' }, 'not JSON (text/html)'],
    ['without a Content-Type', json({ password: 1 }), { 'content-length': '14' }, 'it has no Content-Type'],
    [
      'content-coded',
      'gzip bytes',
      { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '10' },
      'it is gzip-encoded',
    ],
    ['not valid JSON', '{"password":', { 'content-type': 'application/json', 'content-length': '12' }, 'not valid JSON'],
    ['an array', '[{"password":1}]', { 'content-type': 'application/json', 'content-length': '16' }, 'a JSON array, not an object'],
    ['a string', '"password"', { 'content-type': 'application/json', 'content-length': '10' }, 'a JSON value, not an object'],
    [
      'an integer past 2^53',
      '{"password":1,"id":12345678901234567890}',
      { 'content-type': 'application/json', 'content-length': '40' },
      'it holds a number (12345678901234567000) that JavaScript cannot carry exactly, so rewriting the body would change it',
    ],
    [
      'declared larger than the limit',
      json({ password: 1, pad: 'x'.repeat(limit) }),
      { 'content-type': 'application/json', 'content-length': String(limit + 27) },
      `larger than ${limit} bytes, the most the gateway buffers`,
    ],
    [
      'chunked and larger than the limit',
      json({ password: 1, pad: 'x'.repeat(limit) }),
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      `larger than ${limit} bytes, the most the gateway buffers`,
    ],
  ])('%s', async (_name, body, headers, reason) => {
    const before = { ...headers };
    const result = await bodyRun(config, body, headers, { status: 200 });
    expect(result.changed).toBe(false);
    expect(result.bytes.equals(Buffer.from(body))).toBe(true);
    expect(result.headers).toEqual(before);
    expect(result.reason).toBe(`transform: body passed unchanged: ${reason}`);
  });

  it(`a body of exactly ${limit} bytes is still transformed`, async () => {
    const pad = 'x'.repeat(limit - json({ password: 1, pad: '' }).length);
    const body = json({ password: 1, pad });
    expect(body.length).toBe(limit);
    const result = await bodyRun(config, body, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, { status: 200 });
    expect(result).toMatchObject({ changed: true, text: json({ pad }) });
  });

  it.each<[string, HeaderBag, number | undefined, string]>([
    ['a request without a body', { 'content-type': 'application/json' }, undefined, 'GET'],
    ['a request with Content-Length 0', { 'content-type': 'application/json', 'content-length': '0' }, undefined, 'POST'],
    ['a 204', { 'content-type': 'application/json' }, 204, 'GET'],
    ['a 304', { 'content-type': 'application/json', etag: '"a"' }, 304, 'GET'],
    ['the answer to HEAD', { 'content-type': 'application/json', 'content-length': '14' }, 200, 'HEAD'],
  ])('%s is not read and not noted', async (_name, headers, status, method) => {
    const source = Readable.from([]);
    const side = status === undefined ? compiled(config).request! : compiled(config).response!;
    const notes: string[] = [];
    const result = await side.body!.run(source, headers, new TemplateScope({ ...view, method }), notes, status);
    expect(result).toEqual({ changed: false, body: source });
    expect(notes).toEqual([]);
  });
});

describe('a body a node gathered whole (a response step)', () => {
  const config: TransformConfig = { response: { body: { remove: ['secret'] } } };
  const apply = (body: string, headers: HeaderBag, status = 200, method = 'GET') => {
    const notes: string[] = [];
    const out = compiled(config).response!.body!.apply(Buffer.from(body), headers, new TemplateScope({ ...view, method }), notes, status);
    return { out: out?.toString(), headers, reason: describeTransform(notes) };
  };

  it('gives the new bytes and reframes the headers', () => {
    const body = json({ secret: 1, ok: true });
    expect(apply(body, jsonHeaders(body, { etag: '"a"' }))).toEqual({
      out: '{"ok":true}',
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '11' },
      reason: 'transform: removed body secret',
    });
  });

  it.each<[string, string, HeaderBag, string]>([
    ['not JSON', 'secret', { 'content-type': 'text/plain' }, 'transform: body passed unchanged: not JSON (text/plain)'],
    ['an array', '[1]', { 'content-type': 'application/json' }, 'transform: body passed unchanged: a JSON array, not an object'],
    [
      'larger than the limit',
      json({ secret: 'x'.repeat(LIMITS.jsonBody.max) }),
      { 'content-type': 'application/json' },
      `transform: body passed unchanged: larger than ${LIMITS.jsonBody.max} bytes, the most the gateway buffers`,
    ],
    ['nothing to change', json({ ok: true }), { 'content-type': 'application/json' }, 'transform: nothing to change'],
  ])('passes %s unchanged: undefined, headers untouched', (_name, body, headers, reason) => {
    const before = { ...headers };
    expect(apply(body, headers)).toEqual({ out: undefined, headers: before, reason });
  });

  it('leaves the answer to HEAD and a 304 alone, unnoted', () => {
    expect(apply('', { 'content-type': 'application/json' }, 200, 'HEAD').reason).toBe('transform: nothing to change');
    expect(apply('', { 'content-type': 'application/json' }, 304).reason).toBe('transform: nothing to change');
  });
});

describe('compileTransform', () => {
  it('gives nothing for a route without a transform, and only the sides and parts a config has', () => {
    expect(compileTransform(undefined)).toBeUndefined();
    const headersOnly = compiled({ response: { headers: { remove: ['server'] } } });
    expect(headersOnly.request).toBeUndefined();
    expect(headersOnly.response?.body).toBeUndefined();
    expect(compiled({ request: { body: { remove: ['a'] } } }).request?.body).toBeDefined();
  });
});
