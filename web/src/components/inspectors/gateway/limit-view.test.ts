import { describe, expect, it } from 'vitest';
import type { LimitView as LimitViewData } from '../../../../../engine/src/gateway/stages/rate-limit.ts';
import { LabState } from '../../../state/lab-state.svelte.ts';
import { renderWithLab } from '../../../test/render.ts';
import LimitView from './LimitView.svelte';

const spec = { algorithm: 'fixed-window', limit: 3, window: 60_000, key: 'ip' } as LimitViewData['spec'];
const own = {
  name: 'route-0',
  limiter: 'fixed-window' as const,
  keys: 2,
  maxKeys: 10_000,
  allowed: 7,
  rejected: 2,
  delayed: 0,
  evictedIdle: 0,
  evictedForced: 0,
  topByUse: [{ key: 'ip 127.0.9.7', used: 3, rejected: 2 }],
  topByRejections: [{ key: 'ip 127.0.9.7', used: 3, rejected: 2 }],
};

describe('LimitView, a limit kept in Redis', () => {
  it("shows this gateway's own decisions, labelled as such, where the shared totals cannot be", () => {
    const limit: LimitViewData = { name: 'route-0', scope: 'route 1', at: { route: 0, index: 0 }, spec, local: own };
    const view = renderWithLab(LimitView, new LabState(), { node: 'api', limit, name: 'route-0' });
    expect(view.target.textContent).toContain('This gateway’s decisions (the count itself is shared in Redis)');
    expect(view.byTestId('limit-local-totals')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('7 allowed · 2 refused here');
    expect(view.byTestId('limit-local-top-refused')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('most refused here ip 127.0.9.7 2');
    expect(view.byTestId('limit-totals')).toBeNull();
  });
});
