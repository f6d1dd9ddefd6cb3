/**
 * What compressing one response costs the proxy, without the network: the decision
 * (engine/src/proxy/compression/policy.ts, on every answer of a proxy with `compression:`) and the
 * encoder the body streams through (encoder.ts: node:zlib on libuv's thread pool, flushed per chunk),
 * for each coding at its default level and at the levels a config may choose, over bodies the lab
 * serves: a 2 KB and a 24 KB JSON answer, and a 256 KB HTML page sent in 16 KB chunks as an upstream
 * would. Each case warms up, then times 7 batches and prints the median: microseconds per response,
 * MB/s of the origin's bytes, and the coded size. A proxy without `compression:` runs none of this
 * (no stage, no step, no allocation), so its cost there is nil by construction. The streaming encoder
 * only: a body of declared length up to 32 KB is coded whole by the proxy (WholeBodyEncoder), which the
 * harness's head-to-head pair compression-cost measures end to end.
 *
 *   node bench/compression.mjs [--responses 200]
 */
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { BodyEncoder, CompressionPolicy, newCompressionTally } = await import('../engine/src/proxy/compression/index.ts');

const { values } = parseArgs({ options: { responses: { type: 'string', default: '200' } } });
const responses = Number(values.responses);
const CHUNK = 16 * 1024;

function json(count) {
  const records = Array.from({ length: count }, (_, i) => ({ id: i, name: `user-${i}`, email: `user${i}@example.test`, score: (i * 7919) % 1000 }));
  return Buffer.from(JSON.stringify(records));
}

function html(bytes) {
  const rows = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    rows.push(`<tr><td class="id">${i}</td><td><a href="/items/${i}">Item ${(i * 7919) % 10007}</a></td><td>${(i * 31) % 997} in stock</td></tr>\n`);
    length += rows[i].length;
  }
  return Buffer.from(`<!doctype html><html><body><table>\n${rows.join('')}</table></body></html>`).subarray(0, bytes);
}

const BODIES = [
  { name: 'json 2 KB', type: 'application/json', body: json(30).subarray(0, 2048) },
  { name: 'json 24 KB', type: 'application/json', body: json(350).subarray(0, 24 * 1024) },
  { name: 'html 256 KB', type: 'text/html; charset=utf-8', body: html(256 * 1024) },
];

/** One response through a BodyEncoder into a sink; resolves with the coded size once the sink finished. */
function encodeOnce(coding, levels, body) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        size += chunk.length;
        done();
      },
    });
    sink.on('finish', () => resolve(size));
    sink.on('error', reject);
    const encoder = new BodyEncoder(sink, coding, levels, newCompressionTally(), body.length);
    for (let at = 0; at < body.length; at += CHUNK) encoder.write(body.subarray(at, at + CHUNK));
    encoder.end();
  });
}

async function median(batch) {
  await batch();
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await batch());
  runs.sort((a, b) => a - b);
  return runs[3];
}

async function timeEncoder(coding, level, { name, body }) {
  const levels = { br: 4, gzip: 6, [coding]: level };
  let coded = 0;
  const usPerResponse = await median(async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < responses; i++) coded = await encodeOnce(coding, levels, body);
    return Number(process.hrtime.bigint() - start) / 1000 / responses;
  });
  const mbPerSecond = body.length / usPerResponse;
  console.log(
    `${`${coding} ${level}`.padEnd(8)} ${name.padEnd(12)} ${usPerResponse.toFixed(1).padStart(9)} us/response ${mbPerSecond.toFixed(1).padStart(7)} MB/s  ${String(coded).padStart(7)} B (${((coded / body.length) * 100).toFixed(1)}%)`,
  );
}

async function timeDecision() {
  const policy = new CompressionPolicy();
  const iterations = responses * 500;
  const usPerDecision = await median(async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': '24576', etag: '"v1"', 'cache-control': 'max-age=60' };
      policy.decide('GET', 'gzip, deflate, br, zstd', 200, headers);
    }
    return Number(process.hrtime.bigint() - start) / 1000 / iterations;
  });
  console.log(`${'decide'.padEnd(21)} ${usPerDecision.toFixed(3).padStart(9)} us/response (a browser's Accept-Encoding, a 24 KB JSON answer; headers object included)`);
}

await timeDecision();
for (const body of BODIES) {
  for (const [coding, level] of [['br', 4], ['gzip', 6], ['br', 1], ['gzip', 1], ['br', 6], ['gzip', 9]]) await timeEncoder(coding, level, body);
}
