/**
 * Output of the `pickers` case and of the chain per algorithm (`chain-<algorithm>` cases): the summary
 * of the pickers over their repetitions (medians), the picker share of the chain's per-request time
 * against the issue's 2 % target, the Maglev build against its 50 ms target, tables for the terminal
 * and for bench/README.md, whose "Pickers and the chain per algorithm: latest results" section (between
 * the two bench:pickers markers) it rewrites whenever either ran.
 *
 * The share needs both halves. When a run has only one (say `--only pickers`), the other comes from the
 * newest file in bench/results that has it, and the section says which file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { micros } from '../pickers.mjs';
import { median } from './summary.mjs';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- bench:pickers:start -->';
const END = '<!-- bench:pickers:end -->';

/** The issue's targets. */
export const PICKER_SHARE_TARGET = 0.02;
export const SHARE_AT_TARGETS = 30;
export const MAGLEV_BUILD_TARGET_MS = 50;
export const MAGLEV_BUILD_AT_TARGETS = 300;

const TARGET_COUNTS = [3, 30, 300];

/** Medians over the runs, per variant and configuration; builds likewise (the first build: median and worst). */
export function summarisePickers(runs) {
  if (runs.length === 0) return null;
  const names = runs[0].variants.map((v) => v.variant.name);
  const variants = names.map((name) => {
    const all = runs.map((r) => r.variants.find((v) => v.variant.name === name)).filter(Boolean);
    const { variant } = all[0];
    const configs = all[0].configs.map(({ targets, ineligible, eligible }) => {
      const same = all.map((v) => v.configs.find((c) => c.targets === targets && c.ineligible === ineligible)).filter(Boolean);
      const cpuNsPerPick = median(same.map((c) => c.cpuNsPerPick));
      const wallNsPerPick = median(same.map((c) => c.wallNsPerPick));
      return {
        targets,
        eligible,
        ineligible,
        cpuNsPerPick,
        wallNsPerPick,
        picksPerCpuSecond: cpuNsPerPick ? 1e9 / cpuNsPerPick : null,
        picksPerSecond: wallNsPerPick ? 1e9 / wallNsPerPick : null,
        waitShare: median(same.map((c) => c.waitShare)),
      };
    });
    return { ...variant, configs, builds: summariseBuilds(all.map((v) => v.builds).filter(Boolean)) };
  });
  const maglev = variants.find((v) => v.id === 'maglev' && v.builds);
  const at300 = maglev?.builds.bySize.find((b) => b.targets === MAGLEV_BUILD_AT_TARGETS);
  return {
    runs: runs.length,
    settings: runs[0].variants[0]?.settings,
    pickerIds: runs[0].pickerIds,
    notes: [...new Set(runs.flatMap((r) => r.notes))],
    variants,
    waitShare: median(variants.flatMap((v) => v.configs.map((c) => c.waitShare))),
    maglevBuild: at300
      ? {
          targets: MAGLEV_BUILD_AT_TARGETS,
          tableSize: maglev.builds.tableSize,
          cpuMs: at300.cpuMs,
          wallMs: at300.wallMs,
          first: maglev.builds.firstAt300,
          rebuildInPick: maglev.builds.rebuildInPick,
          verdictByWall: at300.wallMs < MAGLEV_BUILD_TARGET_MS ? 'met' : 'missed',
          verdictByCpu: at300.cpuMs < MAGLEV_BUILD_TARGET_MS ? 'met' : 'missed',
        }
      : null,
  };
}

function summariseBuilds(list) {
  if (list.length === 0) return undefined;
  const med = (f) => median(list.map(f).filter((v) => v !== undefined));
  return {
    kind: list[0].kind,
    tableSize: list[0].tableSize,
    pointsPerWeight: list[0].pointsPerWeight,
    firstAt300: {
      cpuMs: med((b) => b.firstAt300.cpuMs),
      wallMs: med((b) => b.firstAt300.wallMs),
      worstWallMs: Math.max(...list.map((b) => b.firstAt300.wallMs)),
    },
    bySize: list[0].bySize.map(({ targets }) => ({
      targets,
      cpuMs: med((b) => b.bySize.find((s) => s.targets === targets).cpuMs),
      wallMs: med((b) => b.bySize.find((s) => s.targets === targets).wallMs),
    })),
    rebuildInPick: list[0].rebuildInPick
      ? { targets: list[0].rebuildInPick.targets, cpuMs: med((b) => b.rebuildInPick.cpuMs), wallMs: med((b) => b.rebuildInPick.wallMs) }
      : undefined,
  };
}

