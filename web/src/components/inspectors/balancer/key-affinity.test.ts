/** The balancer inspector's key affinity readout: absent before the engine's first returning key, then its three counts. */
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { KeyMetrics } from '../../../../../engine/src/events.ts';
import KeyAffinity from './KeyAffinity.svelte';

function render(keys: KeyMetrics | undefined): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(KeyAffinity, { target, props: { keys } });
  flushSync();
  onTestFinished(() => {
    unmount(instance);
    target.remove();
  });
  return target;
}

describe('KeyAffinity', () => {
  it('shows nothing until the engine reports keys', () => {
    expect(render(undefined).querySelector('[data-testid="key-affinity"]')).toBeNull();
  });

  it('shows stayed, moved and rehomed as the engine counts them, with the line that explains them', () => {
    const target = render({ stayed: 21, moved: 6, rehomed: 2 });
    const count = (name: string) => target.querySelector(`[data-testid="key-affinity-${name}"]`)?.textContent;
    expect([count('stayed'), count('moved'), count('rehomed')]).toEqual(['21', '6', '2']);
    expect(target.querySelector('[data-testid="key-affinity-explain"]')?.textContent).toMatch(/^29 returning clients/);
  });
});
