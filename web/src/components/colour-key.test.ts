import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ConsumerColours } from '../lib/colour/consumer-colours.ts';
import { NEUTRAL_COLOUR, TargetColours } from '../lib/colour/target-colours.ts';
import { OUTCOME_ORDER } from '../lib/outcome.ts';
import { LabState } from '../state/lab-state.svelte.ts';
import { renderWithLab } from '../test/render.ts';
import EventLog from './EventLog.svelte';
import Legend from './Legend.svelte';
import GatewayInspector from './inspectors/GatewayInspector.svelte';
import Topology from './topology/Topology.svelte';

function newLab(): LabState {
  const lab = new LabState();
  lab.topology = {
    name: 'Colours',
    nodes: [
      { id: 'api', kind: 'gateway', port: 8081, state: 'up', upstreams: [{ to: 'users' }, { to: 'orders-1' }] },
      { id: 'users', kind: 'balancer', port: 8082, state: 'up', algorithm: 'round-robin', upstreams: [{ to: 'users-1' }, { to: 'users-2' }] },
      { id: 'users-1', kind: 'service', port: 9001, state: 'up', upstreams: [] },
      { id: 'users-2', kind: 'service', port: 9002, state: 'up', upstreams: [] },
      { id: 'orders-1', kind: 'service', port: 9011, state: 'up', upstreams: [] },
    ],
    traffic: { running: true, sent: 0, flows: [{ name: 'browse', to: 'api', rate: 4, clients: 2 }] },
  };
  lab.room = { width: 900, height: 420 };
  return lab;
}
const expected = new TargetColours(['users-1', 'users-2', 'orders-1']);

describe('one colour per target', () => {
  it('stripes each service box in its colour, and no other box', () => {
    const lab = newLab();
    const { target } = renderWithLab(Topology, lab, { layout: lab.layout });
    for (const id of ['users-1', 'users-2', 'orders-1']) {
      expect(target.querySelector(`[data-testid="node-${id}"]`)?.getAttribute('data-colour')).toBe(expected.colour(id));
      expect(target.querySelector(`[data-testid="node-${id}-colour"]`)?.getAttribute('fill')).toBe(expected.colour(id));
    }
    expect(target.querySelector('[data-testid="node-api"]')?.hasAttribute('data-colour')).toBe(false);
    expect(target.querySelector('[data-testid="node-users-colour"]')).toBeNull();
  });

  it('keys every shape with its word, and every target on the diagram with its colour', () => {
    const { target } = renderWithLab(Legend, newLab());
    const shapes = [...target.querySelectorAll('[data-testid="legend-outcome"]')];
    expect(shapes.map((li) => li.getAttribute('data-outcome'))).toEqual([...OUTCOME_ORDER]);
    for (const li of shapes) expect(li.textContent?.trim()).not.toBe('');
    const keyed = [...target.querySelectorAll('[data-testid="legend-target"]')].map((li) => [li.getAttribute('data-target'), li.getAttribute('data-colour')]);
    expect(keyed).toEqual(['orders-1', 'users-1', 'users-2'].map((id) => [id, expected.colour(id)]));
  });

  it("draws a log line's glyph in its target's colour, and grey when it reached none", () => {
    const lab = newLab();
    lab.log = [
      { id: 1, kind: 'request', ts: 1_000, text: 'GET /users/1 → 200', rid: 'r1', outcome: 'ok', target: 'users-2' },
      { id: 2, kind: 'request', ts: 1_000, text: 'GET /users/1 → 429', rid: 'r2', outcome: 'throttled', target: 'api' },
    ];
    const { target } = renderWithLab(EventLog, lab);
    const colours = [...target.querySelectorAll('[data-testid="log-line"] svg.glyph')].map((g) => g.getAttribute('data-colour'));
    expect(colours).toEqual([expected.colour('users-2'), NEUTRAL_COLOUR]);
  });

  it("gives each of a gateway's routes a colour of its own, whatever order the engine tries them in", () => {
    // The inspector polls the engine's topology while open: nothing answers here but an empty one.
    vi.stubGlobal('fetch', async () => new Response('{}'));
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const lab = newLab();
    const route = (index: number, description: string, to: string) => ({ index, description, to, precedence: '', hits: 5, stages: ['route' as const, 'forward' as const] });
    const routes = [route(0, 'path /users/*', 'users'), route(1, 'path /orders/*', 'orders-1')];
    lab.gateways = { api: { stages: ['route', 'forward'], routes, limits: [], consumers: [] } };
    const { target } = renderWithLab(GatewayInspector, lab, { node: lab.topology!.nodes[0], metrics: undefined, decisions: [] });
    const rows = [...target.querySelectorAll('[data-testid="gateway-route"]')];
    const colours = new TargetColours(['path /users/*', 'path /orders/*']);
    expect(rows.map((row) => row.getAttribute('data-colour'))).toEqual([colours.colour('path /users/*'), colours.colour('path /orders/*')]);
    expect(new Set(rows.map((row) => row.getAttribute('data-colour'))).size).toBe(2);
  });
});

