/** What each kind of box is called and drawn as (icon paths in a 16×16 box centred on 0,0). */
import type { BoxKind } from './layout/layout.ts';

export const KIND_NAMES: Record<BoxKind, string> = {
  clients: 'Clients',
  proxy: 'Reverse proxy',
  gateway: 'API gateway',
  balancer: 'Load balancer',
  service: 'Service',
  external: 'External',
};

export const KIND_ICONS: Record<BoxKind, string> = {
  clients: 'M-3.5,-4 a3,3 0 1,0 0.01,0 M-8,7 c0,-5 9,-5 9,0 M4,-3 a2.5,2.5 0 1,0 0.01,0 M2.5,2.5 c2.5,-1.5 6,-0.5 6,4',
  proxy: 'M0,-7.5 L6.5,-5 V0.5 C6.5,4.5 3.5,6.8 0,8 C-3.5,6.8 -6.5,4.5 -6.5,0.5 V-5 Z M-2.8,0.3 L-0.6,2.6 L3.2,-1.8',
  gateway: 'M-7,7.5 V-1.5 A7,7 0 0 1 7,-1.5 V7.5 Z M-2.5,7.5 V1.5 H2.5 V7.5',
  balancer: 'M-7.5,0 H-2 M-2,0 L6,-6 M-2,0 H6 M-2,0 L6,6 M6,-6 m-1.5,0 a1.5,1.5 0 1,0 3,0 a1.5,1.5 0 1,0 -3,0 M6,0 m-1.5,0 a1.5,1.5 0 1,0 3,0 a1.5,1.5 0 1,0 -3,0 M6,6 m-1.5,0 a1.5,1.5 0 1,0 3,0 a1.5,1.5 0 1,0 -3,0',
  service: 'M-6.5,-7 H6.5 V-1.5 H-6.5 Z M-6.5,1.5 H6.5 V7 H-6.5 Z M-4,-4.2 h0.01 M-4,4.3 h0.01',
  external: 'M-7,0 a7,7 0 1,0 14,0 a7,7 0 1,0 -14,0 M-7,0 H7 M0,-7 C-4,-3 -4,3 0,7 M0,-7 C4,-3 4,3 0,7',
};

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
