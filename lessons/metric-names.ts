/**
 * The metrics the engine reports, by name, as goals spell them (`statusClasses.5xx`, `targets.app-2`, `clients.lost`, `keys.moved`):
 * a goal that reads anything else is a lesson bug, told plainly by the checker and the lesson validator
 * rather than a goal that never completes.
 */
import { isEdgeErrorCode } from '../engine/src/errors.ts';
import type { ClientMetrics, KeyMetrics, XCacheWord } from '../engine/src/events.ts';
import type { LatencyStat } from './format.ts';

export const LATENCY_STATS: readonly LatencyStat[] = ['p50', 'p95', 'p99', 'max', 'mean'];
const PLAIN = new Set(['requests', 'errors', 'partial', 'inFlight', 'ratePerSecond', 'activeFaults', 'scenarioFaults']);
const STATUS_CLASSES = new Set(['1xx', '2xx', '3xx', '4xx', '5xx']);
const CACHE_WORDS = new Set<XCacheWord>(['HIT', 'MISS', 'STALE', 'REVALIDATED', 'BYPASS', 'COLLAPSED']);
const TLS_KEYS = new Set(['handshakes', 'failed', 'resumed', 'requests.h2', 'requests.http/1.1']);
const CLIENT_KEYS = new Set<keyof ClientMetrics>(['requests', '2xx', 'lost', 'failedOver']);
const KEY_OUTCOMES = new Set<keyof KeyMetrics>(['stayed', 'moved', 'rehomed']);

/** Why the engine has no metric of that name; undefined when it has. */
export function metricProblem(metric: string): string | undefined {
  if (PLAIN.has(metric)) return undefined;
  const dot = metric.indexOf('.');
  const group = dot === -1 ? metric : metric.slice(0, dot);
  const key = metric.slice(dot + 1);
  const known =
    dot !== -1 &&
    ((group === 'statusClasses' && STATUS_CLASSES.has(key)) ||
      (group === 'errorCodes' && isEdgeErrorCode(key)) ||
      (group === 'latency' && (LATENCY_STATS as readonly string[]).includes(key)) ||
      (group === 'cache' && CACHE_WORDS.has(key as XCacheWord)) ||
      (group === 'tls' && TLS_KEYS.has(key)) ||
      (group === 'clients' && CLIENT_KEYS.has(key as keyof ClientMetrics)) ||
      (group === 'keys' && KEY_OUTCOMES.has(key as keyof KeyMetrics)) ||
      (group === 'targets' && key !== ''));
  return known ? undefined : `the engine reports no metric "${metric}"`;
}
