/** The latency lines every chart draws, each with a dash of its own (solid p50, dashed p95, dotted p99). */
export const PERCENTILE_DASHES = [
  { key: 'p50', dash: '' },
  { key: 'p95', dash: '5 3' },
  { key: 'p99', dash: '1.5 2.5' },
] as const;
