/** Reads and validates a config file for the CLI, turning every failure into printable lines. */
import { createReadStream } from 'node:fs';
import { validateText, type ConfigResult, type ValidateOptions } from '../config/validate.ts';
import { readUpTo } from '../http/bounded-read.ts';
import { MAX_BODY_BYTES } from '../http/read-body.ts';

/**
 * A config file is held to what `PUT /api/config` takes: a 35 MB file of a million nodes took 44 s and
 * 4 GB to parse before the node limit could refuse it, and /dev/zero was read until memory ran out.
 * The largest example config is a few kilobytes.
 */
export const MAX_CONFIG_FILE_BYTES = MAX_BODY_BYTES;

export async function loadConfigFile(file: string, options: ValidateOptions = {}): Promise<ConfigResult> {
  let text: string;
  const stream = createReadStream(file);
  try {
    const read = await readUpTo(stream, MAX_CONFIG_FILE_BYTES);
    if (read.whole === undefined) {
      return { ok: false, errors: [{ path: '(file)', message: `${file} is larger than ${MAX_CONFIG_FILE_BYTES} bytes (1 MB), the most a config may be` }] };
    }
    text = read.whole.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, errors: [{ path: '(file)', message: `cannot read ${file}: ${why}` }] };
  } finally {
    stream.destroy();
  }
  return validateText(text, options);
}
