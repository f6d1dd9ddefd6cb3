import { describe, expect, it } from 'vitest';
import { whoMovesWhenAServerLeaves, movesSandbox } from '../../../../lessons/who-moves-when-a-server-leaves.ts';
import { configBeforeStep, configChanges } from './config-changes.ts';

describe('configChanges', () => {
  it('names nodes added and removed, and each changed setting of a node with where it is set', () => {
    expect(configChanges(movesSandbox('ip-hash', 3), movesSandbox('consistent-hash', 4))).toEqual([
      'add app-4 (Build)',
      'in lb’s Settings: algorithm consistent-hash, targets [app-1, app-2, app-3, app-4]',
    ]);
  });

  it('names a flow’s change in the Clients box, and says nothing of an unchanged config', () => {
    const before = movesSandbox('ip-hash', 4);
    const after = { ...before, traffic: [{ ...before.traffic![0]!, paths: ['/profile', '/cart'] }] };
    expect(configChanges(before, after)).toEqual(['in the Clients box: traffic[0].paths [/profile, /cart]']);
    expect(configChanges(before, movesSandbox('ip-hash', 4))).toEqual([]);
  });

  it('counts what it does not list past four changes of a node; a new group is one change', () => {
    const before = movesSandbox('ip-hash', 4);
    const lb = { ...before.nodes[0]!, listen: 8083, label: 'LB', algorithm: 'maglev', hashKey: 'header:x-user', mode: 'l7' } as (typeof before.nodes)[number];
    expect(configChanges(before, { ...before, nodes: [lb, ...before.nodes.slice(1)] })).toEqual([
      'in lb’s Settings: listen 8083, algorithm maglev, label LB, hashKey header:x-user and 1 more',
    ]);
    const checked = { ...before.nodes[0]!, healthCheck: { interval: '1s', fall: 2 } } as (typeof before.nodes)[number];
    expect(configChanges(before, { ...before, nodes: [checked, ...before.nodes.slice(1)] })).toEqual(['in lb’s Settings: healthCheck { interval: 1s, fall: 2 }']);
  });
});

describe('configBeforeStep', () => {
  it('is the start config for the first step, and the last config of the steps before for a later one', () => {
    expect(configBeforeStep(whoMovesWhenAServerLeaves, 0)).toBe(whoMovesWhenAServerLeaves.startConfig);
    expect(configBeforeStep(whoMovesWhenAServerLeaves, 1)).toEqual(movesSandbox('ip-hash', 3));
  });
});
