/** A flow's `failover` and `failback`, checked at the boundary: entries named clearly, no entry twice, no failback alone. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../validate.ts';

const withFlow = (flow: Record<string, unknown>) => ({
  version: 1,
  nodes: [
    { id: 'edge-a', kind: 'proxy', to: 'app' },
    { id: 'edge-b', kind: 'proxy', to: 'app' },
    { id: 'app', kind: 'service' },
  ],
  traffic: [{ to: 'edge-a', rate: 5, ...flow }],
});

function errorsOf(config: unknown): string[] {
  const result = validateConfig(config);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('traffic failover', () => {
  it('takes a list of entries and a failback in ms', () => {
    const result = validateConfig(withFlow({ failover: ['edge-b'], failback: '2s' }));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.config.traffic[0]).toMatchObject({ to: 'edge-a', failover: ['edge-b'], failback: 2000 });
  });

  it('counts an entry as sent to: a proxy only a failover list names draws no warning', () => {
    const result = validateConfig(withFlow({ failover: ['edge-b'] }));
    expect(result.ok ? result.warnings : result.errors).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown entry, with the nearest id', { failover: ['edge-c'] }, 'traffic[0].failover[0]: unknown node "edge-c"; did you mean "edge-a"?'],
    ['an unknown entry further down the list', { failover: ['edge-b', 'nowhere'] }, 'traffic[0].failover[1]: unknown node "nowhere"'],
    ['the flow\'s own to again', { failover: ['edge-a'] }, 'traffic[0].failover[0]: "edge-a" is already the flow\'s to'],
    ['an entry twice', { failover: ['edge-b', 'edge-b'] }, 'traffic[0].failover[1]: "edge-b" is listed twice'],
    ['an empty list', { failover: [] }, 'traffic[0].failover: expected at least one entry (or leave failover out)'],
    ['a failback without a list', { failback: '5s' }, 'traffic[0].failback: applies only with a failover list'],
    ['a zero failback', { failover: ['edge-b'], failback: 0 }, 'traffic[0].failback: must be longer than 0'],
    ['an entry that is no id or URL', { failover: ['Edge-B'] }, 'traffic[0].failover[0]: expected a node id (lowercase letters, digits and dashes, starting with a letter) or an http:// or https:// URL'],
  ])('refuses %s', (_name, flow, error) => {
    expect(errorsOf(withFlow(flow))).toEqual([error]);
  });

  it('refuses more entries than the limit', () => {
    const failover = Array.from({ length: 9 }, (_, i) => `http://127.0.0.1:${9100 + i}`);
    expect(errorsOf(withFlow({ failover }))).toEqual([
      'traffic[0].failover: at most 8 failover entries per flow: each entry has its own client connection pools',
    ]);
  });
});
