import { describe, expect, it } from 'vitest';
import { FAULT_PLACES as ENGINE_PLACES, FAULT_TYPES as ENGINE_TYPES, FaultSpec } from '../../../../engine/src/faults/spec.ts';
import { errorsInWords, FAULT_PARAMS, FAULT_PLACES, FAULT_TYPES, faultBody, faultTypesFor, initialValues } from './fault-forms.ts';

describe('fault forms', () => {
  it('mirror the engine’s vocabulary exactly', () => {
    expect(FAULT_TYPES).toEqual(ENGINE_TYPES);
    expect(FAULT_PLACES).toEqual(ENGINE_PLACES);
  });

  it.each(FAULT_TYPES)('prefill %s with values the engine accepts', (type) => {
    const target = FAULT_PLACES[type] === 'edge' ? 'api->users' : 'users-1';
    const parsed = FaultSpec.safeParse(faultBody(target, type, initialValues(type)));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('prefill latency with 300 ms ± 50 ms', () => {
    expect(faultBody('users-1', 'latency', initialValues('latency'))).toEqual({ target: 'users-1', type: 'latency', ms: 300, jitter: 50 });
  });

  it.each([
    [{ kind: 'node', nodeKind: 'service' }, ['down', 'hang', 'latency', 'errors', 'reset', 'bandwidth', 'slow-close', 'flap', 'overload']],
    [{ kind: 'node', nodeKind: 'balancer' }, ['down', 'hang', 'latency', 'errors', 'reset', 'bandwidth', 'slow-close', 'flap']],
    [{ kind: 'edge' }, ['hang', 'latency', 'errors', 'reset', 'bandwidth', 'slow-close', 'partition']],
    [{ kind: 'node', nodeKind: 'clients' }, []],
    [{ kind: 'node', nodeKind: 'external' }, []],
  ] as const)('offer at %o the types allowed there', (place, types) => {
    expect(faultTypesFor(place)).toEqual(types);
  });

  it('turn typed text into numbers, leave empty fields to the engine, and send what is not a number as typed', () => {
    expect(faultBody('users-1', 'latency', { ms: '250', jitter: '' })).toEqual({ target: 'users-1', type: 'latency', ms: 250 });
    expect(faultBody('users-1', 'flap', { period: 3000, downFor: null })).toEqual({ target: 'users-1', type: 'flap', period: 3000 });
    expect(faultBody('users-1', 'errors', { rate: 'lots', status: 503 })).toEqual({
      target: 'users-1',
      type: 'errors',
      rate: 'lots',
      status: 503,
    });
    expect(faultBody('a->b', 'partition', { mode: 'reject' })).toEqual({ target: 'a->b', type: 'partition', mode: 'reject' });
  });

  it('say the engine’s errors with the form’s labels', () => {
    expect(
      errorsInWords('latency', [
        { path: 'ms', message: 'Too small: expected number to be >=0' },
        { path: 'target', message: 'unknown node "nope"' },
        { path: 'extra', message: 'unrecognized key' },
      ]),
    ).toEqual(['Added delay (ms): Too small: expected number to be >=0', 'Target: unknown node "nope"', 'extra: unrecognized key']);
  });

  it('list parameters only under keys the engine knows', () => {
    for (const type of FAULT_TYPES) {
      for (const param of FAULT_PARAMS[type]) {
        const body = { ...faultBody('users-1', type, initialValues(type)), [param.key]: undefined };
        // Dropping a known key never makes the engine complain about an unknown one.
        const issues = FaultSpec.safeParse(body).error?.issues ?? [];
        expect(issues.filter((i) => i.code === 'unrecognized_keys')).toEqual([]);
      }
    }
  });
});
