/**
 * Every size a config controls, with its limit and the reason for it, in one place: the schema's checks
 * and error messages, the JSON Schema (maxItems, maxLength, maximum) and the README's Limits list (a
 * test holds it to this module) all read them from here. Each limit sits far above what a lab uses and
 * low enough that what it sizes (a ring, a table, a topology, a check) is built within a frame or two
 * (~30 ms) on the 2-core machine the lab is developed on, because a build blocks every node at once.
 * The measurements beside each limit are the best of several runs on that machine, under the load of
 * other tests running (so the real figure is often lower).
 */

export interface Limit {
  /** The largest value allowed. */
  readonly max: number;
  /** What is counted, as the message reads after "at most N": `nodes in a config`. */
  readonly of: string;
  /** Why the limit is there, for the message and the README. */
  readonly why: string;
}

/**
 * The longest delay a Node.js timer holds (2^31 - 1 ms, about 24.8 days): a longer one fires after
 * 1 ms instead, so every duration a config or the fault API gives is at most this.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export const LIMITS = {
  /** Applying 200 new nodes blocked the event loop ~10 ms (300: ~13 ms; 1,000: 1.2 s). */
  nodes: {
    max: 200,
    of: 'nodes in a config',
    why: 'each node is a real listener with its own pools and metrics, and applying many at once stalls every node',
  },
  /** A pick looks at every target: 200 targets cost ~0.1 ms more CPU per request than 10. */
  targets: { max: 200, of: 'targets per balancer', why: 'every pick weighs each target, so each request pays for all of them' },
  /** Routes are matched in order on every request; 200 cost a few microseconds. */
  routes: { max: 200, of: 'routes per gateway', why: 'routes are tried in order on every request' },
  /** A limiter's key costs ~125-150 bytes of heap (bench/limiters.mjs measures it): 1,000,000 keys are ~0.15 GB. */
  limiterKeys: {
    max: 1_000_000,
    of: 'keys one rate limit holds (maxKeys)',
    why: 'each key held costs memory until it is idle or evicted, and a flood of distinct keys fills them all',
  },
  /** A sliding-window-log keeps one 8-byte time per request in the window per key: 1,000,000 are ~8-15 MB (837 bytes a key with 50). */
  windowLogEntries: {
    max: 1_000_000,
    of: 'request times a sliding-window-log keeps (its limit × maxKeys)',
    why: 'the log keeps every accepted request in the window for every key it holds',
  },
  /** A ring of 20,000 points builds in ~6 ms (nginx mode ~5 ms); 64,000 took ~30 ms, 400,000 ~250 ms. */
  ringPoints: {
    max: 20_000,
    of: 'points on a consistent-hash ring (points × the sum of the target weights; 160 × weight in nginx mode)',
    why: 'the ring is built on the first request and again whenever a target or a weight changes, and a bigger one takes longer than a frame',
  },
  /** A table of 131,071 slots builds in ~7 ms with 1 to 200 targets; 524,287 took 21-61 ms, 1,048,573 47-275 ms. */
  maglevTableSize: {
    max: 131_071,
    of: 'slots in a Maglev table',
    why: 'the table is rebuilt whenever the set of eligible targets changes, and a bigger one takes longer than a frame (Envoy defaults to 65537)',
  },
  /** Every API key is hashed into the gateway's key table when the config is applied: 5,000 keys (the most a config's values allow) hash in ~5 ms. */
  consumers: {
    max: 1_000,
    of: 'consumers per gateway',
    why: "each consumer's API keys are hashed into the gateway's key table whenever the config is applied",
  },
  /** Each flow runs its own schedule, timers and client pools. */
  trafficFlows: { max: 20, of: 'traffic flows', why: 'each flow runs its own schedule and connection pools' },
  /** A flow keeps client pools per entry it may fail over to. */
  failoverEntries: { max: 8, of: 'failover entries per flow', why: 'each entry has its own client connection pools' },
  /** Clients create their pools lazily, each with its own connections from its own loopback address. */
  clients: {
    max: 10_000,
    of: 'clients per flow',
    why: 'each client keeps its own connections, and the engine and its clients share one process and its file descriptors',
  },
  /** Validation compares every pair of steps for overlaps: 200 steps are 20,000 pairs, well under 1 ms. */
  scenarioSteps: { max: 200, of: 'scenario steps', why: 'each step holds a timer, and every pair is checked for overlaps' },
  /** A Zipf table of 100,000 keys builds in ~5 ms; 1,000,000 took ~150 ms (uniform keys build nothing). */
  zipfKeys: {
    max: 100_000,
    of: 'keys with distribution zipf',
    why: 'the popularity table is built when the flow starts (uniform keys take no table and allow 1000000)',
  },
  /** Traffic phases are planned when a flow starts. */
  phases: { max: 100, of: 'phases per flow', why: 'a flow plans all its phases when it starts' },
  /** Paths and request mixes are compiled once and drawn from on every send. */
  paths: { max: 1_000, of: 'paths or requests per flow', why: 'each is compiled when the flow starts' },
  /** Lists a node reads on every request (cache rules, trusted proxies, error statuses, mix parts, route matchers). */
  listItems: {
    max: 100,
    of: 'entries in a list a node reads per request (cache rules, trusted proxies, error statuses, latency mix parts, retry lists, route matchers)',
    why: 'the node goes through the list on every request',
  },
  /**
   * The whole config: 5,000 values (every key, list item and scalar) check in ~1 ms, or ~50 ms in the
   * worst case we found, where each is a wrong URL (each error costs ~10 µs); a 1 MB body of wrong
   * values took ~400 ms before this limit. The largest example config has 141 values.
   */
  configValues: {
    max: 5_000,
    of: 'values in a config (keys, list items and scalars, counted together)',
    why: 'checking a config blocks the engine, and a bigger one takes longer than a frame or two',
  },
  /** A valid config nests at most 8 deep (a log-normal part of a mix as a phase's think time); deeper is junk. */
  depth: {
    max: 16,
    of: 'levels of nesting',
    why: 'no field of a config nests deeper than 8, so anything deeper is junk',
  },
  /** Ids travel in Via, X-Forwarded and the events; 63 is a DNS label's limit. */
  idLength: { max: 63, of: 'characters in a node id', why: 'an id travels in Via headers and every event (63, as a DNS label)' },
  /** Names are shown in the page, the CLI's tables and the reports. */
  nameLength: { max: 100, of: 'characters in a name', why: 'names are shown in the page and in the tables of `edgelab run`' },
  /** An aggregate route calls every upstream for each request it answers. */
  aggregateUpstreams: {
    max: 20,
    of: 'upstreams per aggregate',
    why: 'each request to the route calls every one of them at once',
  },
  /**
   * JSON.parse and JSON.stringify of a 1 MB body took ~20 ms together (4 MB: ~90 ms). Not set by a
   * config: above it a transform passes the body on unchanged, and an aggregate upstream fails.
   */
  jsonBody: {
    max: 1_048_576,
    of: 'bytes of a JSON body a gateway buffers to transform it, or per upstream of an aggregate (a larger body passes unchanged, or fails its upstream)',
    why: 'the body is held in memory and parsed on the event loop every node shares (~20 ms for 1 MB)',
  },
  /** A proxy's cache holds its bodies in the engine's heap, which every node shares (Node's default old space is ~2-4 GB). */
  cacheSize: {
    max: 1_073_741_824,
    of: "bytes in a proxy's cache (maxSize, maxEntrySize)",
    why: "the stored bodies live in the engine's heap, shared by every node",
  },
  /** Paths and URLs: 2 KB, what browsers and proxies commonly accept in a request line. */
  pathLength: { max: 2_048, of: 'characters in a path or URL', why: 'longer request targets are refused by common browsers and proxies' },
  /** A header line: nginx's large_client_header_buffers holds 8 KB per line by default. */
  headerLength: { max: 8_192, of: 'characters in a header value', why: 'nginx refuses a longer header line by default (8k)' },
  /** Route regexes run on requests; with nested quantifiers refused (gateway/routing/safe-regex.ts), a short one stays fast. */
  regexLength: {
    max: 256,
    of: 'characters in a regular expression',
    why: 'a route runs its regexes on every request it sees, and a short pattern is one a reader can check for backtracking',
  },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The error message of a refused limit: `at most 200 nodes in a config: each node is a real listener...`. */
export function limitMessage(limit: Limit): string {
  return `at most ${limit.max} ${limit.of}: ${limit.why}`;
}

/** How the README lists the limits (a test checks that the README holds exactly this). */
export function limitsMarkdown(): string {
  const lines = Object.values(LIMITS).map((limit: Limit) => `- at most ${limit.max} ${limit.of}: ${limit.why}`);
  lines.push(`- durations at most ${MAX_TIMER_MS}ms (${formatDays(MAX_TIMER_MS)}), the longest a timer can hold`);
  return lines.join('\n');
}

/** The duration limit's message: `at most 2147483647ms (24.8 days), the longest a timer can hold`. */
export const TIMER_LIMIT_MESSAGE = `at most ${MAX_TIMER_MS}ms (${formatDays(MAX_TIMER_MS)}), the longest a timer can hold`;

function formatDays(ms: number): string {
  // Truncated, not rounded: the limit is "at most".
  return `${Math.floor(ms / 8_640_000) / 10} days`;
}
