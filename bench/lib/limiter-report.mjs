/**
 * Output of the `limiters` case (bench/limiters.mjs): the summary over its repetitions (per variant, the
 * median decisions a second), a text block for the terminal, and the "Limiters: latest result" section
 * of bench/README.md (between the two bench:limiters markers), which it rewrites whenever the case ran.
 */
import { memoryLines, variantLine } from '../limiters.mjs';
import { rewriteReadmeSection } from './readme-section.mjs';
import { median } from './summary.mjs';

export function summariseLimiters(runs) {
  if (runs.length === 0) return null;
  const names = runs[0].variants.map((v) => v.variant.name);
  const variants = names.map((name) => {
    const each = runs.map((run) => run.variants.find((v) => v.variant.name === name)).filter(Boolean);
    const cpuNsPerDecision = median(each.map((v) => v.cpuNsPerDecision));
    return {
      variant: each[0].variant,
      spec: each[0].spec,
      cpuNsPerDecision,
      decisionsPerSecond: Math.round(1e9 / cpuNsPerDecision),
      perRun: each.map((v) => v.decisionsPerSecond),
      passedShare: each.at(-1).passedShare,
    };
  });
  return { runs: runs.length, limiterIds: runs[0].limiterIds, variants, memory: runs.at(-1).memory };
}

export function limitersText(s) {
  return [
    `limiters (${s.runs} run${s.runs > 1 ? 's' : ''}, 10,000 keys; median decisions a second on one core):`,
    ...s.variants.map((v) => `  ${variantLine(v)}`),
    ...(s.memory ? memoryLines(s.memory).map((line) => `  ${line}`) : []),
  ].join('\n');
}

/** Rewrite the README's limiters section; false when the README has no markers. */
export function updateLimitersReadme(result, resultsFile) {
  const s = result.limiters?.summary;
  if (!s) return false;
  const m = result.machine;
  const pinning = result.pinning.enabled ? `on core ${result.pinning.sutCore}` : `not pinned: ${result.pinning.reason}`;
  const specOf = (spec) =>
    Object.entries(spec)
      .filter(([k]) => k !== 'algorithm' && k !== 'key')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const rows = s.variants.map(
    (v) =>
      `| ${v.variant.name} | ${specOf(v.spec)} | ${(v.decisionsPerSecond / 1e6).toFixed(2)} M | ${Math.round(v.cpuNsPerDecision)} | ${Math.round(v.passedShare * 100)}% |`,
  );
  const memory = s.memory
    ? [
        '',
        '| memory | bytes a key |',
        '| --- | ---: |',
        ...s.memory.perKey.map((k) => `| ${k.name} | ${k.bytesPerKey} |`),
        '',
        `Flood: ${s.memory.flood.keysSent.toLocaleString('en-US')} distinct keys at one instant into a token bucket: at most ` +
          `${s.memory.flood.mostHeld.toLocaleString('en-US')} held (maxKeys ${s.memory.flood.maxKeys.toLocaleString('en-US')}), ` +
          `${s.memory.flood.evictedForced.toLocaleString('en-US')} forced out, heap +${s.memory.flood.heapGrowthMiB} MiB.`,
      ]
    : [];
  const section = [
    '',
    `Run ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, written by \`npm run bench\` (\`bench/results/${resultsFile.split('/').at(-1)}\`). ` +
      `${m.cpus} x ${m.cpuModel}, Node ${m.node}, ${pinning}, ${s.runs} run${s.runs > 1 ? 's' : ''} (medians). ` +
      `Load average (1/5/15 min) ${m.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start.`,
    '',
    '| limiter | limit | decisions/s | CPU ns each | passed |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows,
    ...memory,
    '',
  ].join('\n');
  return rewriteReadmeSection('limiters', section);
}
