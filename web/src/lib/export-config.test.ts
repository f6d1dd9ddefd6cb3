import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configToYaml, exportFileName } from './export-config.ts';

const config = {
  version: 1,
  name: 'Classic edge',
  nodes: [
    { id: 'edge', kind: 'proxy', listen: 8080, to: 'api' },
    { id: 'users-2', kind: 'service', latency: { distribution: 'uniform', min: '30ms', max: '70ms' } },
  ],
  traffic: [{ name: 'browse', to: 'edge', rate: 4, paths: ['/users/{1..50}'] }],
};

describe('configToYaml', () => {
  it('round-trips the config exactly, durations as written', () => {
    expect(parse(configToYaml(config))).toEqual(config);
  });

  it('says where it came from', () => {
    expect(configToYaml(config).split('\n')[0]).toBe('# Classic edge, exported from EdgeLab.');
  });
});

describe('exportFileName', () => {
  it.each([
    ['Classic edge', 'Classic edge.yaml'],
    ['a/b: c?', 'a-b- c-.yaml'],
    ['', 'edgelab.yaml'],
    [undefined, 'edgelab.yaml'],
    ['..', 'edgelab.yaml'],
  ])('%s gives %s', (name, file) => expect(exportFileName(name)).toBe(file));
});
