/**
 * Mounts a component with a LabState in context, for component tests in happy-dom. The component is
 * unmounted when the test finishes, so tests need no cleanup of their own (`destroy` is there for a
 * test that wants it gone earlier; calling it twice is harmless).
 */
import { flushSync, mount, unmount, type Component } from 'svelte';
import { onTestFinished } from 'vitest';
import type { LabState } from '../state/lab-state.svelte.ts';
import LabHarness from './LabHarness.svelte';

export function renderWithLab(component: Component<any>, lab: LabState, props: Record<string, unknown> = {}) {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(LabHarness, { target, props: { lab, component, props } });
  flushSync();
  let mounted = true;
  const destroy = () => {
    if (!mounted) return;
    mounted = false;
    unmount(instance);
    target.remove();
  };
  onTestFinished(destroy);
  return {
    target,
    byTestId: (id: string) => target.querySelector(`[data-testid="${id}"]`) as HTMLElement | null,
    destroy,
  };
}
