/**
 * One SSE client, as the lab's browser tab would be: reads `GET /api/events` from the control server
 * as fast as it can and counts what arrives. The harness runs it as a child on the load core (never on
 * the SUT core) and talks to it over stdin/stdout:
 *
 *   prints `CONNECTED` once the stream answered 200;
 *   stdin `mark`   -> counters restart (the measured run begins);
 *   stdin `report` -> prints `REPORT {"messages","requestEvents","dropped","bytes","seconds"}`.
 *
 * Counting is format-agnostic: SSE messages end with a blank line; engine per-request events are
 * counted by their `"type":"request.` marker wherever batching puts them; `"dropped":N` is summed.
 *
 *   node bench/lib/sse-client.mjs http://127.0.0.1:PORT/api/events
 */
import http from 'node:http';
import readline from 'node:readline';

const url = process.argv[2];
let counts = fresh();

function fresh() {
  return { messages: 0, requestEvents: 0, dropped: 0, bytes: 0, since: performance.now() };
}

const req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
  if (res.statusCode !== 200) {
    console.error(`GET ${url} answered ${res.statusCode}`);
    process.exit(1);
  }
  process.stdout.write('CONNECTED\n');
  res.setEncoding('utf8');
  let tail = '';
  res.on('data', (chunk) => {
    counts.bytes += Buffer.byteLength(chunk);
    const text = tail + chunk;
    const cut = text.lastIndexOf('\n\n');
    if (cut < 0) {
      tail = text;
      return;
    }
    const complete = text.slice(0, cut);
    tail = text.slice(cut + 2);
    counts.messages += complete.split('\n\n').length;
    counts.requestEvents += complete.split('"type":"request.').length - 1;
    for (const match of complete.matchAll(/"dropped":(\d+)/g)) counts.dropped += Number(match[1]);
  });
  res.on('end', () => process.exit(0));
});
req.on('error', (error) => {
  console.error(`GET ${url}: ${error.message}`);
  process.exit(1);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'mark') counts = fresh();
  if (line === 'report') {
    const { since, ...rest } = counts;
    process.stdout.write(`REPORT ${JSON.stringify({ ...rest, seconds: (performance.now() - since) / 1000 })}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
