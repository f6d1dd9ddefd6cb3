import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { configJsonSchema } from './json-schema.ts';
import { errorPlace, formatErrors, validateConfig, validateText } from './validate.ts';
import { YAML_PARSE, yamlValue } from './yaml-text.ts';

const examples = new URL('../../../examples/', import.meta.url);

const base = () => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'lb' },
    { id: 'lb', kind: 'balancer', targets: ['s1', { to: 's2', weight: 2 }] },
    { id: 's1', kind: 'service', latency: '40ms' },
    { id: 's2', kind: 'service', latency: { distribution: 'uniform', min: '10ms', max: '1s' } },
  ],
  traffic: [{ to: 'edge', rate: 5, paths: ['/users/{1..9}'] }],
});

function errorsOf(config: unknown): string[] {
  const result = validateConfig(config);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

function warningsOf(config: unknown): string[] {
  const result = validateConfig(config);
  return result.ok ? result.warnings.map((e) => `${e.path}: ${e.message}`) : [];
}

describe('validateConfig', () => {
  it.each(readdirSync(examples).filter((f) => f.endsWith('.yaml')))('accepts examples/%s', (file) => {
    const result = validateText(readFileSync(new URL(file, examples), 'utf8'));
    expect(result.ok ? [] : formatErrors(result.errors)).toEqual([]);
  });

  it('fills defaults and turns durations into milliseconds', () => {
    const result = validateConfig(base());
    if (!result.ok) throw new Error(formatErrors(result.errors));
    expect(result.config.name).toBe('Untitled sandbox');
    expect(result.config.nodes[2]).toMatchObject({ latency: 40, listen: 0, status: 200, errorRate: 0 });
    expect(result.config.nodes[3]).toMatchObject({ latency: { distribution: 'uniform', min: 10, max: 1000 } });
    // method and paths stay unset: the generator reads them as GET and ['/'] unless a request mix replaces them.
    expect(result.config.traffic[0]).toMatchObject({ clients: 10 });
  });

  it.each<[string, (c: ReturnType<typeof base>) => void, string]>([
    ['an unknown upstream', (c) => ((c.nodes[1] as { targets: unknown[] }).targets[0] = 'users-9'), 'nodes[1].targets[0]: unknown node "users-9"'],
    ['an unknown upstream in an object target', (c) => ((c.nodes[1] as { targets: unknown[] }).targets[1] = { to: 'nope' }), 'nodes[1].targets[1].to: unknown node "nope"'],
    ['a duplicate id', (c) => (c.nodes[3].id = 's1'), 'nodes[3].id: duplicate id "s1" (also nodes[2])'],
    ['an id in capitals', (c) => (c.nodes[3].id = 'S2'), 'nodes[3].id: expected lowercase letters, digits and dashes, starting with a letter, got "S2"; did you mean "s2"?'],
    ['an id with a space', (c) => (c.nodes[3].id = 'Users 2'), 'nodes[3].id: expected lowercase letters, digits and dashes, starting with a letter, got "Users 2"; did you mean "users-2"?'],
    ['an id starting with a digit', (c) => (c.nodes[3].id = '2s'), 'nodes[3].id: expected lowercase letters, digits and dashes, starting with a letter, got "2s"'],
    ['a port clash', (c) => Object.assign(c.nodes[2], { listen: 8080 }), 'nodes[2].listen: port 8080 is already used by nodes[0] ("edge")'],
    ['an unknown kind', (c) => Object.assign(c.nodes[3], { kind: 'wizard' }), 'nodes[3].kind: expected one of "proxy", "gateway", "balancer", "service"'],
    ['an unknown algorithm', (c) => Object.assign(c.nodes[1], { algorithm: 'magic' }), 'nodes[1].algorithm: expected one of "round-robin", "weighted-round-robin", "least-connections", "random", "p2c", "ip-hash", "consistent-hash", "maglev", "peak-ewma"'],
    ['a misspelt key', (c) => Object.assign(c.nodes[1], { tagrets: [] }), 'nodes[1].tagrets: unknown key; did you mean "targets"?'],
    ['a bad duration', (c) => Object.assign(c.nodes[2], { latency: '4 sec' }), 'nodes[2].latency: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "4 sec"'],
    ['a uniform latency whose min is above its max', (c) => Object.assign(c.nodes[3], { latency: { distribution: 'uniform', min: '36000ms', max: '5ms' } }), 'nodes[3].latency.max: must not be below min'],
    ['a zero weight', (c) => ((c.nodes[1] as { targets: unknown[] }).targets[1] = { to: 's2', weight: 0 }), 'nodes[1].targets[1].weight: must be at least 1, got 0'],
    ['an empty target list', (c) => Object.assign(c.nodes[1], { targets: [] }), 'nodes[1].targets: a balancer needs at least one target'],
    ['a target twice', (c) => Object.assign(c.nodes[1], { targets: ['s1', 's2', { to: 's1', weight: 2 }] }), 'nodes[1].targets[2]: "s1" is already a target (targets[0]): give that one a weight instead'],
    ['a URL target twice, spelt two ways', (c) => Object.assign(c.nodes[1], { targets: ['s1', 'http://127.0.0.1:9000', 'http://127.1:9000'] }), 'nodes[1].targets[2]: "http://127.0.0.1:9000" is already a target (targets[1]): give that one a weight instead'],
    ['two flows of one name', (c) => (c.traffic as unknown[]).push({ ...c.traffic[0], name: 'flow-1' }), 'traffic[1].name: a flow "flow-1" is traffic[0] (by its place): give each flow its own name'],
    ['an error rate above 1', (c) => Object.assign(c.nodes[2], { errorRate: 1.5 }), 'nodes[2].errorRate: must be at most 1, got 1.5'],
    ['traffic to an unknown node', (c) => (c.traffic[0].to = 'ghost'), 'traffic[0].to: unknown node "ghost"'],
    ['a bad path template', (c) => (c.traffic[0].paths = ['/users/{9..1}']), 'traffic[0].paths[0]: path "/users/{9..1}": range {9..1} is empty'],
    ['a hash key on a picker that hashes nothing', (c) => Object.assign(c.nodes[1], { hashKey: 'header:x-user' }), 'nodes[1].hashKey: only consistent-hash and maglev hash a key (ip-hash always hashes the client address)'],
    ['a malformed hash key', (c) => Object.assign(c.nodes[1], { algorithm: 'maglev', hashKey: 'body' }), 'nodes[1].hashKey: expected one of ip, path, header:NAME, cookie:NAME, query:NAME'],
    ['an option of another algorithm', (c) => Object.assign(c.nodes[1], { algorithm: 'maglev', options: { mode: 'nginx' } }), 'nodes[1].options.mode: not an option of maglev (it takes tableSize)'],
    ['a table size that is not prime', (c) => Object.assign(c.nodes[1], { algorithm: 'maglev', options: { tableSize: 1000 } }), 'nodes[1].options: '],
    ['a bad trusted proxy', (c) => Object.assign(c.nodes[1], { trustedProxies: ['10.0.0.0/99'] }), 'nodes[1].trustedProxies[0]: expected an IP address or a CIDR block'],
    ['a self loop', (c) => Object.assign(c.nodes[0], { to: 'edge' }), 'nodes[0].to: "edge" cannot send to itself'],
  ])('rejects %s with its path', (_what, mutate, expected) => {
    const config = base();
    mutate(config);
    const errors = errorsOf(config);
    if (expected.endsWith(': ')) expect(errors.some((e) => e.startsWith(expected))).toBe(true);
    else expect(errors).toContain(expected);
  });

  it.each<[string, unknown]>([
    ['no nodes and no traffic', { version: 1, nodes: [] }],
    ['no nodes, an empty traffic list and a name', { version: 1, name: 'Empty', nodes: [], traffic: [] }],
    ['no nodes and an empty scenario', { version: 1, nodes: [], scenario: [] }],
  ])('accepts an empty sandbox: %s, with no warnings', (_what, config) => {
    expect(errorsOf(config)).toEqual([]);
    expect(warningsOf(config)).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['no nodes key at all', { version: 1 }, 'nodes: required: a list'],
    ['a traffic flow into no node', { version: 1, nodes: [], traffic: [{ to: 'edge', rate: 5 }] }, 'traffic[0].to: unknown node "edge"'],
    ['a traffic flow that names no target yet', { version: 1, nodes: [], traffic: [{ rate: 5 }] }, 'traffic[0].to: required: a node id, or the http:// or https:// URL of an origin outside the topology (scheme, host and port: no path, query or credentials)'],
    ['a fault on a node the empty sandbox lacks', { version: 1, nodes: [], scenario: [{ at: '1s', target: 's1', type: 'down' }] }, 'scenario[0].target: unknown node "s1"'],
  ])('refuses in an empty sandbox %s', (_what, config, expected) => {
    expect(errorsOf(config)).toEqual([expected]);
  });

  it('reports a cycle with its members', () => {
    const config = {
      version: 1,
      nodes: [
        { id: 'a', kind: 'proxy', to: 'b' },
        { id: 'b', kind: 'gateway', routes: [{ match: { path: '/x/*' }, to: 'c' }, { match: {}, to: 's' }] },
        { id: 'c', kind: 'proxy', to: 'b' },
        { id: 's', kind: 'service' },
      ],
    };
    expect(errorsOf(config)).toContain('nodes[1]: cycle: b -> c -> b');
  });

  it.each<[string, unknown[], string]>([
    [
      'a proxy whose URL is its own port',
      [{ id: 'edge', kind: 'proxy', listen: 28080, to: 'http://127.0.0.1:28080' }],
      'nodes[0]: cycle: edge -> http://127.0.0.1:28080 (edge)',
    ],
    [
      'a URL by another name for this host',
      [{ id: 'edge', kind: 'proxy', listen: 28080, to: 'http://LOCALHOST:28080/' }],
      'nodes[0]: cycle: edge -> http://localhost:28080 (edge)',
    ],
    [
      'a loop through a gateway and back over [::1]',
      [
        { id: 'edge', kind: 'proxy', listen: 28080, to: 'api' },
        {
          id: 'api',
          kind: 'gateway',
          routes: [
            { match: { path: '/s/*' }, to: 's' },
            { match: {}, to: 'http://[::1]:28080' },
          ],
        },
        { id: 's', kind: 'service' },
      ],
      'nodes[0]: cycle: edge -> api -> http://[::1]:28080 (edge)',
    ],
    [
      'a balancer target at a port of the config (127.1 is 127.0.0.1)',
      [
        { id: 'lb', kind: 'balancer', listen: 28082, targets: ['s', 'http://127.1:28081'] },
        { id: 'edge', kind: 'proxy', listen: 28081, to: 'lb' },
        { id: 's', kind: 'service' },
      ],
      'nodes[0]: cycle: lb -> http://127.0.0.1:28081 (edge) -> lb',
    ],
  ])('refuses a cycle through a URL: %s', (_name, nodes, expected) => {
    expect(errorsOf({ version: 1, nodes })).toContain(expected);
  });

  it('takes a URL to a port no node of the config has, or to a node on a free port, as outside', () => {
    const config = {
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', listen: 28080, to: 'http://127.0.0.1:28081' },
        { id: 'any', kind: 'proxy', to: 'http://127.0.0.2:28080' },
      ],
    };
    expect(errorsOf(config)).toEqual([]);
  });

  it("counts traffic sent to a URL at a node's port as traffic into that node", () => {
    const config = {
      version: 1,
      nodes: [{ id: 's', kind: 'service', listen: 28083 }],
      traffic: [{ to: 'http://localhost:28083', rate: 1 }],
    };
    expect(warningsOf(config)).toEqual([]);
    expect(warningsOf({ ...config, traffic: [] })).toEqual([
      'nodes[0]: no node and no traffic sends to "s": it runs, and answers only clients that call it directly',
    ]);
  });

  it.each<[string, (c: ReturnType<typeof base>) => void, string]>([
    [
      'a port past 65535',
      (c) => Object.assign(c.nodes[0], { to: 'http://127.0.0.1:99999' }),
      'nodes[0].to: port 99999 is out of range: a port is 1 to 65535',
    ],
    [
      'a broken IPv6 host',
      (c) => Object.assign(c.nodes[0], { to: 'http://[::' }),
      'nodes[0].to: not a valid URL (check the host, and the brackets around an IPv6 address)',
    ],
    [
      'a URL target with a path',
      (c) => ((c.nodes[1] as { targets: unknown[] }).targets[0] = { to: 'http://h:81/api' }),
      "nodes[1].targets[0].to: a path (/api) is not supported in an upstream: it is an origin (scheme, host, port), and each request's own path is sent to it unchanged",
    ],
    [
      'traffic to a URL with credentials',
      (c) => (c.traffic[0].to = 'http://u:p@h'),
      'traffic[0].to: credentials (user:password@) are not supported in an upstream URL',
    ],
  ])('refuses %s with its path', (_what, mutate, expected) => {
    const config = base();
    mutate(config);
    expect(errorsOf(config)).toEqual([expected]);
  });

  it('keeps a URL upstream as its origin', () => {
    const config = base();
    (config.nodes[1] as { targets: unknown[] }).targets.push('HTTP://Example.COM:80/');
    const result = validateConfig(config);
    expect(result.ok && result.config.nodes[1]).toMatchObject({ targets: ['s1', { to: 's2' }, 'http://example.com'] });
  });

  it('takes a config duration as long as a timer holds, and refuses one past it', () => {
    const at = (latency: unknown) => {
      const config = base();
      Object.assign(config.nodes[2], { latency });
      return errorsOf(config);
    };
    expect(at('2147483647ms')).toEqual([]);
    expect(at('35791m')).toEqual([]);
    const tooLong = 'too long: at most 2147483647ms (24.8 days), the longest a timer can hold';
    expect(at('2147483648ms')).toEqual([`nodes[2].latency: ${tooLong}`]);
    expect(at('36000m')).toEqual([`nodes[2].latency: ${tooLong}`]);
    expect(at({ distribution: 'uniform', min: 0, max: '36000m' })).toEqual([`nodes[2].latency.max: ${tooLong}`]);
    const config = base();
    Object.assign(config.nodes[0], { timeouts: { response: '36000m' } });
    expect(errorsOf(config)).toEqual([`nodes[0].timeouts.response: ${tooLong}`]);
  });


  it('reports format and reference errors in one pass, in the order of the document, each inside a node naming it', () => {
    const result = validateConfig({
      version: 1,
      nodes: [
        { id: 'edge', kind: 'proxy', to: 'api', listen: 8080 },
        { id: 'api', kind: 'gateway', routes: [{ match: { path: '/users/*' }, to: 'users', timout: '1s' }] },
        { id: 'users', kind: 'balancer', algorithm: 'least-conections', targets: ['users-1', 'users-9'] },
        { id: 'users-1', kind: 'service', latency: 40 },
        { id: 'users-1', kind: 'servce', listen: 8080 },
        { id: 'loop', kind: 'proxy', to: 'loop-2' },
        { id: 'loop-2', kind: 'proxy', to: 'loop' },
      ],
      traffic: [{ to: 'egde', rate: 5 }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatErrors(result.errors).split('\n')).toEqual([
      'nodes[1] (api).routes[0].timout: unknown key; did you mean "timeout"?',
      'nodes[2] (users).algorithm: expected one of "round-robin", "weighted-round-robin", "least-connections", "random", "p2c", "ip-hash", "consistent-hash", "maglev", "peak-ewma"; did you mean "least-connections"?',
      'nodes[2] (users).targets[1]: unknown node "users-9"; did you mean "users-1"?',
      'nodes[3] (users-1).latency: 40 has no unit: write 40ms or 40s (a duration takes ms, s, m, h or d)',
      'nodes[4] (users-1).kind: expected one of "proxy", "gateway", "balancer", "service"; did you mean "service"?',
      'nodes[4] (users-1).id: duplicate id "users-1" (also nodes[3])',
      'nodes[4] (users-1).listen: port 8080 is already used by nodes[0] ("edge")',
      'nodes[5] (loop): cycle: loop -> loop-2 -> loop',
      'traffic[0].to: unknown node "egde"; did you mean "edge"?',
    ]);
    expect(result.errors[0]).toEqual({
      path: 'nodes[1].routes[0].timout',
      node: 'api',
      message: 'unknown key; did you mean "timeout"?',
      suggestion: 'timeout',
    });
    expect(result.errors.at(-1)).toEqual({ path: 'traffic[0].to', message: 'unknown node "egde"; did you mean "edge"?', suggestion: 'edge' });
  });

  it.each<[string, (c: ReturnType<typeof base>) => void, string]>([
    ['a top-level key', (c) => Object.assign(c, { trafic: [] }), 'trafic: unknown key; did you mean "traffic"?'],
    ['a key in a nested object', (c) => Object.assign(c.nodes[1], { healthCheck: { intervall: '1s' } }), 'nodes[1].healthCheck.intervall: unknown key; did you mean "interval"?'],
    ['a key in a latency distribution', (c) => Object.assign(c.nodes[3], { latency: { distribution: 'normal', mean: '1ms', stdev: '2ms' } }), 'nodes[3].latency.stdev: unknown key; did you mean "stddev"?'],
    ['a picker option', (c) => Object.assign(c.nodes[1], { algorithm: 'Round-Robin' }), 'nodes[1].algorithm: expected one of "round-robin", "weighted-round-robin", "least-connections", "random", "p2c", "ip-hash", "consistent-hash", "maglev", "peak-ewma"; did you mean "round-robin"?'],
    ['a node a proxy sends to', (c) => Object.assign(c.nodes[0], { to: 'lbb' }), 'nodes[0].to: unknown node "lbb"; did you mean "lb"?'],
  ])('suggests the nearest name for a misspelt %s', (_what, mutate, expected) => {
    const config = base();
    mutate(config);
    expect(errorsOf(config)).toContain(expected);
  });

  // Printed by `edgelab validate` and `run` as written: ESC [2J cleared the learner's terminal, CR rewrote its line.
  it('refuses control characters in the names and labels a person reads, and keeps other Unicode', () => {
    const config = {
      name: 'Lab \u001b[2J',
      ...base(),
      traffic: [{ name: 'flow\r', to: 'edge', phases: [{ name: 'a\u202eb', rate: 5 }] }],
    };
    config.nodes[0] = Object.assign({ label: 'edge\nproxy' }, config.nodes[0]);
    const message =
      'expected text without control characters (escape sequences, line breaks, tabs, bidirectional overrides): it is shown in the page and printed in the terminal';
    expect(errorsOf(config)).toEqual([
      `name: ${message}`,
      `nodes[0].label: ${message}`,
      `traffic[0].name: ${message}`,
      `traffic[0].phases[0].name: ${message}`,
    ]);
    expect(errorsOf({ ...base(), name: 'Café edge 🚦 — 東京' })).toEqual([]);
  });

  it('echoes no control character and no endless key in an error: what it quotes of the config is escaped, a long key cut', () => {
    const clear = '\u001b[2J\u202e';
    const escaped = '\\u001b[2J\\u202e';
    const nodes: Array<Record<string, unknown>> = base().nodes;
    nodes[0].filter = { denyPaths: [`[${clear}`] };
    nodes.push({ id: `s3${clear}`, kind: 'service', latency: clear });
    const config = { ...base(), nodes, [`x${clear}`]: 1, ['k'.repeat(900_000)]: 1 };
    const result = validateConfig(config);
    if (result.ok) throw new Error('accepted');
    expect(formatErrors(result.errors)).toBe(
      [
        `x${escaped}: unknown key`,
        `${'k'.repeat(100)}...: unknown key`,
        `nodes[0] (edge).filter.denyPaths[0]: invalid regular expression: /[${escaped}/: Unterminated character class`,
        `nodes[4] (s3${escaped}).id: expected lowercase letters, digits and dashes, starting with a letter, got "s3${escaped}"`,
        `nodes[4] (s3${escaped}).latency: expected a duration like 40ms, 1.5s, 2m or 1m30s, got "${escaped}"`,
      ].join('\n'),
    );
  });

  it('suggests nothing when no name is close', () => {
    const config = base();
    Object.assign(config.nodes[1], { algorithm: 'magic', wibble: 1 });
    (config.nodes[1] as { targets: unknown[] }).targets[0] = 'database';
    const result = validateConfig(config);
    expect(result.ok ? [] : result.errors.filter((e) => e.suggestion !== undefined || e.message.includes('did you mean'))).toEqual([]);
    expect(errorsOf(config)).toContain('nodes[1].targets[0]: unknown node "database"');
  });

  it('names the node in the warnings too, and a place with errorPlace', () => {
    const config = base();
    config.nodes.push({ id: 'spare', kind: 'service' } as never);
    const result = validateConfig(config);
    expect(result.ok && result.warnings).toEqual([
      { path: 'nodes[4]', node: 'spare', message: 'no node and no traffic sends to "spare": it runs, and answers only clients that call it directly' },
    ]);
    expect(errorPlace({ path: 'nodes[2].targets[0]', node: 'users-9' })).toBe('nodes[2] (users-9).targets[0]');
    expect(errorPlace({ path: 'traffic[0].to' })).toBe('traffic[0].to');
  });

  it.each([
    ['not a mapping', '- 1\n- 2\n', '(root): expected a mapping with version, nodes and traffic'],
    ['broken YAML', 'version: 1\nnodes: [\n', 'line 3, column 1'],
    ['a duplicate key', 'version: 1\nversion: 1\nnodes: []\n', 'line 2'],
    ['a wrong version', 'version: 2\nnodes: [{id: s, kind: service}]\ntraffic: [{to: s, rate: 1}]\n', 'version: expected 1'],
    // The parser's own stack overflow ("Maximum call stack size exceeded") is said as the limit it passes.
    ['nesting ten thousand deep', `version: 1\nnodes: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'nested too deep: at most 16 levels of nesting'],
    // Billion laughs: nine aliases of nine aliases of ..., refused before anything walks the expansion.
    [
      'an alias bomb',
      `version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n${['a', 'b', 'c', 'd', 'e', 'f'].map((from, i) => `${'bcdefg'[i]}: &${'bcdefg'[i]} [${Array(9).fill(`*${from}`).join(', ')}]`).join('\n')}\n`,
      '(root): aliases (*name) expand to more than a config may hold (each use of an anchor counts once per alias inside it): at most 5000 values',
    ],
    ['a merge of merges that multiply', `version: 1\nnodes:\n  - &a {id: s, kind: service, latency: 1ms}\n${Array.from({ length: 5 }, (_, i) => `  - &m${i} {<<: [${Array(9).fill(i === 0 ? '*a' : `*m${i - 1}`).join(', ')}]}`).join('\n')}\n`, 'aliases (*name) expand to more than a config may hold'],
    ['a merge of a list', 'version: 1\nx: &x [1]\nnodes:\n  - {<<: *x, id: s, kind: service}\n', '(root): a merge key (<<) takes a mapping, an alias of one (<<: *defaults) or a list of them'],
    ['a merge of a number', 'version: 1\nnodes:\n  - {<<: 3, id: s, kind: service}\n', 'a merge key (<<) takes a mapping'],
    ['two documents', 'version: 1\nnodes: []\n---\nversion: 1\n', 'line 3, column 1: more than one YAML document (a second ---): a config is one document'],
    // A byte array (!!binary) was read as a mapping of its bytes: a hundred errors about the latency's forms.
    // The place is the tagged value's.
    ['a !!binary value', 'version: 1\nnodes:\n  - { id: s, kind: service, latency: !!binary aGVsbG8= }\n', 'line 3, column 47: the tag !!binary is not taken: a config holds text, numbers, true or false, lists and mappings (remove the tag)'],
    ['a !!set', 'version: 1\nnodes: !!set { a, b }\n', 'line 2, column 14: the tag !!set is not taken'],
    // A tag the parser does not know was ignored, with only a warning nobody saw.
    ['a custom tag', 'version: 1\nnodes:\n  - { id: s, kind: service, latency: !slow 5ms }\n', 'line 3, column 44: the tag !slow is not taken'],
    // A plain tag on a value it does not fit was read as text, with a warning nobody saw: "expected a number, got \"1\"".
    ['a !!float on a whole number', 'version: 1\nnodes:\n  - { id: s, kind: service, errorRate: !!float 1 }\n', 'line 3, column 40: the value does not fit !!float, so YAML reads it as text'],
    ['a !!int on a fraction', 'version: 1\nnodes:\n  - { id: s, kind: service, listen: !!int 80.5 }\n', 'line 3, column 37: the value does not fit !!int'],
    ['a !!bool on yes', 'version: 1\nnodes:\n  - { id: s, kind: service }\ntraffic:\n  - { to: s, rate: 1, conditional: !!bool yes }\n', 'line 5, column 36: the value does not fit !!bool'],
  ])('rejects %s', (_what, text, expected) => {
    const result = validateText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatErrors(result.errors)).toContain(expected);
  });

  it('reads anchors kept under top-level x- keys, and leaves those keys out of the config', () => {
    const result = validateText(`version: 1
x-service: &service { kind: service, latency: 5ms }
nodes:
  - { <<: *service, id: s1 }
  - { <<: *service, id: s2, latency: 1ms }
traffic:
  - { to: s1, rate: 1 }
  - { to: s2, rate: 1 }
`);
    expect(result.ok ? [] : formatErrors(result.errors)).toEqual([]);
    expect(result.ok && Object.keys(result.input as object)).toEqual(['version', 'nodes', 'traffic']);
    expect(result.ok && result.config.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['s1', 'service'],
      ['s2', 'service'],
    ]);
    const other = validateText('version: 1\ny-service: 1\nnodes: []\n');
    expect(other.ok ? '' : formatErrors(other.errors)).toBe('y-service: unknown key');
  });

  it('expands YAML merge keys (<<: *defaults), the keys written beside them winning, and many uses of one anchor', () => {
    const services = Array.from({ length: 198 }, (_, i) => `  - { <<: *svc, id: s${i + 2} }`).join('\n');
    const text = `version: 1
nodes:
  - id: edge
    kind: balancer
    targets: [s1, s2]
  - &svc
    id: s1
    kind: service
    latency: 5ms
    errorRate: 0.5
  - <<: *svc
    id: s2
    errorRate: 0
${services.split('\n').slice(1).join('\n')}
traffic:
  - { to: edge, rate: 1 }
`;
    const result = validateText(text);
    expect(result.ok ? [] : formatErrors(result.errors)).toEqual([]);
    const nodes = result.ok ? result.config.nodes : [];
    expect(nodes).toHaveLength(200);
    expect(nodes[2]).toEqual({ ...nodes[1], id: 's2', errorRate: 0 });
    expect(nodes[199]).toEqual({ ...nodes[1], id: 's199' });
  });
});

describe('YAML aliases as the page and the engine read them', () => {
  it('refuses an anchored list used thousands of times: few aliases for the parser, 49 million values written out', () => {
    const text = `version: 1\nx-big: &big [${Array(10_000).fill(1).join(',')}]\nnodes: []\nextra: [${Array(4_900).fill('*big').join(',')}]\n`;
    const read = yamlValue(parseDocument(text, YAML_PARSE));
    expect(read.error).toMatch(/^the config holds more values than it may, its aliases \(\*name\) expanded: at most 5000 values/);
    // One use of it is a config's business (its values counted by validateConfig as usual).
    expect(yamlValue(parseDocument(`version: 1\nx-few: &few [1, 2]\nnodes: []\nextra: [*few, *few]\n`, YAML_PARSE)).error).toBeUndefined();
  });
});

describe('the shipped JSON Schema', () => {
  it('is the one generated from the zod definition (run `npm run schema` after changing it)', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../edgelab.schema.json', import.meta.url), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
