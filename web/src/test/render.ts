/** Mounts a component with a LabState in context, for component tests in happy-dom. */
import { flushSync, mount, unmount, type Component } from 'svelte';
import type { LabState } from '../state/lab-state.svelte.ts';
import LabHarness from './LabHarness.svelte';

export function renderWithLab(component: Component<any>, lab: LabState, props: Record<string, unknown> = {}) {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(LabHarness, { target, props: { lab, component, props } });
  flushSync();
  return {
    target,
    byTestId: (id: string) => target.querySelector(`[data-testid="${id}"]`) as HTMLElement | null,
    destroy: () => {
      unmount(instance);
      target.remove();
    },
  };
}
