/**
 * How a proxy's compression totals read in its inspector: responses coded, bytes in and out, and what
 * was saved, in sizes as the engine's trace writes them (1 KB = 1024 bytes). The numbers are the
 * engine's (`GET /api/topology`); only their wording is made here.
 */
import { formatSize } from '../../../../engine/src/proxy/compression/describe.ts';
import type { TopologyNode } from '../api-types.ts';
import { formatCount } from '../format.ts';

export type CompressionTotals = NonNullable<TopologyNode['compression']>;

export interface CompressionSaving {
  /** `12 responses coded`. */
  coded: string;
  /** `24 KB in -> 6 KB out`. */
  bytes: string;
  /** `saved 18 KB (75%)`; `grew by 40 B` when coding added more than it took (framing on tiny bodies). */
  saved: string;
  /** What went out as a share of what came in, 0 to 1 (1 before anything came in): the bar's fill. */
  outShare: number;
  /** `1 response cut by a failed encoder`, when any was. */
  failures: string | undefined;
}

export function describeSaving(totals: CompressionTotals): CompressionSaving {
  const { responses, bytesIn, bytesOut, saved, failures } = totals;
  const share = bytesIn > 0 ? saved / bytesIn : 0;
  return {
    coded: `${formatCount(responses)} ${responses === 1 ? 'response' : 'responses'} coded`,
    bytes: `${formatSize(bytesIn)} in -> ${formatSize(bytesOut)} out`,
    saved: saved >= 0 ? `saved ${formatSize(saved)} (${Math.round(share * 100)}%)` : `grew by ${formatSize(-saved)}`,
    outShare: bytesIn > 0 ? Math.min(1, bytesOut / bytesIn) : 1,
    failures: failures > 0 ? `${formatCount(failures)} ${failures === 1 ? 'response' : 'responses'} cut by a failed encoder` : undefined,
  };
}
