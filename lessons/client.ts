/**
 * Lesson actions as control API calls. The web app's "show me" button and the proof test both go
 * through here, so what the test proves is what the learner's button does. `baseUrl` is the engine's
 * control origin (`http://127.0.0.1:8787`), or `''` in the browser for the page's own origin.
 */
import type { Lesson, LessonAction, MetricsByNode } from './format.ts';

/** A control API call answered with a non-2xx status; `body` is the engine's answer (often its error list). */
export class ControlApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${explain(body)}`);
    this.name = 'ControlApiError';
  }
}

/** The engine's error answer in words: its `path: message` list, its error, or the raw text. */
function explain(body: unknown): string {
  if (typeof body === 'string') return body;
  const { errors, error } = (body ?? {}) as { errors?: Array<{ path: string; message: string }>; error?: string };
  if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return typeof error === 'string' ? error : JSON.stringify(body);
}

export interface CallOptions {
  signal?: AbortSignal;
}

export async function applyAction(baseUrl: string, action: LessonAction, options: CallOptions = {}): Promise<void> {
  switch (action.action) {
    case 'traffic':
      await call(baseUrl, 'POST', '/api/traffic', action.body, options);
      return;
    case 'fault':
      await call(baseUrl, 'POST', '/api/faults', action.body, options);
      return;
    case 'clearFaults':
      await clearFaults(baseUrl, options);
      return;
    case 'config': {
      // A config can be valid and still not run (a port in use): the lesson cannot go on then.
      const applied = (await call(baseUrl, 'PUT', '/api/config', action.body, options)) as { failures?: string[] } | undefined;
      if (applied?.failures?.length) throw new Error(`the sandbox could not start: ${applied.failures.join('; ')}`);
      return;
    }
    case 'wait':
      await sleep(action.ms, options.signal);
      return;
  }
}

/** Apply a step's solution in order; a failed call stops it there. */
export async function applySolution(baseUrl: string, actions: readonly LessonAction[], options: CallOptions = {}): Promise<void> {
  for (const action of actions) await applyAction(baseUrl, action, options);
}

/**
 * Put the engine in the lesson's starting state: its config, no traffic, no faults but those its own
 * `scenario` starts, and fresh counts (a node that keeps its id and kind across the config would otherwise
 * keep counting from before). Scenario faults may start at once (`at: 0s`), before the faults are listed:
 * they are part of the lesson's problem, so only the faults injected through the API are cleared.
 */
export async function prepareSandbox(baseUrl: string, lesson: Lesson, options: CallOptions = {}): Promise<void> {
  await applySolution(baseUrl, [{ action: 'traffic', body: { action: 'stop' } }, { action: 'config', body: lesson.startConfig }], options);
  await clearFaults(baseUrl, options, 'api');
  await resetCounts(baseUrl, options);
}

/** Every node's counts back to zero (`POST /api/metrics/reset`); the stream says so with `metrics.reset`. */
export async function resetCounts(baseUrl: string, options: CallOptions = {}): Promise<void> {
  await call(baseUrl, 'POST', '/api/metrics/reset', undefined, options);
}

export interface MetricsResponse {
  ts: number;
  nodes: MetricsByNode;
}

export async function fetchMetrics(baseUrl: string, options: CallOptions = {}): Promise<MetricsResponse> {
  return (await call(baseUrl, 'GET', '/api/metrics', undefined, options)) as MetricsResponse;
}

/** The running config as the engine was given it (`GET /api/config`): what goals on the config read. */
export async function fetchConfig(baseUrl: string, options: CallOptions = {}): Promise<unknown> {
  return call(baseUrl, 'GET', '/api/config', undefined, options);
}

/** Clear every active fault, or only those from `source` (`api`: injected, not a scenario's). */
async function clearFaults(baseUrl: string, options: CallOptions, source?: 'api'): Promise<void> {
  const faults = (await call(baseUrl, 'GET', '/api/faults', undefined, options)) as Array<{ id: string; source?: string }>;
  for (const fault of faults) {
    if (source === undefined || fault.source === source) await call(baseUrl, 'DELETE', `/api/faults/${encodeURIComponent(fault.id)}`, undefined, options);
  }
}

async function call(baseUrl: string, method: string, path: string, body: unknown, options: CallOptions): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: options.signal,
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) throw new ControlApiError(method, path, response.status, parsed);
  return parsed;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
