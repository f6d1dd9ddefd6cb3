/**
 * What an outcome is, everywhere in the app. On the dots, in the legend and in the event log an
 * outcome is a shape (lib/dots/shapes.ts draws them), each class its own, so it reads without colour
 * (for colour-blind viewers, and in reduced motion): the colour of a dot is its target's
 * (lib/colour/target-colours.ts). Charts and limiter views that count outcomes paint them in
 * `colour`, from the Okabe-Ito palette (safe for the common colour-vision deficiencies).
 * An engine error code (`EDGE_*`: the edge answered by itself) is a cross whatever its status, except
 * the gateway's two policies, which a learner must tell apart from failures at a glance: throttled
 * (429, a rate limit said no) is a triangle, denied (401/403, authentication or access said no) a
 * no-entry sign.
 */
export type OutcomeClass = 'pending' | 'ok' | 'redirect' | 'client-error' | 'denied' | 'throttled' | 'server-error' | 'edge-error';
export type DotShape = 'ring' | 'circle' | 'diamond' | 'square' | 'no-entry' | 'triangle' | 'star' | 'cross';

export interface OutcomeStyle {
  colour: string;
  shape: DotShape;
  label: string;
  meaning: string;
}

export const OUTCOME_STYLES: Record<OutcomeClass, OutcomeStyle> = {
  pending: { colour: '#d4dae3', shape: 'ring', label: 'in flight', meaning: 'on its way, no answer yet' },
  ok: { colour: '#009e73', shape: 'circle', label: '2xx', meaning: 'answered successfully' },
  redirect: { colour: '#56b4e9', shape: 'diamond', label: '3xx', meaning: 'redirect or not modified' },
  'client-error': { colour: '#e69f00', shape: 'square', label: '4xx', meaning: 'refused: the request was at fault' },
  denied: { colour: '#0072b2', shape: 'no-entry', label: '401/403', meaning: 'denied: no valid credential, or this consumer may not pass' },
  throttled: { colour: '#f0e442', shape: 'triangle', label: '429', meaning: 'throttled: a rate limit refused it (Retry-After says when to come back)' },
  'server-error': { colour: '#d55e00', shape: 'star', label: '5xx', meaning: 'a service answered with a server error' },
  'edge-error': { colour: '#cc79a7', shape: 'cross', label: 'edge error', meaning: 'the edge answered by itself with an error code (EDGE_…)' },
};

/** Drawing order: later classes are drawn on top, so errors are never hidden under successes. */
export const OUTCOME_ORDER: readonly OutcomeClass[] = ['pending', 'ok', 'redirect', 'client-error', 'denied', 'throttled', 'server-error', 'edge-error'];

export function classifyOutcome(status: number | undefined, error?: string): OutcomeClass {
  if (error === 'EDGE_RATE_LIMITED' || (status === 429 && error === undefined)) return 'throttled';
  if (error === 'EDGE_UNAUTHORIZED' || error === 'EDGE_FORBIDDEN' || ((status === 401 || status === 403) && error === undefined)) return 'denied';
  if (error !== undefined && error.startsWith('EDGE_')) return 'edge-error';
  if (status === undefined || status === 0) return 'pending';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  if (status >= 300) return 'redirect';
  return 'ok';
}
