/**
 * The fault vocabulary as the lab offers it: which types may go where (the engine's own list, from
 * its zod-free vocabulary module), each type's parameters as a small form with sensible defaults, and the one conversion
 * from a filled form to the body `POST /api/faults` takes. The engine validates that body; a form
 * never second-guesses it, so every refusal the learner sees is the engine's, with its path.
 */
import { FAULT_PLACES, FAULT_TYPES, type FaultType } from '../../../../engine/src/faults/vocabulary.ts';
import type { ApiFieldError } from '../api-types.ts';
import type { BoxKind } from '../layout/layout.ts';

export { FAULT_PLACES, FAULT_TYPES, type FaultType };

/** What a fault is put on: a node of some kind, or the edge between two nodes. */
export type FaultPlace = { kind: 'node'; nodeKind: BoxKind } | { kind: 'edge' };

export interface NumberParam {
  key: string;
  input: 'number';
  label: string;
  unit?: string;
  /** Prefilled; absent leaves the field empty (the engine's default applies). */
  initial?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Empty is allowed: the engine fills its default. */
  optional?: boolean;
}

export interface ChoiceParam {
  key: string;
  input: 'choice';
  label: string;
  options: readonly string[];
  initial: string;
}

export type FaultParam = NumberParam | ChoiceParam;

/** Each type's form: its parameters, in the order they read best. Durations are sent as milliseconds. */
export const FAULT_PARAMS: Record<FaultType, readonly FaultParam[]> = {
  down: [],
  hang: [],
  latency: [
    { key: 'ms', input: 'number', label: 'Added delay', unit: 'ms', initial: 300, min: 0, step: 50 },
    { key: 'jitter', input: 'number', label: 'Jitter ±', unit: 'ms', initial: 50, min: 0, step: 10, optional: true },
  ],
  errors: [
    { key: 'rate', input: 'number', label: 'Share of requests', unit: '0–1', initial: 0.5, min: 0, max: 1, step: 0.1 },
    { key: 'status', input: 'number', label: 'Status sent', initial: 503, min: 500, max: 599, step: 1 },
  ],
  reset: [{ key: 'after', input: 'number', label: 'Reset after', unit: 'ms', initial: 0, min: 0, step: 100, optional: true }],
  bandwidth: [{ key: 'bytesPerSecond', input: 'number', label: 'Bandwidth', unit: 'bytes/s', initial: 500, min: 1, max: 1e12, step: 100 }],
  'slow-close': [{ key: 'delay', input: 'number', label: 'Hold the close', unit: 'ms', initial: 500, min: 1, step: 100 }],
  flap: [
    { key: 'period', input: 'number', label: 'Period', unit: 'ms', initial: 4000, min: 1, step: 500 },
    { key: 'downFor', input: 'number', label: 'Down for', unit: 'ms', initial: 2000, min: 1, step: 500, optional: true },
  ],
  partition: [{ key: 'mode', input: 'choice', label: 'Mode', options: ['drop', 'reject'], initial: 'drop' }],
  overload: [{ key: 'capacity', input: 'number', label: 'Capacity', unit: 'at once', initial: 1, min: 0, step: 1 }],
};

/** One sentence per type: what the engine does to the real sockets. */
export const FAULT_EFFECTS: Record<FaultType, string> = {
  down: 'the listener closes: connections are refused (502)',
  hang: 'requests are accepted and never answered: callers time out (504)',
  latency: 'each request waits before it is handled',
  errors: 'a share of requests is answered at once with a 5xx',
  reset: 'the connection is reset (TCP RST): callers see 502',
  bandwidth: 'response bytes leave slowly',
  'slow-close': 'the last byte of each response is held back',
  flap: 'the listener goes down and up again, over and over',
  partition: 'connections on this edge fail; other edges are untouched',
  overload: 'the service processes fewer requests at once; the rest queue or are refused',
};

export function isFaultType(type: string): type is FaultType {
  return (FAULT_TYPES as readonly string[]).includes(type);
}

/** The types that may be put on `place`, in vocabulary order. Clients and external URLs take none. */
export function faultTypesFor(place: FaultPlace): FaultType[] {
  if (place.kind === 'node' && (place.nodeKind === 'clients' || place.nodeKind === 'external')) return [];
  return FAULT_TYPES.filter((type) => {
    const where = FAULT_PLACES[type];
    if (place.kind === 'edge') return where === 'edge' || where === 'both';
    return where === 'node' || where === 'both' || (where === 'service' && place.nodeKind === 'service');
  });
}

export type FormValues = Record<string, string | number | null | undefined>;

/** The form of `type` filled with its initial values. */
export function initialValues(type: FaultType): FormValues {
  return Object.fromEntries(FAULT_PARAMS[type].map((p) => [p.key, p.initial ?? null]));
}

/**
 * The body for `POST /api/faults`. Numbers typed as text become numbers; an empty field is left out,
 * so the engine applies its default or names the missing field; text that is not a number is sent
 * as typed, so the engine's error names that field too.
 */
export function faultBody(target: string, type: FaultType, values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = { target, type };
  for (const param of FAULT_PARAMS[type]) {
    const raw = values[param.key];
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    if (param.input === 'choice') body[param.key] = String(raw);
    else body[param.key] = typeof raw === 'number' ? raw : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return body;
}

/** The engine's field errors in the form's words: "Added delay (ms): must be at least 0". */
export function errorsInWords(type: FaultType, errors: readonly ApiFieldError[]): string[] {
  return errors.map((error) => {
    const param = FAULT_PARAMS[type].find((p) => p.key === error.path);
    const where =
      param !== undefined
        ? `${param.label}${param.input === 'number' && param.unit ? ` (${param.unit})` : ''}`
        : error.path === 'target'
          ? 'Target'
          : error.path === '' || error.path === undefined
            ? 'The fault'
            : error.path;
    return `${where}: ${error.message}`;
  });
}
