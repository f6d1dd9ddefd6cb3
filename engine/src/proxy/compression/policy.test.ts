/** The per-response decision: one row per rule, with the headers it leaves and the sentence it traces. */
import type { OutgoingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { describeDecision } from './describe.ts';
import { compileCompression, CompressionPolicy } from './policy.ts';

const JSON_24K: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8', 'content-length': '24576' };
const BROWSER = 'gzip, deflate, br';

interface Row {
  rule: string;
  method?: string;
  accept?: string;
  status?: number;
  headers: OutgoingHttpHeaders;
  outcome: string;
  /** The headers the decision leaves (only those named are compared, plus content-encoding: the coding when compressed, else as it came). */
  after: OutgoingHttpHeaders;
  trace: string;
}

const rows: Row[] = [
  {
    rule: 'compressible, big enough, accepted: compressed',
    headers: { ...JSON_24K, etag: '"v1"', 'accept-ranges': 'bytes' },
    outcome: 'compress',
    after: { 'content-encoding': 'br', 'content-length': undefined, 'accept-ranges': undefined, vary: 'Accept-Encoding', etag: 'W/"v1"' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'a streamed body without a length is compressed',
    accept: 'gzip',
    headers: { 'content-type': 'text/event-stream' },
    outcome: 'compress',
    after: { 'content-encoding': 'gzip', vary: 'Accept-Encoding' },
    trace: 'compression: gzip (q=1) for text/event-stream, length unknown (streamed) -> compressing',
  },
  {
    rule: 'under minSize: as is, no Vary (every client gets the same bytes)',
    headers: { 'content-type': 'text/html', 'content-length': 300 },
    outcome: 'small',
    after: { 'content-length': 300, vary: undefined },
    trace: 'compression: text/html 300 B under minSize 1 KB -> as is',
  },
  {
    rule: 'exactly minSize is compressed',
    headers: { 'content-type': 'text/html', 'content-length': 1024 },
    outcome: 'compress',
    after: { 'content-encoding': 'br' },
    trace: 'compression: br (q=1) for text/html, 1 KB -> compressing',
  },
  {
    rule: 'a type that is compressed already: as is, no Vary',
    headers: { 'content-type': 'image/png', 'content-length': 50_000 },
    outcome: 'type',
    after: { vary: undefined, 'content-length': 50_000 },
    trace: 'compression: image/png is not a compressible type -> as is',
  },
  {
    rule: 'no Content-Type: as is (nginx)',
    headers: { 'content-length': 50_000 },
    outcome: 'type',
    after: {},
    trace: 'compression: no Content-Type -> as is',
  },
  {
    rule: 'a +json type matches application/*+json',
    headers: { 'content-type': 'Application/Problem+JSON', 'content-length': 2048 },
    outcome: 'compress',
    after: { 'content-encoding': 'br' },
    trace: 'compression: br (q=1) for application/problem+json, 2 KB -> compressing',
  },
  {
    rule: 'already encoded: never twice',
    headers: { ...JSON_24K, 'content-encoding': 'gzip' },
    outcome: 'encoded',
    after: { 'content-encoding': 'gzip', 'content-length': '24576', vary: undefined },
    trace: 'compression: already encoded (gzip) -> as is',
  },
  {
    rule: 'Cache-Control: no-transform (RFC 9110 section 7.7)',
    headers: { ...JSON_24K, 'cache-control': 'public, No-Transform, max-age=60' },
    outcome: 'no-transform',
    after: { vary: undefined },
    trace: 'compression: Cache-Control: no-transform -> as is',
  },
  {
    rule: 'HEAD: as is, but Vary as the GET would have',
    method: 'HEAD',
    headers: { ...JSON_24K, etag: '"v1"' },
    outcome: 'no-body',
    after: { vary: 'Accept-Encoding', 'content-length': '24576', etag: '"v1"' },
    trace: 'compression: HEAD has no body -> as is (Vary: Accept-Encoding)',
  },
  {
    rule: '304: no body, ETag weak as the compressed 200 it stands for',
    status: 304,
    headers: { 'content-type': 'application/json', etag: '"v1"' },
    outcome: 'not-modified',
    after: { vary: 'Accept-Encoding', etag: 'W/"v1"' },
    trace: "compression: 304 has no body -> as is, ETag weakened as the br 200's (Vary: Accept-Encoding)",
  },
  {
    rule: '304 without Content-Type (it need not carry one, and origins and caches leave it out): ETag weak as well',
    status: 304,
    headers: { etag: '"v1"', 'content-length': '24576' },
    outcome: 'not-modified',
    after: { vary: 'Accept-Encoding', etag: 'W/"v1"' },
    trace: "compression: 304 has no body -> as is, ETag weakened as the br 200's (Vary: Accept-Encoding)",
  },
  {
    rule: '204: no body',
    status: 204,
    headers: { 'content-type': 'application/json' },
    outcome: 'no-body',
    after: { vary: undefined },
    trace: 'compression: 204 has no body -> as is',
  },
  {
    rule: '1xx: no body',
    status: 103,
    headers: { 'content-type': 'text/html' },
    outcome: 'no-body',
    after: {},
    trace: 'compression: 103 has no body -> as is',
  },
  {
    rule: '206: ranges count identity bytes',
    status: 206,
    headers: { ...JSON_24K, 'content-range': 'bytes 0-24575/100000' },
    outcome: 'partial',
    after: { vary: undefined },
    trace: 'compression: 206 partial content counts identity bytes -> as is',
  },
  {
    rule: 'a Content-Range on another status',
    status: 416,
    headers: { 'content-type': 'text/plain', 'content-range': 'bytes */100' },
    outcome: 'partial',
    after: {},
    trace: 'compression: a Content-Range counts identity bytes -> as is',
  },
  {
    rule: 'no Accept-Encoding: as is, Vary still added (another client could get br)',
    accept: undefined,
    headers: { ...JSON_24K, etag: '"v1"' },
    outcome: 'no-header',
    after: { vary: 'Accept-Encoding', etag: '"v1"', 'content-length': '24576' },
    trace: 'compression: no Accept-Encoding -> as is (Vary: Accept-Encoding)',
  },
  {
    rule: 'nothing we offer is accepted',
    accept: 'deflate, zstd',
    headers: { ...JSON_24K },
    outcome: 'none-acceptable',
    after: { vary: 'Accept-Encoding' },
    trace: 'compression: Accept-Encoding takes none of the codings offered -> as is (Vary: Accept-Encoding)',
  },
  {
    rule: 'the client prefers identity',
    accept: 'gzip;q=0.2, identity',
    headers: { ...JSON_24K },
    outcome: 'identity-preferred',
    after: { vary: 'Accept-Encoding' },
    trace: 'compression: the client weighs identity highest -> as is (Vary: Accept-Encoding)',
  },
  {
    rule: 'an existing Vary is extended',
    headers: { ...JSON_24K, vary: 'Origin' },
    outcome: 'compress',
    after: { vary: 'Origin, Accept-Encoding' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'an existing Vary naming it is left as it is',
    headers: { ...JSON_24K, vary: 'origin, accept-encoding' },
    outcome: 'compress',
    after: { vary: 'origin, accept-encoding' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'Vary: * already covers it',
    headers: { ...JSON_24K, vary: '*' },
    outcome: 'compress',
    after: { vary: '*' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'Vary on two lines',
    // Node types Vary as one string; undici hands repeated lines over as an array.
    headers: { ...JSON_24K, vary: ['Origin', 'Cookie'] as unknown as string },
    outcome: 'compress',
    after: { vary: 'Origin, Cookie, Accept-Encoding' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'a weak ETag stays weak',
    headers: { ...JSON_24K, etag: 'W/"v1"' },
    outcome: 'compress',
    after: { etag: 'W/"v1"' },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'an ETag that is not an entity-tag is dropped (nginx)',
    headers: { ...JSON_24K, etag: 'v1' },
    outcome: 'compress',
    after: { etag: undefined },
    trace: 'compression: br (q=1) for application/json, 24 KB -> compressing',
  },
  {
    rule: 'error pages compress like any other answer',
    status: 404,
    headers: { 'content-type': 'text/html', 'content-length': 4096 },
    outcome: 'compress',
    after: { 'content-encoding': 'br' },
    trace: 'compression: br (q=1) for text/html, 4 KB -> compressing',
  },
];

describe('the compression decision (defaults: br then gzip, minSize 1 KB)', () => {
  const policy = new CompressionPolicy();
  it.each(rows)('$rule', (row) => {
    const headers = { ...row.headers };
    const accept = 'accept' in row ? row.accept : BROWSER;
    const decision = policy.decide(row.method ?? 'GET', accept, row.status ?? 200, headers);
    expect(decision.outcome).toBe(row.outcome);
    const named = Object.fromEntries(Object.keys({ 'content-encoding': 1, ...row.after }).map((key) => [key, headers[key]]));
    const encoding = row.outcome === 'compress' ? decision.coding : row.headers['content-encoding'];
    expect(named).toEqual({ 'content-encoding': encoding, ...row.after });
    expect(describeDecision(decision, policy.minSize)).toBe(row.trace);
  });
});

describe('the config shapes the decision', () => {
  it('compression: false and no field mean no policy; true means the defaults', () => {
    expect(compileCompression(undefined)).toBeUndefined();
    expect(compileCompression(false)).toBeUndefined();
    expect(compileCompression(true)).toMatchObject({ minSize: 1024, codings: ['br', 'gzip'], levels: { br: 4, gzip: 6 } });
  });

  it('types replace the defaults; minSize, algorithms and levels apply', () => {
    const policy = compileCompression({ minSize: 10, types: ['image/png'], algorithms: ['gzip', 'br'], level: { gzip: 9 } })!;
    expect(policy.levels).toEqual({ br: 4, gzip: 9 });
    expect(policy.decide('GET', 'br, gzip', 200, { 'content-type': 'image/png', 'content-length': 10 })).toMatchObject({
      outcome: 'compress',
      coding: 'gzip',
    });
    expect(policy.decide('GET', 'br, gzip', 200, { 'content-type': 'text/html', 'content-length': 100 }).outcome).toBe('type');
    expect(policy.decide('GET', 'br, gzip', 200, { 'content-type': 'image/png', 'content-length': 9 }).outcome).toBe('small');
  });

  it('only the codings offered are chosen', () => {
    const policy = compileCompression({ algorithms: ['gzip'] })!;
    expect(policy.decide('GET', 'br', 200, { ...JSON_24K }).outcome).toBe('none-acceptable');
  });
});
