/**
 * The control API, called with relative URLs: in production the engine serves this app on the same
 * port, and in development Vite proxies `/api` to it. Every failure becomes an `ApiError` with the
 * status and, for a 400, the engine's list of field errors.
 */
import { errorPlace } from '../../../engine/src/config/edges.ts';
import type { ApiFieldError, Fault, MetricsSnapshot, Topology, TrafficState } from './api-types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ApiFieldError[];

  constructor(message: string, status: number, errors: ApiFieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }
}

/**
 * How long a call waits for the engine's whole answer. An engine that stops answering without closing
 * its sockets (a paused process) would otherwise leave the button that called it busy for ever. Longer
 * than any apply takes (a replaced node lets its requests finish for up to 5 s).
 */
export const API_TIMEOUT_MS = 30_000;

interface CallOptions {
  timeoutMs?: number;
  /** Sent as If-Match: the PUT applies only over the representation with this entity-tag (412 otherwise). */
  ifMatch?: string;
  /** Told the answer's entity-tag (ETag), if it has one. */
  onTag?: (tag: string | undefined) => void;
}

export async function call<T>(method: string, url: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const { timeoutMs = API_TIMEOUT_MS, ifMatch, onTag } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (cause: unknown) =>
    new ApiError(
      signal.aborted
        ? `the engine did not answer ${method} ${url} within ${timeoutMs / 1000} s`
        : `cannot reach the engine (${method} ${url}): ${(cause as Error).message}`,
      0,
    );
  let response: Response;
  let text: string;
  try {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    text = await response.text();
  } catch (cause) {
    throw failed(cause);
  }
  onTag?.(response.headers.get('etag') ?? undefined);
  const parsed: unknown = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    const errors = fieldErrorsOf(parsed);
    const detail = errors.length > 0 ? errors.map((e) => `${errorPlace(e)}: ${e.message}`).join('; ') : (messageOf(parsed) ?? text.slice(0, 200));
    throw new ApiError(`${method} ${url} answered ${response.status}${detail ? `: ${detail}` : ''}`, response.status, errors);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fieldErrorsOf(body: unknown): ApiFieldError[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { errors?: unknown }).errors)) return [];
  return (body as { errors: unknown[] }).errors.flatMap((e) => {
    if (typeof e !== 'object' || e === null) return [];
    const { path, message, node, suggestion } = e as Partial<Record<keyof ApiFieldError, unknown>>;
    return [
      {
        path: String(path ?? ''),
        message: String(message ?? ''),
        ...(typeof node === 'string' ? { node } : {}),
        ...(typeof suggestion === 'string' ? { suggestion } : {}),
      },
    ];
  });
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null) {
    const { message, error } = body as { message?: unknown; error?: unknown };
    if (typeof message === 'string') return message;
    if (typeof error === 'string') return error;
  }
  return undefined;
}

/** What `PUT /api/config` answers for a config it applied: the nodes that could not start, and its warnings by path. */
export interface ConfigApplied {
  failures: string[];
  /** What runs but cannot be meant (a route that can never match), as `edgelab validate` prints it. */
  warnings: ApiFieldError[];
}

function configAppliedOf(body: unknown): ConfigApplied {
  const { failures, warnings } = (typeof body === 'object' && body !== null ? body : {}) as { failures?: unknown; warnings?: unknown };
  return { failures: Array.isArray(failures) ? failures.map(String) : [], warnings: fieldErrorsOf({ errors: warnings }) };
}

/** What `POST /api/config/validate` answers: the errors PUT would refuse the config with, or the warnings it would run with. */
export interface ConfigCheck {
  ok: boolean;
  errors: ApiFieldError[];
  warnings: ApiFieldError[];
}

function configCheckOf(body: unknown): ConfigCheck {
  const { ok, errors, warnings } = (typeof body === 'object' && body !== null ? body : {}) as { ok?: unknown; errors?: unknown; warnings?: unknown };
  return { ok: ok === true, errors: fieldErrorsOf({ errors }), warnings: fieldErrorsOf({ errors: warnings }) };
}

/** The running config with its entity-tag: what a later `putConfig(config, tag)` applies over, or is refused (412). */
export interface TaggedConfig {
  config: unknown;
  tag: string | undefined;
}

export const api = {
  topology: () => call<Topology>('GET', '/api/topology'),
  metrics: () => call<MetricsSnapshot>('GET', '/api/metrics'),
  config: () => call<unknown>('GET', '/api/config'),
  taggedConfig: async (): Promise<TaggedConfig> => {
    let tag: string | undefined;
    const config = await call<unknown>('GET', '/api/config', undefined, { onTag: (t) => (tag = t) });
    return { config, tag };
  },
  /**
   * Applies a config; with `ifMatch` (a tag `taggedConfig` gave) only over that config: when another has
   * been applied since, a 412 ApiError and nothing applied. The answer carries the new config's tag.
   */
  putConfig: async (config: unknown, ifMatch?: string) => {
    let tag: string | undefined;
    const applied = configAppliedOf(await call<unknown>('PUT', '/api/config', config, { ifMatch, onTag: (t) => (tag = t) }));
    return { ...applied, tag };
  },
  /** Checks a config as PUT would, without applying it. */
  checkConfig: async (config: unknown) => configCheckOf(await call<unknown>('POST', '/api/config/validate', config)),
  stopTraffic: () => call<TrafficState>('POST', '/api/traffic', { action: 'stop' }),
  /** Start again what ran when traffic was paused, rate and shape changes included (the config's flows when nothing ran yet). */
  resumeTraffic: () => call<TrafficState>('POST', '/api/traffic', { action: 'resume' }),
  /** Any traffic action (`start` with flow fields, `set` a running flow's rate or users, `stop`); answers with the new traffic state. */
  traffic: (body: Record<string, unknown>) => call<TrafficState>('POST', '/api/traffic', body),
  faults: () => call<Fault[]>('GET', '/api/faults'),
  /** One fault as the engine takes it (`{ target, type, ...parameters }`); answers with the fault, id and defaults filled in. */
  injectFault: (body: Record<string, unknown>) => call<Fault>('POST', '/api/faults', body),
  clearFault: (id: string) => call<unknown>('DELETE', `/api/faults/${encodeURIComponent(id)}`),
  clearAllFaults: () => call<unknown>('DELETE', '/api/faults'),
  /** Every node's counts back to zero; the stream says so (`metrics.reset`). */
  resetMetrics: () => call<unknown>('POST', '/api/metrics/reset'),
  /** Drop a caching proxy's stored responses: all (`prefix` `/`), under a path prefix, or one URL (every variant). Answers how many went. */
  purgeCache: (node: string, target: { prefix: string } | { url: string; host?: string }) =>
    call<{ purged: number }>('DELETE', `/api/cache/${encodeURIComponent(node)}?${new URLSearchParams(target as Record<string, string>)}`),
};
