/** Reads and validates a config file for the CLI, turning every failure into printable lines. */
import { readFile } from 'node:fs/promises';
import { validateText, type ConfigResult } from '../config/validate.ts';

export async function loadConfigFile(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, errors: [{ path: '(file)', message: `cannot read ${file}: ${why}` }] };
  }
  return validateText(text);
}
