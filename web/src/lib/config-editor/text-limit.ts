/**
 * The most config text the page takes in one piece (a paste, an imported or dropped file, a shared
 * link), checked before anything parses it: YAML parsing and the engine's check both block, and a
 * 10 MB paste would stall the page for seconds. 512 KiB is far above any sandbox (the classic edge is
 * about 2 KB; the engine's own limit of 5000 values in a config fits in a fraction of it) and below the
 * engine's 1 MiB limit on the JSON body of PUT /api/config and POST /api/config/validate.
 */
export const MAX_CONFIG_TEXT = 512 * 1024;

/** Why a text of `length` characters (or bytes) is refused, or undefined when it fits. */
export function textTooLong(length: number, what = 'this config'): string | undefined {
  if (length <= MAX_CONFIG_TEXT) return undefined;
  return `${what} is ${formatKiB(length)}, over the ${formatKiB(MAX_CONFIG_TEXT)} a config may be: refused before reading it, nothing changed`;
}

function formatKiB(length: number): string {
  return length >= 1024 * 1024 ? `${(length / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(length / 1024)} KiB`;
}