/**
 * Per picker variant (not the bookkeeping baseline): its pick at SHARE_AT_TARGETS targets, all eligible,
 * over the per-request time of the chain with that algorithm (`chain-<id>`; the consistent-hash modes
 * are divided by the default consistent-hash chain). Per request time: 1 / req per SUT CPU-second by CPU,
 * 1 / req/s by wall clock.
 */
export function pickerShares(pickers, chainCases) {
  if (!pickers || !chainCases) return [];
  const byName = new Map(chainCases.filter((c) => c.median).map((c) => [c.name, c]));
  const baseline = byName.get('chain-round-robin')?.median;
  return pickers.variants
    .filter((v) => v.id !== null)
    .map((v) => {
      const pick = v.configs.find((c) => c.targets === SHARE_AT_TARGETS && c.ineligible === 0);
      const chain = byName.get(`chain-${v.id}`);
      if (!pick || !chain) return { name: v.name, id: v.id, pick, chain: null, verdictByCpu: 'not measured', verdictByRps: 'not measured' };
      const m = chain.median;
      const shareByCpu = m.reqPerCpuSecond ? (pick.cpuNsPerPick * m.reqPerCpuSecond) / 1e9 : null;
      const shareByRps = m.rps ? (pick.wallNsPerPick * m.rps) / 1e9 : null;
      return {
        name: v.name,
        id: v.id,
        chainCase: chain.name,
        pickCpuNs: pick.cpuNsPerPick,
        pickWallNs: pick.wallNsPerPick,
        rps: m.rps,
        spread: chain.spread ?? null,
        reqPerCpuSecond: m.reqPerCpuSecond,
        /** The chain speed at which this pick would be exactly the target share. */
        breakEvenReqPerCpuSecond: pick.cpuNsPerPick ? (PICKER_SHARE_TARGET * 1e9) / pick.cpuNsPerPick : null,
        requestCpuUs: m.reqPerCpuSecond ? 1e6 / m.reqPerCpuSecond : null,
        vsRoundRobinByCpu: baseline?.reqPerCpuSecond ? m.reqPerCpuSecond / baseline.reqPerCpuSecond : null,
        shareByCpu,
        shareByRps,
        verdictByCpu: shareByCpu === null ? 'not measured' : shareByCpu <= PICKER_SHARE_TARGET ? 'met' : 'missed',
        verdictByRps: shareByRps === null ? 'not measured' : shareByRps <= PICKER_SHARE_TARGET ? 'met' : 'missed',
      };
    });
}

/** The newest results file (by name, which starts with its date) for which `pick(json)` is not null: { file, value }. */
export function latestResults(pick) {
  let files;
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return null;
  }
  for (const file of files.sort().reverse()) {
    try {
      const value = pick(JSON.parse(readFileSync(`${RESULTS_DIR}${file}`, 'utf8')));
      if (value) return { file, value };
    } catch {
      // an unreadable or older-format file: look further back
    }
  }
  return null;
}

/** The measured chain-<algorithm> cases of a results JSON, or null. */
export function chainCasesOf(json) {
  const cases = (json.cases ?? []).filter((c) => c.name.startsWith('chain-') && c.median);
  return cases.length ? cases : null;
}

export function pickersOf(json) {
  return json.pickers?.summary ?? null;
}

