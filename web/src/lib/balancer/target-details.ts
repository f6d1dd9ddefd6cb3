/**
 * A target's state beyond its load, as the engine reports it in the topology when the balancer has
 * health checks (`health`), outlier detection (`ejection`), circuit breakers (`circuit`), slow start
 * (`slowStart`, `effectiveWeight`), backups or draining, and why the balancer left it out
 * (`excluded`). All optional: the table shows what is there, in words, and anything it does not know
 * as the engine wrote it.
 */

export const LOAD_FIELDS: readonly string[] = ['id', 'weight', 'inFlight', 'eligible', 'address'];

const HEADINGS: Record<string, string> = {
  health: 'health check',
  ejection: 'outlier',
  circuit: 'circuit',
  slowStart: 'slow start',
  effectiveWeight: 'effective weight',
  excluded: 'left out',
  backup: 'backup',
  draining: 'draining',
};

export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

export interface DetailCell {
  text: string;
  /** The target cannot take requests because of it (unhealthy, ejected, open, left out). */
  bad: boolean;
}

/** A target's fields by name: the engine's target views are plain JSON objects, whatever their declared type. */
export function fieldsOf(target: object): Readonly<Record<string, unknown>> {
  return target as Readonly<Record<string, unknown>>;
}

/** The extra fields the targets carry, in a stable order: known ones first, then the rest as they come. */
export function detailColumns(targets: readonly object[]): string[] {
  const present = new Set(
    targets.map(fieldsOf).flatMap((t) => Object.keys(t).filter((k) => !LOAD_FIELDS.includes(k) && t[k] !== undefined)),
  );
  const known = Object.keys(HEADINGS).filter((k) => present.has(k));
  return [...known, ...[...present].filter((k) => !(k in HEADINGS))];
}

export function detailHeading(column: string): string {
  return HEADINGS[column] ?? column;
}

const seconds = (ms: unknown) => (typeof ms === 'number' ? `${Math.max(0, Math.ceil(ms / 1000))} s` : '?');

export function describeDetail(column: string, value: unknown): DetailCell {
  if (value === undefined || value === null) return { text: '', bad: false };
  const v = (typeof value === 'object' ? value : {}) as Record<string, unknown>;
  switch (column) {
    case 'health':
      if (v.state === 'unhealthy') return { text: `unhealthy (${v.streak ?? 0} of ${v.rise ?? '?'} passes to return)`, bad: true };
      if (v.state === 'healthy')
        return {
          text: typeof v.streak === 'number' && v.streak > 0 ? `healthy (${v.streak} of ${v.fall ?? '?'} failures to leave)` : 'healthy',
          bad: false,
        };
      break;
    case 'ejection':
      if (v.ejected === true) return { text: `ejected, back in ${seconds(v.remainingMs)} (ejected ${v.timesEjected ?? '?'}×)`, bad: true };
      if (v.ejected === false)
        return {
          text:
            typeof v.consecutiveFailures === 'number' && v.consecutiveFailures > 0
              ? `in (${v.consecutiveFailures} failures in a row)`
              : 'in',
          bad: false,
        };
      break;
    case 'circuit':
      if (v.state === 'open') return { text: `open, half-opens in ${seconds(v.remainingMs)}`, bad: true };
      if (v.state === 'half-open')
        return { text: `half-open (${v.trialsInFlight ?? 0} trial in flight, ${v.trialSuccesses ?? 0} passed)`, bad: false };
      if (v.state === 'closed')
        return {
          text: typeof v.failures === 'number' && v.failures > 0 ? `closed (${v.failures} failures in a row)` : 'closed',
          bad: false,
        };
      break;
    case 'slowStart':
      if (typeof v.factor === 'number')
        return { text: `warming: ${Math.round(v.factor * 100)}% of its weight for ${seconds(v.remainingMs)}`, bad: false };
      break;
    case 'excluded':
      return { text: String(value), bad: true };
    case 'backup':
    case 'draining':
      return { text: value === true ? 'yes' : value === false ? 'no' : String(value), bad: false };
  }
  if (typeof value !== 'object') return { text: String(value), bad: false };
  return { text: typeof v.state === 'string' ? v.state : JSON.stringify(value), bad: false };
}

/** A target's circuit state when the engine reports one. */
export function circuitState(target: object): (typeof CIRCUIT_STATES)[number] | undefined {
  const state = (fieldsOf(target).circuit as { state?: unknown } | undefined)?.state;
  return CIRCUIT_STATES.find((s) => s === state);
}
