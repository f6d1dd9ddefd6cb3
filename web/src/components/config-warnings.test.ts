import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { LabState } from '../state/lab-state.svelte.ts';
import { renderWithLab } from '../test/render.ts';
import ConfigWarnings from './ConfigWarnings.svelte';

describe('ConfigWarnings', () => {
  it('lists each warning with its path, and the learner can dismiss them', () => {
    const lab = new LabState();
    const view = renderWithLab(ConfigWarnings, lab);
    expect(view.byTestId('config-warnings')).toBeNull();

    lab.actions.configWarnings = [{ path: 'nodes[1].routes[2]', message: 'can never match: route 0 (/*) matches every request this one does' }];
    flushSync();
    const items = [...view.target.querySelectorAll('[data-testid="config-warning"]')].map((li) => li.textContent);
    expect(items).toEqual(['nodes[1].routes[2]: can never match: route 0 (/*) matches every request this one does']);
    expect(view.byTestId('config-warnings')?.getAttribute('role')).toBe('status');

    lab.actions.configWarnings = [
      { path: 'nodes[1].routes[2]', node: 'api', message: 'can never match' },
      { path: 'nodes[4]', node: 'spare', message: 'no node and no traffic sends to "spare"' },
    ];
    flushSync();
    expect([...view.target.querySelectorAll('[data-testid="config-warning"]')].map((li) => li.textContent)).toEqual([
      'nodes[1] (api).routes[2]: can never match',
      'nodes[4] (spare): no node and no traffic sends to "spare"',
    ]);

    view.byTestId('config-warnings-dismiss')!.click();
    flushSync();
    expect(lab.actions.configWarnings).toEqual([]);
    expect(view.byTestId('config-warnings')).toBeNull();
  });
});