const pct = (v, digits = 2) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(digits)}%`);
const ms = (v) => (v === null || v === undefined ? '-' : v.toFixed(1));
const int = (v) => (v === null || v === undefined ? '-' : Math.round(v).toLocaleString('en-US'));

function configOf(v, targets, ineligibleShare) {
  return v.configs.find((c) => c.targets === targets && c.ineligible > 0 === ineligibleShare);
}

/** Rows of the picker table: CPU us per pick at each configuration, picks per CPU-second and wall us at 30. */
function pickerRows(s) {
  const header = [
    'picker',
    ...TARGET_COUNTS.map((n) => `${n}`),
    ...TARGET_COUNTS.map((n) => `${n}, ${Math.floor(n / 3)} out`),
    'picks/CPU-s at 30',
    'wall us at 30',
    'core wait',
  ];
  const rows = s.variants.map((v) => [
    v.id === null ? v.name : v.name,
    ...TARGET_COUNTS.map((n) => micros(configOf(v, n, false)?.cpuNsPerPick)),
    ...TARGET_COUNTS.map((n) => micros(configOf(v, n, true)?.cpuNsPerPick)),
    int(configOf(v, 30, false)?.picksPerCpuSecond),
    micros(configOf(v, 30, false)?.wallNsPerPick),
    pct(median(v.configs.map((c) => c.waitShare)), 0),
  ]);
  return [header, ...rows];
}

function buildRows(s) {
  const header = ['build', '3 targets', '30 targets', '300 targets', 'first in a fresh process, 300 targets', 'target'];
  const rows = [];
  for (const v of s.variants.filter((v) => v.builds)) {
    const b = v.builds;
    const label =
      b.kind === 'maglev-table'
        ? `Maglev table (${b.tableSize.toLocaleString('en-US')} slots)`
        : `${v.name} ring (${b.pointsPerWeight} points per weight)`;
    const at = (n) => b.bySize.find((x) => x.targets === n);
    const cell = (x) => `${ms(x.cpuMs)} (${ms(x.wallMs)})`;
    const target =
      b.kind === 'maglev-table' && s.maglevBuild
        ? `< ${MAGLEV_BUILD_TARGET_MS} ms at 300: ${s.maglevBuild.verdictByCpu} by CPU, ${s.maglevBuild.verdictByWall} by wall`
        : '';
    rows.push([label, cell(at(3)), cell(at(30)), cell(at(300)), `${ms(b.firstAt300.cpuMs)} (${ms(b.firstAt300.wallMs)})`, target]);
    if (b.rebuildInPick) {
      rows.push([
        'a Maglev pick that rebuilds (1 of 300 targets changed eligibility)',
        '',
        '',
        `${ms(b.rebuildInPick.cpuMs)} (${ms(b.rebuildInPick.wallMs)})`,
        '',
        '',
      ]);
    }
  }
  return [header, ...rows];
}

function shareRows(shares) {
  const header = [
    'algorithm',
    'chain req/s',
    'spread',
    'chain req/CPU-s',
    'CPU us per request',
    'vs round-robin (req/CPU-s)',
    'pick at 30, CPU us',
    'picker share by CPU',
    'by req/s',
    `<= ${pct(PICKER_SHARE_TARGET, 0)}`,
    `${pct(PICKER_SHARE_TARGET, 0)} reached at req/CPU-s`,
  ];
  const rows = shares.map((r) =>
    r.chainCase
      ? [
          r.name,
          int(r.rps),
          r.spread === null ? '-' : `±${Math.round(r.spread * 100)}%`,
          int(r.reqPerCpuSecond),
          int(r.requestCpuUs),
          r.vsRoundRobinByCpu === null ? '-' : `${r.vsRoundRobinByCpu.toFixed(2)}x`,
          micros(r.pickCpuNs),
          pct(r.shareByCpu),
          pct(r.shareByRps),
          r.verdictByCpu === r.verdictByRps ? r.verdictByCpu : `${r.verdictByCpu} (by req/s: ${r.verdictByRps})`,
          int(r.breakEvenReqPerCpuSecond),
        ]
      : [r.name, '-', '-', '-', '-', '-', micros(r.pick?.cpuNsPerPick), '-', '-', 'not measured', '-'],
  );
  return [header, ...rows];
}

/** Rows -> aligned text; the first row is the header, columns after `textColumns` right-aligned. */
function textTable(rows, textColumns = 1) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((cell, i) => (i < textColumns ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function markdownTable(rows, textColumns = 1, leftAligned = []) {
  const align = rows[0].map((_, i) => (i < textColumns || leftAligned.includes(i) ? '---' : '---:'));
  return [rows[0], align, ...rows.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Pickers over the line and the costliest picks: one sentence each. */
export function findings(s, shares) {
  const lines = [];
  const missed = shares.filter((r) => r.verdictByCpu === 'missed');
  if (missed.length) {
    lines.push(
      `Over the ${pct(PICKER_SHARE_TARGET, 0)} line at ${SHARE_AT_TARGETS} targets (by CPU): ` +
        missed.map((r) => `${r.name} ${micros(r.pickCpuNs)} us a pick, ${pct(r.shareByCpu, 1)} of a request`).join('; ') +
        '.',
    );
  }
  if (s?.maglevBuild) {
    const b = s.maglevBuild;
    lines.push(
      `Maglev table for ${b.targets} targets: ${ms(b.cpuMs)} ms CPU (${ms(b.wallMs)} ms wall) median, ` +
        `${ms(b.first.cpuMs)} ms CPU (${ms(b.first.wallMs)} ms wall) for the first build in a fresh process: ` +
        `${b.verdictByCpu === 'met' && b.verdictByWall === 'met' ? 'under' : 'not under'} the ${MAGLEV_BUILD_TARGET_MS} ms target` +
        (b.first.wallMs >= MAGLEV_BUILD_TARGET_MS ? ' (the first build is not)' : '') +
        (b.rebuildInPick ? `; the pick that rebuilds it blocks the event loop for ${ms(b.rebuildInPick.wallMs)} ms` : '') +
        '.',
    );
  }
  return lines;
}

export function pickersText(s) {
  return [
    `pickers: us per pick by CPU (median of ${s.runs} run${s.runs > 1 ? 's' : ''}), by target count; "N out": a third of them ineligible`,
    textTable(pickerRows(s)),
    '',
    'builds, ms: CPU (wall), median',
    textTable(buildRows(s)),
  ].join('\n');
}

export function sharesText(shares, sources) {
  if (shares.length === 0) return '';
  return [
    `picker share of the chain's per-request time at ${SHARE_AT_TARGETS} targets${sources ? ` (${sources})` : ''}`,
    textTable(shareRows(shares)),
  ].join('\n');
}

