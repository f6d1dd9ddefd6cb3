/** Command-line flags of `npm run bench`; `--help` prints them. */
import { parseArgs } from 'node:util';
import { UNDICI_MODES } from '../reference/undici-proxy.mjs';

export const USAGE = `npm run bench -- [flags]

  --duration S      measured seconds per case and repetition (default 10)
  --warmup S        warm-up seconds before each measured run (default 3)
  --connections N   keep-alive connections of the load generator (default 50)
  --repeat N        repetitions, interleaved across cases; the table shows medians (default 1)
  --only NAME       run only this case (repeatable, or comma-separated)
  --pair ID         head-to-head: run only this pair (repeatable; implies --no-readme), e.g. gateway-policies-cost
  --loadgen NAME    wrk or autocannon (default: wrk when installed)
  --undici-mode M   undici API of the bare undici proxies: ${UNDICI_MODES.join(', ')} (default dispatch)
  --no-readme       do not rewrite the results section of bench/README.md
  --list            list the cases and exit
  --help            this text`;

export function readArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      repeat: { type: 'string', default: '1' },
      only: { type: 'string', multiple: true, default: [] },
      pair: { type: 'string', multiple: true, default: [] },
      loadgen: { type: 'string' },
      'undici-mode': { type: 'string', default: 'dispatch' },
      'no-readme': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const options = {
    durationSeconds: positiveInteger('--duration', values.duration),
    warmupSeconds: positiveInteger('--warmup', values.warmup, { allowZero: true }),
    connections: positiveInteger('--connections', values.connections),
    repeat: positiveInteger('--repeat', values.repeat),
    only: values.only
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean),
    pairs: values.pair.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    loadgen: values.loadgen,
    undiciMode: values['undici-mode'],
    // A run of some pairs only would leave the README's head-to-head table half measured.
    writeReadme: !values['no-readme'] && values.pair.length === 0,
    list: values.list,
    help: values.help,
  };
  if (options.loadgen !== undefined && !['wrk', 'autocannon'].includes(options.loadgen)) {
    throw new Error(`--loadgen: expected wrk or autocannon, got "${options.loadgen}"`);
  }
  if (!UNDICI_MODES.includes(options.undiciMode)) {
    throw new Error(`--undici-mode: expected one of ${UNDICI_MODES.join(', ')}, got "${options.undiciMode}"`);
  }
  return options;
}

function positiveInteger(flag, text, { allowZero = false } = {}) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new Error(`${flag}: expected a whole number${allowZero ? '' : ' above 0'}, got "${text}"`);
  return n;
}