describe('one colour per consumer', () => {
  const consumers = new ConsumerColours(['mobile', 'scraper']);
  function labWithConsumers(): LabState {
    const lab = newLab();
    const api = lab.topology!.nodes[0];
    lab.topology = {
      ...lab.topology!,
      nodes: [{ ...api, gateway: { stages: ['route', 'auth', 'forward'], routes: [], limits: [], consumers: ['scraper', 'mobile'] } }, ...lab.topology!.nodes.slice(1)],
    };
    return lab;
  }

  it("keys each consumer a gateway names with its tag's colour, none without consumers", () => {
    const { target } = renderWithLab(Legend, labWithConsumers());
    const keyed = [...target.querySelectorAll('[data-testid="legend-consumer"] [data-testid="consumer-tag"]')].map((tag) => [tag.getAttribute('data-consumer'), tag.getAttribute('data-colour')]);
    expect(keyed).toEqual([
      ['mobile', consumers.colour('mobile')],
      ['scraper', consumers.colour('scraper')],
    ]);
    expect(consumers.colour('mobile')).not.toBe(consumers.colour('scraper'));
    expect(renderWithLab(Legend, newLab()).target.querySelector('[data-testid="legend-consumer"]')).toBeNull();
  });

  it("names a log line's consumer in its colour", () => {
    const lab = labWithConsumers();
    lab.log = [{ id: 1, kind: 'request', ts: 1_000, text: 'GET /users/1 as scraper → 429 EDGE_RATE_LIMITED via api', rid: 'r1', outcome: 'throttled', target: 'api', consumer: 'scraper' }];
    const { target } = renderWithLab(EventLog, lab);
    const line = target.querySelector('[data-testid="log-line"]')!;
    expect(line.getAttribute('data-consumer')).toBe('scraper');
    expect(line.querySelector('[data-testid="consumer-tag"]')?.getAttribute('data-colour')).toBe(consumers.colour('scraper'));
    expect(line.textContent?.replace(/\s+/g, ' ')).toContain('GET /users/1 as scraper → 429');
  });

  it("lists the gateway's consumers in their colours with the engine's counts", () => {
    vi.stubGlobal('fetch', async () => new Response('{}'));
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const lab = labWithConsumers();
    const counts = (requests: number, ok: number, limited: number) => ({
      requests,
      statusClasses: { '1xx': 0, '2xx': ok, '3xx': 0, '4xx': requests - ok, '5xx': 0 },
      errorCodes: limited > 0 ? { EDGE_RATE_LIMITED: limited } : {},
    });
    const node = lab.topology!.nodes[0];
    const metrics = { consumers: { mobile: counts(30, 30, 0), scraper: counts(400, 100, 300) } } as never;
    const { target } = renderWithLab(GatewayInspector, lab, { node, metrics, decisions: [] });
    const rows = [...target.querySelectorAll('[data-testid="gateway-consumer"]')];
    expect(rows.map((row) => [row.getAttribute('data-consumer'), row.getAttribute('data-colour')])).toEqual([
      ['mobile', consumers.colour('mobile')],
      ['scraper', consumers.colour('scraper')],
    ]);
    expect([...rows[1].querySelectorAll('td')].map((td) => td.textContent?.trim())).toEqual(['scraper', '400', '100', '300', '0']);
  });
});