/**
 * Rewrite the README's pickers section from this run's pickers summary and chain cases, each taken from
 * the newest results file when this run did not measure it. False when the README has no markers.
 */
export function updatePickersReadme(result, resultsFile, { pickers, pickersFile, chainCases, chainFile, chainBorrowed, shares }) {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) return false;
  const m = result.machine;
  const here = resultsFile.split('/').at(-1);
  const source = (file) => `\`bench/results/${file ?? here}\``;
  const s = pickers;
  const chainSettings = chainFile && !chainBorrowed ? null : result.settings;
  const chainFrom = !chainFile
    ? 'this run'
    : chainBorrowed
      ? `this run; ${chainBorrowed.join(', ')} from ${source(chainFile)}`
      : `from ${source(chainFile)}`;
  const tree = result.engineTree;
  const section = [
    START,
    '',
    `Written by \`npm run bench\` ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC (${source()}). ${m.cpus} x ${m.cpuModel}, Node ${m.node}. ` +
      `Load average (1/5/15 min) ${m.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')} at the start, ` +
      `${m.loadavgAtEnd.map((l) => l.toFixed(2)).join(' / ')} at the end.` +
      (tree
        ? ` Engine at commit ${tree.commit}` +
          (tree.uncommitted.length
            ? ` plus uncommitted changes to ${tree.uncommitted.length} file${tree.uncommitted.length > 1 ? 's' : ''} under \`engine/src\` (listed in the JSON as \`engineTree\`).`
            : '.')
        : ''),
    '',
  ];
  if (s) {
    section.push(
      `**Picks** (${pickersFile ? `from ${source(pickersFile)}` : 'this run'}): microseconds of CPU per pick, median of ` +
        `${s.settings ? `${s.settings.batches} timed batches of about ${s.settings.batchMs} ms after ${s.settings.warmupMs} ms of warm-up` : 'the batches'}` +
        `${s.runs > 1 ? `, then the median of ${s.runs} runs` : ''}; each picker in its own process on core 1, weight 1 everywhere, ` +
        `hash pickers keyed by 10,000 client addresses, requests kept in flight and settled (see below). "N out": a third of the ` +
        `targets ineligible. "core wait": how long the main thread waited for its core, as a share of its time (other work on the ` +
        'machine); the CPU columns do not count that wait, the wall column does.',
      '',
      markdownTable(pickerRows(s)),
      '',
      '**Builds**, milliseconds, CPU (wall), median of 15 after the first:',
      '',
      markdownTable(buildRows(s), 1, [5]),
      '',
    );
  }
  if (chainCases) {
    const settings = chainSettings
      ? `${chainSettings.warmupSeconds} s warm-up + ${chainSettings.durationSeconds} s measured per case, median of ${chainSettings.repeat} run${chainSettings.repeat > 1 ? 's' : ''}, ${chainSettings.connections} connections, ${result.loadGenerator.version}`
      : 'see that file for the settings';
    section.push(
      `**The chain per algorithm** (${chainFrom}; ${settings}): \`engine-chain\` with each ` +
        `algorithm, 3 services, load on core 0 and the engine on core 1. The picker share is the pick at ${SHARE_AT_TARGETS} targets ` +
        `(the table above) over the chain's time per request: CPU us per pick x req per SUT CPU-second, and wall us per pick x req/s. ` +
        `The consistent-hash modes are divided by the default consistent-hash chain. The last column is the chain speed at which ` +
        `the pick would reach ${pct(PICKER_SHARE_TARGET, 0)}: a faster engine, or a quieter machine, moves every share up.`,
      '',
      markdownTable(shareRows(shares)),
      '',
    );
  }
  const notes = findings(s, shares);
  if (s?.notes?.length) notes.push(...s.notes.map((n) => `Note: ${n}.`));
  if (s && s.waitShare > 0.2) {
    notes.push(
      `Note: the picker processes waited for their core ${pct(s.waitShare, 0)} of the time (median): the wall column is inflated; compare by CPU.`,
    );
  }
  if (notes.length) section.push(...notes.flatMap((n) => [n, '']));
  section.push(END);
  writeFileSync(README, readme.slice(0, from) + section.join('\n') + readme.slice(to + END.length));
  return true;
}
